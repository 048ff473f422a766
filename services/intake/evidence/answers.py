"""The evidence endpoints' answer models.

``evidence.api`` builds its answers through these models, and its views name them in their
OpenAPI descriptions, so the document describes what the code sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
