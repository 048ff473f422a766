"""The Open311 endpoints' answer models and their part of intake's OpenAPI document.

``api_open311`` sends its answers through these models. ``MODELS`` go into the document's
components, ``paths()`` into its paths. Errors here are GeoReport's list of
``{"code", "description"}``, not problem documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, RootModel


class Open311Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class Open311Services(RootModel[list[Open311Service]]):
    pass


class Open311AttributeValue(BaseModel):
    key: str
    name: str


class Open311Attribute(BaseModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[Open311AttributeValue] | None = None


class Open311ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Open311Attribute]


class Open311Created(BaseModel):
    service_request_id: str
    service_notice: str
    account_id: str | None
    tracking_code: str


class Open311CreatedList(RootModel[list[Open311Created]]):
    pass


class Open311Request(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime | None
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311Requests(RootModel[list[Open311Request]]):
    pass


class Open311Error(BaseModel):
    code: int
    description: str


class Open311Errors(RootModel[list[Open311Error]]):
    pass


MODELS: Final[list[type[BaseModel]]] = [
    Open311Services,
    Open311ServiceDefinition,
    Open311CreatedList,
    Open311Requests,
    Open311Errors,
]

_FORMAT: Final = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "description": "Only json is offered; other formats answer 404.",
    "schema": {"type": "string", "enum": ["json"]},
}
_JURISDICTION: Final = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "description": "Kemendagri code of the regency, e.g. 12.06",
    "schema": {"type": "string"},
}
_API_KEY: Final = {
    "name": "api_key",
    "in": "query",
    "required": False,
    "description": "The Pantau API key, if not sent as 'Authorization: Bearer'.",
    "schema": {"type": "string"},
}
# The key may also come as the api_key parameter (query or form field), as GeoReport sends it.
_AUTH: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}, {}]
_FORM_FIELDS: Final = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "media_url",
    "device_id",
    "account_id",
)


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(descriptions: dict[int, str]) -> dict[str, Any]:
    return {str(s): _json(Open311Errors, text) for s, text in descriptions.items()}


def paths() -> dict[str, Any]:
    """The GeoReport v2 operations, in the shape of the document's ``paths``."""
    return {
        "/open311/v2/services.{fmt}": {
            "get": {
                "summary": "GeoReport v2: the violation categories as services",
                "parameters": [_FORMAT, _JURISDICTION],
                "responses": {
                    "200": _json(Open311Services, "Every category."),
                    **_errors({404: "Unknown jurisdiction or format."}),
                },
            }
        },
        "/open311/v2/services/{service_code}.{fmt}": {
            "get": {
                "summary": "GeoReport v2: a service definition (its attributes)",
                "parameters": [
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _FORMAT,
                    _JURISDICTION,
                ],
                "responses": {
                    "200": _json(Open311ServiceDefinition, "The attributes."),
                    **_errors({404: "Unknown service, jurisdiction or format."}),
                },
            }
        },
        "/open311/v2/requests.{fmt}": {
            "post": {
                "summary": "GeoReport v2: file a request (becomes a case)",
                "security": _AUTH,
                "parameters": [_FORMAT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["service_code", "description"],
                                "properties": {f: {"type": "string"} for f in _FORM_FIELDS},
                                "patternProperties": {r"^attribute\[.+\]$": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(Open311CreatedList, "The new request's id and tracking code."),
                    **_errors(
                        {
                            400: "Invalid request; one description per problem.",
                            401: "Missing, unknown or revoked api_key.",
                            403: "Role or jurisdiction not allowed for this key.",
                            404: "Format other than json.",
                            429: "Rate limit reached; see Retry-After.",
                            503: "A dependency is unavailable.",
                        }
                    ),
                },
            },
            "get": {
                "summary": "GeoReport v2: search requests of your region",
                "security": _AUTH,
                "parameters": [
                    _FORMAT,
                    _JURISDICTION,
                    _API_KEY,
                    *(
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in (
                            "service_request_id",
                            "service_code",
                            "status",
                            "start_date",
                            "end_date",
                        )
                    ),
                ],
                "responses": {
                    "200": _json(Open311Requests, "Newest first, at most 1000."),
                    **_errors(
                        {
                            400: "Invalid filter.",
                            401: "Missing, unknown or revoked api_key.",
                            403: "Role or jurisdiction not allowed for this key.",
                            404: "Format other than json.",
                            503: "A dependency is unavailable.",
                        }
                    ),
                },
            },
        },
        "/open311/v2/requests/{request_id}.{fmt}": {
            "get": {
                "summary": "GeoReport v2: one request",
                "security": _AUTH,
                "parameters": [
                    {
                        "name": "request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _FORMAT,
                    _JURISDICTION,
                    _API_KEY,
                ],
                "responses": {
                    "200": _json(Open311Requests, "A list holding the request."),
                    **_errors(
                        {
                            401: "Missing, unknown or revoked api_key.",
                            403: "The key's role may not read requests.",
                            404: "No such request in your region, or a format other than json.",
                            503: "A dependency is unavailable.",
                        }
                    ),
                },
            }
        },
    }
