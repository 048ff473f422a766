"""What the mail brings people to the console: an invitation mailed by notify opens the
password page, and an alert's link opens the case's page (the services and workers as real
processes)."""

from __future__ import annotations

import re
import uuid

import requests

from services.intake.directory import officers
from tests.support.builders import case_payload, plain_text
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "lampu jalan berkedip tengah malam"


def mail_to(suite: Suite, address: str, containing: str) -> str:
    """The plain text of the first mail to ``address`` that holds ``containing``."""

    def found() -> str | None:
        for mail in suite.mail.messages:
            if mail["To"] == address and containing in plain_text(mail):
                return plain_text(mail)
        return None

    body: str = eventually(found, timeout=60)
    return body


def test_an_invitation_mailed_by_a_supervisor_opens_the_password_page(
    console_suite: Suite,
) -> None:
    console_suite.person("mailed-officer-1")
    boss = console_suite.key(role="supervisor")
    sent = requests.post(
        f"{console_suite.urls['intake']}/v1/officers/mailed-officer-1/invitations",
        headers={"Authorization": f"Bearer {boss}"},
        timeout=10,
    )
    assert sent.status_code == 202, sent.text
    body = mail_to(console_suite, "mailed-officer-1@pantau.example", "/masuk/tautan/")
    [link] = re.findall(r"https?://\S+/masuk/tautan/\S+", body)
    assert link.startswith(console_suite.urls["console"])
    person = PageClient(console_suite.urls["console"])
    done = person.accept_invitation(link, PASSWORD)
    assert done.status_code == 200, text(done)
    assert done.url.endswith("/kasus"), done.url
    # Once, however often the event was delivered.
    mails = [m for m in console_suite.mail.messages if m["To"] == "mailed-officer-1@pantau.example"]
    assert len(mails) == 1


def test_an_alerts_link_opens_the_cases_page_in_the_console(console_suite: Suite) -> None:
    title = f"Camat berfoto dengan paslon memakai seragam dinas {uuid.uuid4().hex[:6]}"
    created = console_suite.submit(console_suite.key(), case_payload(title=title))
    body = eventually(
        lambda: next(
            (
                (m["To"], plain_text(m))
                for m in console_suite.mail.messages
                if created["tracking_code"] in plain_text(m)
            ),
            None,
        ),
        timeout=60,
    )
    address, alert = body
    page_url = f"{console_suite.urls['console']}/kasus/{created['id']}"
    assert page_url in alert
    assert "/v1/cases/" not in alert
    # The officer it went to (from the directory the roster seeded) signs in and opens it.
    officer = officers.find_by_email(address)
    assert officer is not None, address
    person = PageClient(console_suite.urls["console"])
    link = console_suite.invitation(officer["_id"])
    person.get(link)
    signed_in = person.post(link, {"password": PASSWORD, "password_again": PASSWORD}, follow=False)
    assert signed_in.status_code == 302, text(signed_in)
    opened = person.get(page_url)
    assert opened.status_code == 200, text(opened)
    assert title in text(opened)
    short = person.get(f"/k/{created['id']}")
    assert short.url == page_url
