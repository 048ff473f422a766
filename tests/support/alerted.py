"""A case that reaches an officer: submitted with words of its own, routed, and alerted by
e-mail, as the console's page and browser tests start from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from tests.support.builders import case_payload, plain_text
from tests.support.suite import Suite
from tests.support.waiting import eventually

CONSOLE_LINK = re.compile(r"(https?://\S+/kasus/[0-9a-f]{24})")


@dataclass(frozen=True)
class AlertedCase:
    case_id: str
    mail: EmailMessage
    officer_id: str
    officer_name: str
    title: str

    @property
    def link(self) -> str:
        """The console address the alert carries."""
        found = CONSOLE_LINK.search(plain_text(self.mail))
        assert found, plain_text(self.mail)
        return found.group(1)


def alerted_case(
    suite: Suite, marker: str, region: str = "12.06", *, link: str | None = None
) -> AlertedCase:
    """Submit a case whose words are ``marker``'s own (no earlier case is its duplicate, so it
    alerts), wait for its alert, and put its officer in the directory (so they can be
    invited to the console)."""
    payload = case_payload(
        title=f"Kepala sekolah {marker} mengunggah dukungan paslon di Instagram",
        description=(
            f"Kepala SMP Negeri {marker} mengunggah foto kampanye pasangan calon nomor urut "
            f"{len(marker) % 5 + 1} di akun Instagram pribadinya dan mengajak guru {marker} "
            "ikut menyukai unggahan itu."
        ),
        accused=[{"name": f"Guru {marker}", "employment_type": "PNS", "position": "Kepala SMP"}],
        evidence_urls=[link or f"https://www.instagram.com/p/{marker.lower()}/"],
    )
    created = suite.submit(suite.key(region, "submitter"), payload)

    def alert() -> EmailMessage | None:
        for mail in suite.mail.messages:
            if created["id"] in plain_text(mail):
                return mail
        return None

    mail = eventually(alert, timeout=60)
    supervisor = suite.key(region, "supervisor")

    def assigned() -> dict[str, Any] | None:
        case = suite.case(supervisor, created["id"])
        found: dict[str, Any] | None = (case.get("triage") or {}).get("assignee")
        return found

    assignee = eventually(assigned, timeout=30)
    suite.person(assignee["officer_id"], region=region, name=assignee["name"])
    return AlertedCase(
        created["id"], mail, assignee["officer_id"], assignee["name"], payload["title"]
    )
