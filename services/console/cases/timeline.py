"""A case's timeline worded for the person reading it, newest first.

Intake keeps each entry with its ``kind`` and the codes and names it needs (the status moved
to, the category, the officer, the case it links to) beside a summary written in Indonesian
when it happened. The page words each entry from its codes in the page's language, names a
linked case by its title and tracking code instead of its id, and says who acted and why.
An entry without the fields its wording needs (written before they were kept) or of a kind
this module does not know shows its stored summary, as before.

No I/O: the stored entries in, the lines to draw out, worded from the page's catalogue; the
linked cases' names are the page's to ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from flask_babel import gettext, ngettext

from services.console.web.i18n import when
from services.console.web.labels import (
    CHANNEL_LABELS,
    category,
    language,
    priority,
    region_label,
    status_label,
)
from shared.ladder_steps import describe

Entry = Mapping[str, Any]

# The kinds whose reason a person wrote (others carry one the system set, such as the
# reporter's answer taking a case back to work, which says nothing new).
_WRITTEN_REASONS: Final = frozenset(
    {
        "triaged",  # an officer's override of triage's proposal
        "status_changed",
        "reopen",
        "acknowledged",
        "information_requested",
        "reassigned",
        "transferred",
    }
)


@dataclass(frozen=True)
class Line:
    """One moment of the case: when, what happened, and what goes with it."""

    at: str
    text: str
    related_case: str | None = None  # drawn after the text as a link to that case
    reason: str | None = None  # why, as the person who acted wrote it
    actor: str | None = None


def _(message: str, /, **values: Any) -> str:
    """The message in the page's language (Flask-Babel's own is typed loosely)."""
    return str(gettext(message, **values))


def related_cases(timeline: Iterable[Entry]) -> list[str]:
    """The cases the timeline names, for the page to ask their names once."""
    return [str(e["related_case"]) for e in timeline if e.get("related_case")]


def lines(timeline: Sequence[Entry]) -> list[Line]:
    """The entries as the page draws them, newest first."""
    drawn = []
    proposal: tuple[Any, Any] | None = None
    holder: Any = None
    for entry in timeline:
        kind = str(entry.get("kind") or "")
        if kind == "triaged":
            # Triage announces its decision again when a status change moves the deadline:
            # the same category and priority is no new classification, only a new date.
            decided = (entry.get("category"), entry.get("priority"))
            if decided == proposal and entry.get("due_at") and not entry.get("override"):
                kind = "deadline_moved"
            proposal = decided
        elif kind == "assigned":
            # An assignment left unacknowledged is sent again to the same officer: no new one.
            # Entries say so themselves (``resend``); those written before they did are told
            # by their officer.
            if entry.get("resend") or (
                entry.get("assignee_id") and entry.get("assignee_id") == holder
            ):
                kind = "assignment_resent"
            holder = entry.get("assignee_id")
        elif kind in ("reassigned", "transferred"):
            holder = entry.get("officer_id")  # a transfer leaves the case with nobody
        drawn.append(_line(entry, kind))
    return drawn[::-1]


def _line(entry: Entry, kind: str) -> Line:
    word = _WORDS.get(kind)
    text = None
    if word is not None:
        try:
            text = word(entry)
        except KeyError:
            text = None  # an entry from before its fields were kept
    related = entry.get("related_case")
    return Line(
        at=str(entry.get("at") or ""),
        text=text or str(entry.get("summary") or entry.get("kind") or ""),
        related_case=str(related) if related and text else None,
        reason=_text_or_none(entry.get("reason")) if text and kind in _WRITTEN_REASONS else None,
        actor=_text_or_none(entry.get("actor")),
    )


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value.strip() else None


def _submitted(e: Entry) -> str:
    if e["late_filing"]:
        return _("Kasus diterima (dilaporkan lewat dari 7 hari sejak diketahui)")
    return _("Kasus diterima")


def _triaged(e: Entry) -> str:
    words = {"category": category(e["category"]), "priority": priority(e["priority"]).lower()}
    if e.get("override"):
        return _("Klasifikasi diubah menjadi %(category)s, prioritas %(priority)s", **words)
    text = _("Diklasifikasikan sebagai %(category)s, prioritas %(priority)s", **words)
    if e.get("needs_review"):
        return _("%(text)s; perlu ditinjau petugas", text=text)
    return text


def _deadline_moved(e: Entry) -> str:
    return _("Tenggat diperbarui: %(due)s", due=when(e["due_at"]))


def _assigned(e: Entry) -> str:
    if e["assignee_name"]:
        return _("Ditugaskan ke %(name)s (%(unit)s)", name=e["assignee_name"], unit=e["unit"])
    if e["to_province"]:
        return _("Diteruskan ke provinsi: belum ada petugas kabupaten yang dapat menangani")
    return _("Ditujukan ke %(unit)s, belum ada petugas", unit=e["unit"])


def _escalated(e: Entry) -> str | None:
    return describe(str(e["step"]), language())


def _duplicate_detected(e: Entry) -> str:
    if e["match"] == "duplicate":
        return _("Triase menduga kasus ini duplikat dari")
    return _("Triase menemukan kasus terkait:")


def _notified(e: Entry) -> str:
    channel = str(e["channel"])
    return _("Pemberitahuan terkirim lewat %(channel)s", channel=_channel(channel))


def _notification_failed(e: Entry) -> str:
    channel = _channel(str(e["channel"]))
    if e.get("final"):
        return _("Pemberitahuan lewat %(channel)s gagal dan tidak dicoba lagi", channel=channel)
    return _("Pemberitahuan lewat %(channel)s gagal; dicoba lagi", channel=channel)


def _channel(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


def _status_changed(e: Entry) -> str:
    return _("Status: %(status)s", status=status_label(e["to_status"]))


def _reopened(e: Entry) -> str:
    return _("Kasus dibuka kembali: %(status)s", status=status_label(e["to_status"]))


def _acknowledged(_e: Entry) -> str:
    return _("Kasus diterima petugas; pengingat berhenti")


def _comment_added(e: Entry) -> str:
    if e["visibility"] == "reporter":
        return _("Catatan untuk pelapor ditambahkan")
    return _("Catatan internal ditambahkan")


def _information_requested(_e: Entry) -> str:
    return _("Keterangan tambahan diminta dari pelapor")


def _information_received(_e: Entry) -> str:
    return _("Pelapor menjawab permintaan keterangan")


def _assignment_resent(e: Entry) -> str:
    if e.get("resend"):
        return _(
            "Penugasan dikirim ulang (%(count)s) ke %(name)s: belum dikonfirmasi",
            count=e["resend"],
            name=e["assignee_name"],
        )
    return _("Penugasan dikirim ulang ke %(name)s: belum dikonfirmasi", name=e["assignee_name"])


def _reassigned(e: Entry) -> str:
    return _("Ditugaskan ulang ke %(name)s (%(unit)s)", name=e["officer_name"], unit=e["unit"])


def _transferred(e: Entry) -> str:
    return _(
        "Dialihkan dari %(from)s ke %(to)s",
        **{"from": region_label(e["from_tenant"]), "to": region_label(e["to_tenant"])},
    )


def _duplicate_linked(e: Entry) -> str:
    return _("Ditautkan sebagai duplikat dengan") if e["related_case"] else ""


def _duplicate_unlinked(e: Entry) -> str:
    return _("Tautan duplikat dilepas dari") if e["related_case"] else ""


def _evidence_added(e: Entry) -> str:
    count = len(e["evidence_ids"])
    return str(
        ngettext("%(num)d berkas bukti ditambahkan", "%(num)d berkas bukti ditambahkan", count)
    )


_WORDS: Final[dict[str, Callable[[Entry], str | None]]] = {
    "submitted": _submitted,
    "triaged": _triaged,
    "deadline_moved": _deadline_moved,
    "assigned": _assigned,
    "assignment_resent": _assignment_resent,
    "escalated": _escalated,
    "duplicate_detected": _duplicate_detected,
    "notified": _notified,
    "notification_failed": _notification_failed,
    "status_changed": _status_changed,
    "reopen": _reopened,
    "acknowledged": _acknowledged,
    "comment_added": _comment_added,
    "information_requested": _information_requested,
    "information_received": _information_received,
    "reassigned": _reassigned,
    "transferred": _transferred,
    "duplicate_linked": _duplicate_linked,
    "duplicate_unlinked": _duplicate_unlinked,
    "evidence_added": _evidence_added,
}
