"""A real SMTP server (aiosmtpd) that keeps what it receives where a person can read it.

The local mode runs it so officers' alerts can be opened as files (a Maildir: one file per
mail, readable with any mail client or a text editor); the tests run it to check what the
notify service really sent over SMTP.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import threading
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Keeper:
    """What the server received, as it arrived; parsed only when someone reads it.

    Parsing with the standard library's full policy costs about four times what receiving
    the mail costs, and a sink that parses on arrival spends it while the mail server's
    answer is awaited: in a benchmark, on the cores the pipeline runs on.
    """

    def __init__(self, maildir: Path | None, on_mail: Callable[[bytes], None] | None) -> None:
        self.received: list[bytes] = []
        self.parsed: list[EmailMessage] = []
        self.lock = threading.Condition()
        self.maildir = mailbox.Maildir(maildir, create=True) if maildir else None
        self.on_mail = on_mail

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        if self.on_mail is not None:
            self.on_mail(raw)
        with self.lock:
            if self.maildir is not None:
                self.maildir.add(raw)
            self.received.append(raw)
            self.lock.notify_all()
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """Every message received so far, parsed (each once); the caller holds the lock."""
        for raw in self.received[len(self.parsed) :]:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.parsed.append(message)
        return list(self.parsed)


class MailSink:
    """An SMTP server on ``host:port`` keeping every message in memory (and a Maildir)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1025,
        maildir: Path | None = None,
        on_mail: Callable[[bytes], None] | None = None,
    ):
        """``on_mail`` is called with each mail's bytes as it is accepted, in the server's
        thread, before the server answers (a benchmark notes the arrival time there)."""
        self.keeper = _Keeper(maildir, on_mail)
        self.controller = Controller(self.keeper, hostname=host, port=port)
        self.host = host
        self.port = port

    def start(self) -> None:
        """Start serving; after ``stop()`` this starts it again on the same port, keeping the
        messages received so far (a test's SMTP outage ends without losing its record)."""
        if self.controller.loop.is_closed():
            # aiosmtpd closes a controller's event loop when it stops: a stopped controller
            # cannot be started again, so a fresh one serves the same keeper.
            self.controller = Controller(self.keeper, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.keeper.lock:
            return self.keeper.messages()

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived; return what is there at the end."""
        with self.keeper.lock:
            self.keeper.lock.wait_for(lambda: len(self.keeper.received) >= count, timeout)
            return self.keeper.messages()


def serve_forever(host: str, port: int, maildir: Path, stop: threading.Event | Any) -> None:
    """Run a sink until ``stop`` is set (the local mode's mail process)."""
    sink = MailSink(host, port, maildir)
    sink.start()
    try:
        stop.wait()
    finally:
        sink.stop()
