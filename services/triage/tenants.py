"""Which regency an event speaks for: every triage handler checks it before any work."""

from __future__ import annotations

from shared.broker.consumer import PermanentError
from shared.contracts import Envelope
from shared.regions import parse_region_code


def regency_of(envelope: Envelope) -> str:
    """The envelope's tenant as a valid region code, or a PermanentError saying why not."""
    try:
        return parse_region_code(envelope.tenant).code
    except ValueError as exc:
        raise PermanentError(f"unknown region {envelope.tenant!r}: {exc}") from exc
