"""The second factor: time-based one-time codes (RFC 6238) from an authenticator app.

pyotp makes the secrets, the provisioning URI the QR code carries, and the codes. A code is
accepted for its own 30-second step and one step either side (a phone's clock drifts), and a
step once used is never accepted again for that person: a code read over a shoulder or from
a phishing page cannot be replayed within its minute.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Final

import pyotp

ISSUER: Final = "Pantau"
DIGITS: Final = 6
STEP_SECONDS: Final = 30
DRIFT_STEPS: Final = 1


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def matching_step(secret: str, code: str, now: datetime, last_used_step: int | None) -> int | None:
    """The time step ``code`` belongs to, or None when it is wrong, stale or already used.

    ``code`` may carry spaces (apps show "123 456"); anything else that is not six digits
    is simply wrong.
    """
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), typed):
            return step
    return None


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at ``moment`` (the local mode and tests type it)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(moment)
