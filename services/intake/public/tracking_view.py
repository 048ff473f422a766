"""What a reporter may see of their case on the tracking page: the statuses it went through
and the messages written for them, never a person's name or an internal note.

Pure functions over the stored case, so the rule of what is shown is tested on plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

MAX_STEPS: Final = 30
MAX_MESSAGES: Final = 20  # the newest; a reporter's phone on a weak signal needs no more
# Comment kinds as the reporter reads them.
_KINDS: Final = {"question": "pertanyaan", "answer": "jawaban"}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def steps(timeline: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The statuses the case went through, oldest first: a moment and a status code each.

    Only status moves are shown (who moved it, why, and internal steps such as triage or
    alerts are not); an acknowledgement keeps the status and shows nothing new.
    """
    found: list[dict[str, str]] = []
    for entry in timeline:
        if entry.get("kind") == "submitted":
            status = "received"
        else:
            to_status = entry.get("to_status")
            if not to_status:
                continue
            status = str(to_status)
        if found and found[-1]["status"] == status:
            continue
        found.append({"waktu": _iso(entry.get("at")), "status": status})
    return found[-MAX_STEPS:]


def messages(comments: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """What officers wrote for the reporter and what the reporter answered, newest last."""
    shown = [
        {
            "waktu": _iso(c.get("at")),
            "isi": str(c.get("text") or ""),
            "dari": "pelapor" if c.get("kind") == "answer" else "petugas",
            "jenis": _KINDS.get(str(c.get("kind")), "pesan"),
        }
        for c in comments
        if c.get("visibility") == "reporter"
    ]
    return shown[-MAX_MESSAGES:]
