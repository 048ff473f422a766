"""Intake's sign-in routes as the console calls them, for the sign-in tests: people in the
directory, their passwords set through a one-time link, and the steps to a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.intake.access import second_factor
from services.intake.access.invitations import issue_link
from services.intake.access.keys import create_key
from services.intake.access.links import PATH
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate

# Passes the password policy (four unrelated words); the second is another person's choice.
PASSWORD = "kerbau ungu menari di atap"
OTHER_PASSWORD = "payung hijau lupa jalan pulang"
CONSOLE = "http://console.test"
ADDRESS = "203.0.113.7"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Door:
    """The console's side of intake's door: its own key, and the person's steps."""

    client: FlaskClient
    console_key: str

    @classmethod
    def open(cls, client: FlaskClient) -> Door:
        return cls(client, create_key("console", "12", "console")[0])

    def key(self, role: str, region: str) -> str:
        """An API key of ``role`` for ``region`` (a system's, not a person's)."""
        return create_key(f"{role} {region}", region, role)[0]

    def post(self, path: str, body: dict[str, Any]) -> TestResponse:
        return self.client.post(path, json=body, headers=bearer(self.console_key))

    # --- people ------------------------------------------------------------------------------

    def person(
        self,
        officer_id: str,
        *,
        role: str = "officer",
        region: str = "12.06",
        email: str | None = None,
    ) -> dict[str, Any]:
        """A directory entry (operators and auditors sit at the province's desk)."""
        entry = OfficerCreate.model_validate(
            {
                "officer_id": officer_id,
                "region": region,
                "unit": "PROVINSI" if "." not in region else "BKPSDM",
                "role": role,
                "name": f"Orang {officer_id}",
                "email": email or f"{officer_id}@karo.example",
            }
        )
        return directory.create(entry, actor=directory.actor_of("test"))

    def link(self, officer_id: str, purpose: str = "invitation") -> str:
        """A fresh one-time link's token for the person (not mailed)."""
        entry = directory.get(officer_id)
        assert entry is not None
        url = issue_link(
            entry,
            purpose,  # type: ignore[arg-type]
            issued_by={"name": "test"},
            console_url=CONSOLE,
            now=datetime.now(UTC),
            send=False,
        )
        return url.split(PATH, 1)[1]

    def accept(self, token: str, password: str = PASSWORD, address: str = ADDRESS) -> TestResponse:
        return self.post(
            "/v1/auth/links/accept",
            {"token": token, "password": password, "client": {"address": address}},
        )

    def set_password(self, officer_id: str, password: str = PASSWORD) -> dict[str, Any]:
        """Set the person's password through a link; the step it leads to."""
        answer = self.accept(self.link(officer_id), password)
        assert answer.status_code == 200, answer.get_json()
        step: dict[str, Any] = answer.get_json()
        return step

    # --- the steps ---------------------------------------------------------------------------

    def sign_in(
        self, email: str, password: str = PASSWORD, address: str | None = ADDRESS
    ) -> TestResponse:
        client = {"address": address, "agent": "pytest"} if address else {}
        return self.post(
            "/v1/auth/sign-in", {"email": email, "password": password, "client": client}
        )

    def code(self, challenge: str, code: str, address: str = ADDRESS) -> TestResponse:
        return self.post(
            "/v1/auth/second-factor",
            {"challenge": challenge, "code": code, "client": {"address": address}},
        )

    def enrol(self, challenge: str) -> str:
        """The secret an ``enrol`` challenge shows."""
        answer = self.post("/v1/auth/second-factor/enrolment", {"challenge": challenge})
        assert answer.status_code == 200, answer.get_json()
        secret: str = answer.get_json()["secret"]
        return secret

    def confirm(self, challenge: str, code: str) -> TestResponse:
        return self.post(
            "/v1/auth/second-factor/enrolment/confirm",
            {"challenge": challenge, "code": code, "client": {"address": ADDRESS}},
        )

    def enrolled_session(self, officer_id: str) -> tuple[str, str]:
        """Set a password and the second factor of a role that must have it: (session, secret)."""
        step = self.set_password(officer_id)
        assert step["step"] == "enrol", step
        secret = self.enrol(step["token"])
        done = self.confirm(step["token"], totp(secret))
        assert done.status_code == 200, done.get_json()
        return done.get_json()["token"], secret

    def session(self, officer_id: str) -> str:
        """A session of a person whose role needs no second factor: their first, opened by
        setting their password (more sessions: ``sign_in``)."""
        step = self.set_password(officer_id)
        assert step["step"] == "session", step
        token: str = step["token"]
        return token


def totp(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or that many 30-second steps later: a step
    once used is never accepted again, and the next one is, within the allowed drift)."""
    moment = datetime.now(UTC) + timedelta(seconds=second_factor.STEP_SECONDS * steps_ahead)
    return second_factor.code_at(secret, moment)
