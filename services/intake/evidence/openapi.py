"""The evidence endpoints' answer models and their part of intake's OpenAPI document.

``api_evidence`` builds its answers through these models, so the document describes what the
code sends. ``MODELS`` go into the document's components, ``paths()`` into its paths.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

_SHA256 = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hexadecimal")


class EvidenceUploader(BaseModel):
    name: str
    key_prefix: str
    role: str


class EvidenceLinks(BaseModel):
    self: str
    content: str


class EvidenceEntry(BaseModel):
    """One evidence file as stored: what it is, its hashes, who uploaded it and when.

    Fields a stored entry has beyond these are left out of answers, not refused.
    """

    id: str
    filename: str
    kind: Literal["image", "document", "video", "audio"]
    content_type: str = Field(description="Found in the bytes, not taken from the client")
    declared_content_type: str | None = Field(description="What the client said it was")
    size: int = Field(ge=1, description="Bytes stored")
    sha256: str = _SHA256
    original_size: int = Field(ge=1, description="Bytes received")
    original_sha256: str = _SHA256
    metadata_removed: bool = Field(
        description="EXIF/GPS and other metadata were removed before storing"
    )
    uploaded_by: EvidenceUploader
    uploaded_at: datetime
    links: EvidenceLinks


class EvidenceAdded(EvidenceEntry):
    created: bool = Field(description="False: the case already held this file")


class EvidenceUploadResult(BaseModel):
    items: list[EvidenceAdded]


class EvidenceLimits(BaseModel):
    max_file_bytes: int
    max_files_per_case: int
    max_files_per_request: int


class EvidenceList(BaseModel):
    items: list[EvidenceEntry]
    limits: EvidenceLimits


MODELS: Final[list[type[BaseModel]]] = [EvidenceEntry, EvidenceUploadResult, EvidenceList]

_AUTH: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]
_PATH_ID = {"in": "path", "required": True, "schema": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(model.__name__)}},
    }


def _problems(descriptions: dict[int, str]) -> dict[str, Any]:
    return {
        str(status): {
            "description": text,
            "content": {"application/problem+json": {"schema": _ref("ProblemDetails")}},
        }
        for status, text in descriptions.items()
    }


_READ_PROBLEMS: Final = {
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not read evidence.",
    404: "No such case or file, or not in your region.",
}


def paths() -> dict[str, Any]:
    """The evidence operations, in the shape of the document's ``paths``."""
    case_id = {"name": "case_id", **_PATH_ID}
    evidence_id = {"name": "evidence_id", **_PATH_ID}
    return {
        "/v1/cases/{case_id}/evidence": {
            "post": {
                "summary": "Attach evidence files (images lose EXIF/GPS before storage)",
                "description": "Up to 5 files per request in multipart parts named 'file'. "
                "The type is found in the bytes; JPEG, PNG, WebP, GIF, PDF, MP4/MOV/3GP, "
                "M4A, MP3, Ogg and WAV are accepted. A file the case already holds is not "
                "stored twice (200). Nothing is stored if any file is refused.",
                "security": _AUTH,
                "parameters": [case_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {
                                        "type": "array",
                                        "items": {
                                            "type": "string",
                                            "contentMediaType": "application/octet-stream",
                                        },
                                        "minItems": 1,
                                        "maxItems": 5,
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(EvidenceUploadResult, "Stored."),
                    "200": _json(EvidenceUploadResult, "The case already held every file."),
                    **_problems(
                        {
                            401: "Missing, unknown or revoked API key.",
                            403: "The key's role may not upload evidence.",
                            404: "No such case, or not in your region.",
                            409: "The same file was being added by another request.",
                            413: "A file or the request is larger than accepted.",
                            415: "Not multipart, or a file of a type that is not accepted.",
                            422: "A file is empty or damaged, or the case's limit is reached.",
                        }
                    ),
                },
            },
            "get": {
                "summary": "The case's evidence files with their hashes",
                "security": _AUTH,
                "parameters": [case_id],
                "responses": {
                    "200": _json(EvidenceList, "Oldest first."),
                    **_problems(_READ_PROBLEMS),
                },
            },
        },
        "/v1/cases/{case_id}/evidence/{evidence_id}": {
            "get": {
                "summary": "One evidence file's record",
                "security": _AUTH,
                "parameters": [case_id, evidence_id],
                "responses": {
                    "200": _json(EvidenceEntry, "The record."),
                    **_problems(_READ_PROBLEMS),
                },
            }
        },
        "/v1/cases/{case_id}/evidence/{evidence_id}/content": {
            "get": {
                "summary": "Download the stored file (each download is logged)",
                "security": _AUTH,
                "parameters": [case_id, evidence_id],
                "responses": {
                    "200": {
                        "description": "The stored bytes; Repr-Digest carries their SHA-256.",
                        "content": {"*/*": {"schema": {"type": "string"}}},
                    },
                    **_problems(
                        {**_READ_PROBLEMS, 500: "The registered file is missing from storage."}
                    ),
                },
            }
        },
    }
