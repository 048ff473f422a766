"""The Open311 endpoints' answer models.

``open311.api`` sends its answers through these models, and its views name them in their
OpenAPI descriptions. Errors here are GeoReport's list of ``{"code", "description"}``
(``Open311Errors``), not problem documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
