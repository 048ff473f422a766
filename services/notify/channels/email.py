"""E-mail over SMTP: plain text plus HTML, TLS and authentication as configured.

Sessions are kept between alerts (``smtp_keepalive_s``): a worker sending a burst of alerts
pays for the connection, greeting, TLS and login once instead of per alert. Each session is
used by one thread at a time (taken from a small pool, put back only after a mail it carried
was accepted), carries at most ``MAX_MAILS_PER_SESSION`` mails and is closed once idle for
longer than the keep-alive. A kept session the server closed meanwhile is noticed on the
first command of the next mail, before anything was transmitted, and replaced by a fresh one
for that same mail; every other failure discards the session and is sorted into retry and
refusal exactly as with a fresh session.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr

from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.recipients import Profile
from shared.formats import FormatError, normalise_email
from shared.settings import Settings

# Many providers close a session after about a hundred messages; opening a new one costs little.
MAX_MAILS_PER_SESSION = 100

# The message is built with the standard library's classic MIME classes. The newer
# EmailMessage parses every header it is given through its header registry and tries
# encodings for each part: about 4.5 ms an alert, more than the rest of notify's work on it
# (docs/benchmarks.md); these take about 1 ms for the same standard message: UTF-8 parts in
# quoted-printable, RFC 2047 encoded words in headers where a value is not ASCII.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_WIRE = compat32.clone(linesep="\r\n")


@dataclass
class _Session:
    smtp: smtplib.SMTP
    mails: int = 0
    idle_since: float = 0.0


class _StaleSession(Exception):
    """A kept session turned out to be closed before this mail's first command was answered."""


