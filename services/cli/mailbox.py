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
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Keeper:
    def __init__(self, maildir: Path | None) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Condition()
        self.maildir = mailbox.Maildir(maildir, create=True) if maildir else None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            if self.maildir is not None:
                self.maildir.add(raw)
            self.messages.append(message)
            self.lock.notify_all()
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on ``host:port`` keeping every message in memory (and a Maildir)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1025, maildir: Path | None = None):
        self.keeper = _Keeper(maildir)
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
            return list(self.keeper.messages)

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived; return what is there at the end."""
        with self.keeper.lock:
            self.keeper.lock.wait_for(lambda: len(self.keeper.messages) >= count, timeout)
            return list(self.keeper.messages)


def serve_forever(host: str, port: int, maildir: Path, stop: threading.Event | Any) -> None:
    """Run a sink until ``stop`` is set (the local mode's mail process)."""
    sink = MailSink(host, port, maildir)
    sink.start()
    try:
        stop.wait()
    finally:
        sink.stop()
