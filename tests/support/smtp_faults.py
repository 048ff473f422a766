"""A real SMTP server (aiosmtpd) that misbehaves on demand, for the e-mail channel's tests.

Modes: ``ok`` (accepts), ``tempfail`` (451 to DATA: try later), ``busy`` (421 to RCPT),
``permfail`` (554 to DATA: refused), ``reject_rcpt`` (550 to RCPT: no such mailbox) and
``slow`` (waits ``slow_s`` before answering DATA, longer than the client's timeout, and then
keeps nothing: the client gave up, so the transaction did not complete). ``script`` queues
modes for the next transactions. ``greetings`` counts the sessions clients opened (EHLO).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Handler:
    def __init__(self, owner: FaultySmtp) -> None:
        self.owner = owner

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        with self.owner.lock:
            self.owner.greetings += 1
        return responses

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        mode = self.owner._take_mode()
        envelope.pantau_mode = mode  # type: ignore[attr-defined]
        if mode == "reject_rcpt":
            return "550 5.1.1 No such mailbox here"
        if mode == "busy":
            return "421 4.3.2 Too busy, come back later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mode = getattr(envelope, "pantau_mode", "ok")
        self.owner._count(mode)
        if mode == "tempfail":
            return "451 4.3.0 Mail server temporarily unavailable"
        if mode == "permfail":
            return "554 5.7.1 Message refused by policy"
        if mode == "slow":
            await asyncio.sleep(self.owner.slow_s)
            return "451 4.4.2 Timed out"
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.owner._keep(message)
        return "250 2.0.0 Ok: queued as PANTAU-TEST"


class FaultySmtp:
    """An SMTP server on 127.0.0.1:``port`` whose answers the test chooses."""

    def __init__(self, port: int, mode: str = "ok", slow_s: float = 3.0) -> None:
        self.mode = mode
        self.slow_s = slow_s
        self.script: list[str] = []
        self.transactions: list[str] = []
        self.greetings = 0  # EHLOs received: one per SMTP session a client opened
        self._messages: list[EmailMessage] = []
        self.lock = threading.Condition()
        self.port = port
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port)

    def start(self) -> FaultySmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def _take_mode(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else self.mode

    def _count(self, mode: str) -> None:
        with self.lock:
            self.transactions.append(mode)

    def _keep(self, message: EmailMessage) -> None:
        with self.lock:
            self._messages.append(message)
            self.lock.notify_all()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float) -> list[EmailMessage]:
        with self.lock:
            self.lock.wait_for(lambda: len(self._messages) >= count, timeout)
            return list(self._messages)

    def __enter__(self) -> FaultySmtp:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