class EmailChannel:
    """Sends alerts over SMTP, reusing a session between alerts while it stays open and busy
    (``keep_sessions=False`` or ``smtp_keepalive_s=0``: one session per alert)."""

    name = "email"

    def __init__(
        self,
        settings: Settings,
        *,
        keep_sessions: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.keepalive_s = settings.smtp_keepalive_s if keep_sessions else 0.0
        self._clock = clock
        self._idle: list[_Session] = []
        self._lock = threading.Lock()

    def address_of(self, recipient: Profile) -> str | None:
        return recipient.email or None

    def build(self, outgoing: Outgoing) -> Message:
        """The MIME message; its Message-ID is derived from the notification key, so even a
        repeated send after a crash is recognisable as the same alert by mail clients."""
        msg = MIMEMultipart("alternative", boundary=boundary_of(outgoing.key))
        msg["From"] = formataddr(parseaddr(self.settings.mail_from), charset=_UTF8)
        msg["To"] = _address(outgoing.recipient)
        msg["Subject"] = _header(outgoing.message.subject)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{outgoing.key}@pantau>"
        msg["X-Pantau-Notification"] = _header(outgoing.key)
        if outgoing.correlation_id:
            msg["X-Correlation-ID"] = _header(outgoing.correlation_id)
        msg.attach(_part(outgoing.message.text, "plain"))
        msg.attach(_part(outgoing.message.html, "html"))
        return msg

    def send(self, outgoing: Outgoing) -> str:
        msg = self.build(outgoing)
        session: _Session | None = None
        try:
            session = self._take()
            if session is not None:
                try:
                    code, reply = _transmit(session.smtp, msg, self.settings.mail_from, kept=True)
                except _StaleSession:
                    _quit(session.smtp)
                    session = None
            if session is None:
                session = self._open()
                code, reply = _transmit(session.smtp, msg, self.settings.mail_from)
        except BaseException as exc:
            # Whatever went wrong, the session's state is unknown: it is never used again.
            if session is not None:
                _quit(session.smtp)
            failure = _sorted(exc) if isinstance(exc, Exception) else exc
            if failure is exc:
                raise
            raise failure from exc
        self._give_back(session)
        return f"{code} {reply.decode(errors='replace')}".strip()

    def close_idle(self) -> int:
        """Close the sessions idle for longer than the keep-alive; how many were closed."""
        now = self._clock()
        with self._lock:
            expired = [s for s in self._idle if now - s.idle_since >= self.keepalive_s]
            self._idle = [s for s in self._idle if s not in expired]
        for session in expired:
            _quit(session.smtp)
        return len(expired)

    def close(self) -> None:
        """Close every idle session (at shutdown)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            _quit(session.smtp)

    # --- sessions -----------------------------------------------------------------------------

    def _take(self) -> _Session | None:
        """The most recently used idle session still within its keep-alive, or None."""
        self.close_idle()
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, session: _Session) -> None:
        session.mails += 1
        if self.keepalive_s <= 0 or session.mails >= MAX_MAILS_PER_SESSION:
            _quit(session.smtp)
            return
        session.idle_since = self._clock()
        with self._lock:
            self._idle.append(session)

    def _open(self) -> _Session:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        try:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
        except BaseException:
            _quit(smtp)
            raise
        return _Session(smtp)


def _sorted(exc: Exception) -> Exception:
    """A failure of a send as the delivery code sorts it: permanent or passing."""
    if isinstance(exc, PermanentDeliveryError | TransientDeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if any(code >= 500 for code in codes):
            return PermanentDeliveryError(f"recipient refused: {codes}")
        return TransientDeliveryError(f"recipient deferred: {codes}")
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        # Our own credentials or From address are refused: a configuration fault that an
        # operator fixes, after which the parked alerts are replayed; not the recipient's.
        return TransientDeliveryError(f"server refused our session: {exc!r}")
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {exc.smtp_error!r}"
        if exc.smtp_code >= 500:
            return PermanentDeliveryError(f"server refused: {text}")
        return TransientDeliveryError(f"server deferred: {text}")
    if isinstance(exc, TimeoutError | smtplib.SMTPException | OSError):
        return TransientDeliveryError(f"SMTP unavailable: {exc!r}")
    return exc


def _quit(smtp: smtplib.SMTP) -> None:
    """End a session politely if the server still listens, and close its socket anyway."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        if smtp.sock is not None:
            smtp.quit()
    smtp.close()


def boundary_of(key: str) -> str:
    """The parts' boundary, from the notification key. Left to the standard library, each
    message draws a random one and compiles a new pattern to check that no line of the text
    holds it (a tenth of an alert's time in notify). This one cannot appear in the text:
    both parts are quoted-printable, where a literal ``=`` is always written ``=3D``. (Hashed:
    a key may hold characters a boundary may not.)"""
    return "=_pantau_" + hashlib.sha256(key.encode()).hexdigest()[:40]


def wire_bytes(msg: Message) -> bytes:
    """The message as DATA carries it: CRLF line ends (smtplib leaves bytes as given)."""
    return msg.as_bytes(policy=_WIRE)


def _header(value: str) -> str:
    """A header value on one line (a line break would start a header of its own), encoded
    only where it is not ASCII."""
    line = " ".join(value.split())
    return line if line.isascii() else Header(line, _UTF8).encode()


def _part(text: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part.set_payload(text, _UTF8)
    return part


def _transmit(
    smtp: smtplib.SMTP, msg: Message, mail_from: str, *, kept: bool = False
) -> tuple[int, bytes]:
    """MAIL, RCPT and DATA one by one, so the server's own final answer can be recorded.

    On a ``kept`` session, a server that hung up (or says it is closing the session) by the
    answer to MAIL raises _StaleSession: nothing of this mail was transmitted yet.
    """
    sender = parseaddr(mail_from)[1] or mail_from
    recipient = str(msg["To"])
    smtp.ehlo_or_helo_if_needed()
    try:
        code, reply = smtp.mail(sender)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        if kept:
            raise _StaleSession() from exc
        raise
    if kept and code == 421:
        raise _StaleSession()
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        _reset(smtp)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    # smtplib.data checks only the 354 go-ahead; the verdict on the message comes after it.
    code, reply = smtp.data(wire_bytes(msg))
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPDataError(code, reply)
    return code, reply


def _reset(smtp: smtplib.SMTP) -> None:
    # Politeness only: the refusal is what matters, even if the server already hung up.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()


def _address(recipient: Profile) -> str:
    """The checked address; a malformed one is a permanent failure (retrying cannot fix it)."""
    try:
        return normalise_email(recipient.email or "")
    except FormatError as exc:
        raise PermanentDeliveryError(f"invalid e-mail address: {exc.message}") from exc
