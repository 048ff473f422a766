"""Structured JSON logs: one line per event, with service, correlation id and tenant.

Personal data never reaches a log line: phone numbers and e-mail addresses are masked wherever
they appear (message, extra fields, tracebacks), and fields named after a person's contact or
identity are replaced whole. A reporter's identity is protected by law (UU 27/2022) and logs
are read by more people, and kept longer, than the vault that holds it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from shared import correlation
from shared.formats import FormatError, mask_email, mask_phone, normalise_phone

MASK = "[masked]"

# An address as people write it; the domain needs a dot, so "pantau@localhost" (a service
# address, not a person's) and "user@host" fragments of URLs stay readable.
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# An Indonesian mobile number as people write it: 08…, 628… or +62 8…, with optional spaces,
# dots or dashes between groups. Never inside a longer word or number (hex ids, timestamps).
_PHONE = re.compile(r"(?<![\w+.])(?:\+62[ .-]?|62[ -]?|0)8\d{2}(?:[ .-]?\d{2,5}){1,3}(?![\w])")
_PHONE_DIGITS = range(9, 16)

# Fields whose value is a person's contact or identity, whatever it looks like.
_PERSONAL_FIELDS = frozenset(
    {"phone", "email", "msisdn", "reporter", "identity", "password", "authorization", "token"}
)
_PERSONAL_SUFFIXES = ("_phone", "_email", "_msisdn", "_password", "_token")
_STANDARD_FIELDS = frozenset(RESERVED_ATTRS) | {"taskName", "service", "correlation_id", "tenant"}


def _mask_phone_match(match: re.Match[str]) -> str:
    text = match.group()
    if len(re.sub(r"\D", "", text)) not in _PHONE_DIGITS:
        return text  # too short or too long for a phone number: a date, a count, an id
    try:
        return mask_phone(normalise_phone(text))
    except FormatError:
        return "****"  # looks like a number someone typed; hide it rather than guess


def mask_text(text: str) -> str:
    """``text`` with every e-mail address and Indonesian mobile number masked."""
    if "@" in text:
        text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    return _PHONE.sub(_mask_phone_match, text)


def _is_personal(key: str) -> bool:
    lowered = key.lower()
    return lowered in _PERSONAL_FIELDS or lowered.endswith(_PERSONAL_SUFFIXES)


def mask_value(value: Any, key: str = "") -> Any:
    """A log field's value with personal data masked (nested dicts and lists included)."""
    if key and _is_personal(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.msg, dict):
                record.msg = mask_value(record.msg)
            else:
                record.msg = mask_text(record.getMessage())
                record.args = None
            for key, value in list(record.__dict__.items()):
                if key not in _STANDARD_FIELDS:
                    setattr(record, key, mask_value(value, key))
            if record.exc_info:
                # Exception messages quote what failed (an SMTP server echoes the recipient):
                # format the traceback once, masked, and let formatters print that text.
                record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
            elif record.exc_text:
                record.exc_text = mask_text(record.exc_text)
            if record.stack_info:
                record.stack_info = mask_text(record.stack_info)
        except Exception:  # logging must never fail; drop the message text rather than leak
            record.msg, record.args = "log message withheld: it could not be masked", None
        return True


class _ContextFilter(logging.Filter):
    """Stamps every record with the service and the ids of the work in hand."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if not hasattr(record, "correlation_id"):
            record.correlation_id = correlation.current()
        if not hasattr(record, "tenant"):
            record.tenant = correlation.current_tenant()
        return True


def configure(service: str, level: str = "INFO") -> None:
    """Route the root logger to stdout as JSON lines; safe to call more than once."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{service}{correlation_id}{tenant}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC, so lines from every process sort and compare directly.
            timestamp=True,
        )
    )
    handler.addFilter(_ContextFilter(service))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_pantau", False):
            root.removeHandler(existing)
    handler._pantau = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # pika logs every reconnect attempt at WARNING with a traceback; our own lines say enough.
    logging.getLogger("pika").setLevel(logging.ERROR)
