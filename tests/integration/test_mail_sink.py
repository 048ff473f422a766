"""The SMTP sink of the local mode, tests and benchmarks: what it keeps, and when it parses."""

from __future__ import annotations

import mailbox
import smtplib
from email.message import EmailMessage
from pathlib import Path

from services.cli.infra import free_port
from services.cli.mailbox import MailSink


def _mail(subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "pantau@example.org"
    message["To"] = "petugas@example.org"
    message["Subject"] = subject
    message.set_content(body)
    return message


def test_each_mail_is_handed_over_as_received_and_parsed_once_when_read(tmp_path: Path) -> None:
    handed: list[bytes] = []
    sink = MailSink("127.0.0.1", free_port(), tmp_path / "mail", on_mail=handed.append)
    sink.start()
    try:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
            smtp.send_message(_mail("Kasus baru", "Kode pelacakan: ABCD-EFGH-JKMN-PQRS"))
            # The server answered DATA: the hook ran before the answer, not later.
            assert len(handed) == 1
            smtp.send_message(_mail("Tenggat terlewati", "Kasus lewat tenggat"))
        # Receiving parsed nothing: that is left to whoever reads.
        assert sink.keeper.parsed == []
        first = sink.wait_for(2, timeout=10)
        again = sink.messages
    finally:
        sink.stop()

    assert [m["Subject"] for m in first] == ["Kasus baru", "Tenggat terlewati"]
    body = first[0].get_body(("plain",))
    assert body is not None
    assert "ABCD-EFGH-JKMN-PQRS" in body.get_content()
    assert b"Subject: Kasus baru" in handed[0]
    assert b"Subject: Tenggat terlewati" in handed[1]
    # Read twice, parsed once: the same message objects come back.
    assert all(a is b for a, b in zip(first, again, strict=True))
    # The Maildir a person opens holds both, as sent.
    kept = sorted(str(m["Subject"]) for m in mailbox.Maildir(tmp_path / "mail"))
    assert kept == ["Kasus baru", "Tenggat terlewati"]


def test_a_mail_received_after_a_read_is_parsed_on_the_next_read(tmp_path: Path) -> None:
    sink = MailSink("127.0.0.1", free_port())
    sink.start()
    try:
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
            smtp.send_message(_mail("Satu", "pertama"))
            assert [m["Subject"] for m in sink.wait_for(1, timeout=10)] == ["Satu"]
            smtp.send_message(_mail("Dua", "kedua"))
        assert [m["Subject"] for m in sink.wait_for(2, timeout=10)] == ["Satu", "Dua"]
    finally:
        sink.stop()
