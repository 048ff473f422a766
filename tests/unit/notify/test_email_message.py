"""The alert's e-mail as a mail client reads it: both parts, every header, any script."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from services.notify.channels.base import Outgoing
from services.notify.channels.email import EmailChannel, boundary_of, wire_bytes
from services.notify.recipients import Profile
from services.notify.rendering import Rendered
from shared.settings import Settings

TEXT = (
    "Yth. Ibu Ñoñá,\n\nKasus baru — “ASN ikut kampanye” di Desa Sijuk.\n"
    "From the village\n.\nBuka: https://pantau.example/masuk?token=" + "0123456789abcdef" * 6 + "\n"
)
HTML = "<p>" + TEXT.replace("\n", "<br>\n") + "</p>"


def read_back(
    subject: str, mail_from: str = "Pantau <pantau@example.id>", text: str = TEXT
) -> EmailMessage:
    channel = EmailChannel(Settings(mail_from=mail_from))
    outgoing = Outgoing(
        "c1.case-assigned.o1",
        Profile("o1", "Ñoñá", email="Petugas@Example.id"),
        Rendered(subject, text, HTML, "sms"),
        "corr-1",
    )
    raw = wire_bytes(channel.build(outgoing))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def content(mail: EmailMessage, kind: str) -> str:
    part = mail.get_body((kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_both_parts_and_every_header_read_back_as_written() -> None:
    mail = read_back("[Pantau] Kasus baru — Desa Sijuk", "Pantau Kab. Bélitung <pantau@example.id>")
    assert mail["Subject"] == "[Pantau] Kasus baru — Desa Sijuk"
    assert mail["From"].addresses[0].display_name == "Pantau Kab. Bélitung"
    assert mail["From"].addresses[0].addr_spec == "pantau@example.id"
    assert mail["To"] == "Petugas@example.id"  # the domain folded, the mailbox as given
    assert mail["Message-ID"] == "<c1.case-assigned.o1@pantau>"
    assert mail["X-Pantau-Notification"] == "c1.case-assigned.o1"
    assert mail["X-Correlation-ID"] == "corr-1"
    assert mail["Date"].datetime is not None
    assert mail.get_content_type() == "multipart/alternative"
    assert content(mail, "plain") == TEXT
    assert content(mail, "html") == HTML


def test_an_ascii_subject_stays_readable_and_a_line_break_cannot_add_a_header() -> None:
    mail = read_back("[Pantau] Kasus baru\r\nBcc: someone@example.org")
    assert mail["Subject"] == "[Pantau] Kasus baru Bcc: someone@example.org"
    assert mail["Bcc"] is None


def test_a_text_holding_the_parts_boundary_still_reads_back_whole() -> None:
    """The boundary is not drawn at random and checked against the text: the encoding of the
    parts must keep it out of them."""
    boundary = boundary_of("c1.case-assigned.o1")
    text = f"Baris pertama\n--{boundary}\n--{boundary}--\nBaris terakhir\n"
    mail = read_back("[Pantau] Kasus baru", text=text)
    assert mail.get_boundary() == boundary
    assert content(mail, "plain") == text
    assert content(mail, "html") == HTML
