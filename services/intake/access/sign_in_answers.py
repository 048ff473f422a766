"""The shapes of the sign-in routes' requests and answers (validated bodies and OpenAPI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_FORBID = ConfigDict(extra="forbid")


class ClientInfo(BaseModel):
    """Where the person is, as the console saw them: for the throttle and the sign-in log."""

    model_config = _FORBID

    address: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=512)


class SignInBody(BaseModel):
    model_config = _FORBID

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    client: ClientInfo = Field(default_factory=ClientInfo)


class CodeBody(BaseModel):
    model_config = _FORBID

    challenge: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=16)
    client: ClientInfo = Field(default_factory=ClientInfo)


class ChallengeBody(BaseModel):
    model_config = _FORBID

    challenge: str = Field(min_length=1, max_length=128)


class LinkBody(BaseModel):
    model_config = _FORBID

    token: str = Field(min_length=1, max_length=128)


class AcceptLinkBody(BaseModel):
    model_config = _FORBID

    token: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    client: ClientInfo = Field(default_factory=ClientInfo)


class ResetBody(BaseModel):
    model_config = _FORBID

    email: str = Field(min_length=1, max_length=254)
    client: ClientInfo = Field(default_factory=ClientInfo)


class ConfirmBody(BaseModel):
    model_config = _FORBID

    challenge: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=16)


class PasswordBody(BaseModel):
    model_config = _FORBID

    password: str = Field(min_length=1, max_length=1024)


class Person(BaseModel):
    officer_id: str
    name: str | None
    role: str | None
    region: str | None
    language: str = "id"
    timezone: str | None = None


class SignInStep(BaseModel):
    """Where a successful step leads: a session (its token), or a challenge for the second
    factor (``second_factor``: type a code; ``enrol``: set the factor up first)."""

    step: Literal["session", "second_factor", "enrol"]
    token: str
    person: Person


class Enrolment(BaseModel):
    secret: str = Field(description="The TOTP secret, base32, to show as text too")
    uri: str = Field(description="The otpauth:// URI the QR code carries")


class AccountEnrolment(Enrolment):
    challenge: str


class LinkView(BaseModel):
    state: Literal["valid", "expired", "spent", "unknown"]
    purpose: Literal["invitation", "reset"] | None = None
    name: str | None = None
    email: str | None = None
    expires_at: str | None = None


class ResetAccepted(BaseModel):
    accepted: bool
    detail: str


class SessionView(BaseModel):
    id: str
    officer_id: str
    name: str
    role: str
    region: str
    second_factor: bool
    created_at: str
    last_seen_at: str
    expires_at: str
    address: str | None = None
    agent: str | None = None
    current: bool = False


class SessionList(BaseModel):
    items: list[SessionView]


class AccountView(BaseModel):
    person: dict[str, str | None]
    second_factor: dict[str, bool]
    sessions: list[SessionView]


class Ended(BaseModel):
    ended: int


class FactorState(BaseModel):
    enabled: bool


class InvitationSent(BaseModel):
    officer_id: str
    sent_to: str
    issued_at: str


class SignInLog(BaseModel):
    items: list[dict[str, object]]
