"""The escalation ladder's step keys: how they are written, read back and put into words.

Triage records every fired step under a unique index on its key, so the format below is
fixed: a key written by an older release must still be found, or its step would fire again.

- clock steps: ``{stage}@{local deadline date}:reminder:{offset}`` (``24h``, ``90m``),
  ``{stage}@{date}:breach:supervisor`` and ``{stage}@{date}:breach:province``;
- assignment steps: ``assignment:{sequence}:resend:{count}`` and
  ``assignment:{sequence}:reassign``.

An escalation event carries the key but its ``reason`` is one fixed sentence in Bahasa
Indonesia, and events may not grow a field without breaking a rolling upgrade. Whoever shows a
step to an officer (an alert, a case's timeline) therefore words it from the key, in the
reader's language, and falls back to the event's own words for a key it does not know.

A resend goes out as a new ``case.assigned`` event; the one sign that it is a resend is its
reason, also written and read back here (:func:`resend_reason`, :func:`resend_count`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final, Literal

StepKind = Literal["reminder", "escalate_supervisor", "escalate_province", "resend", "reassign"]

# Short enough to sit inside a sentence ("the {label} deadline"), so lower case but for names.
STAGE_LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "pilkada_report": {
            "id": "pelaporan pelanggaran Pilkada",
            "en": "Pilkada violation reporting",
        },
        "bawaslu_decision": {"id": "putusan Bawaslu", "en": "Bawaslu decision"},
        "lapor_verification": {"id": "verifikasi laporan", "en": "report verification"},
        "lapor_answer": {"id": "tindak lanjut laporan", "en": "report follow-up"},
        "lapor_closure": {"id": "penutupan laporan", "en": "report closure"},
        "ppk_decision_delivery": {
            "id": "penyampaian keputusan PPK",
            "en": "PPK decision delivery",
        },
    }
)

# The reason of an assignment sent again to the officer who has not confirmed it. A
# ``case.assigned`` event has no field saying it is a resend (a new field would break a
# rolling upgrade), so its reason is this sentence, written and read back only here; like the
# keys, it is fixed, so that a resend queued by an older triage reads as one.
_RESEND_REASON = "Penugasan belum dikonfirmasi: dikirim ulang ({count})"
_RESEND_REASON_READ = re.compile(
    r"Penugasan belum dikonfirmasi: dikirim ulang \((?P<count>[1-9][0-9]*)\)"
)

_SENTENCES: Final[Mapping[str, Mapping[StepKind, str]]] = MappingProxyType(
    {
        "id": {
            "reminder": "Pengingat: tenggat tahap {stage} tinggal {left}",
            "escalate_supervisor": "Tenggat tahap {stage} terlewati; diteruskan ke atasan",
            "escalate_province": (
                "Tenggat tahap {stage} terlewati dan kasus belum ditangani; diteruskan ke provinsi"
            ),
            "resend": _RESEND_REASON,
            "reassign": "Penugasan ke provinsi belum dikonfirmasi; mohon ditindaklanjuti",
        },
        "en": {
            "reminder": "Reminder: the {stage} deadline is {left} away",
            "escalate_supervisor": "The {stage} deadline has passed; passed on to the supervisor",
            "escalate_province": (
                "The {stage} deadline has passed and the case has not been handled; "
                "passed on to the province"
            ),
            "resend": "The assignment has not been confirmed: sent again ({count})",
            "reassign": "The assignment to the province has not been confirmed; please follow up",
        },
    }
)

# The same, short enough to lead an SMS after its headline word (PENGINGAT, ESKALASI): what
# happened and where the case went, without repeating the word.
_HEADLINES: Final[Mapping[str, Mapping[StepKind, str]]] = MappingProxyType(
    {
        "id": {
            "reminder": "tenggat tahap {stage} tinggal {left}",
            "escalate_supervisor": "tenggat tahap {stage} terlewati, diteruskan ke atasan",
            "escalate_province": "tenggat tahap {stage} terlewati, diteruskan ke provinsi",
            "resend": "penugasan belum dikonfirmasi, dikirim ulang ({count})",
            "reassign": "penugasan ke provinsi belum dikonfirmasi",
        },
        "en": {
            "reminder": "{stage} deadline in {left}",
            "escalate_supervisor": "{stage} deadline passed, sent to the supervisor",
            "escalate_province": "{stage} deadline passed, sent to the province",
            "resend": "assignment not confirmed, sent again ({count})",
            "reassign": "assignment to the province not confirmed",
        },
    }
)

# ASCII only: ``\d`` would also take digits of other scripts, which no builder writes.
_CLOCK_KEY = re.compile(
    r"(?P<stage>[^@:\s]+)@(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2}):"
    r"(?:reminder:(?P<amount>[1-9][0-9]*)(?P<unit>[hm])|breach:(?P<breach>supervisor|province))"
)
_ASSIGNMENT_KEY = re.compile(
    r"assignment:(?P<sequence>[1-9][0-9]*):(?:resend:(?P<count>[1-9][0-9]*)|reassign)"
)


@dataclass(frozen=True)
class Step:
    """A step key read back. Clock steps have ``stage`` and ``deadline_day`` (reminders also
    ``offset_minutes``, how long before the deadline); assignment steps have ``sequence``
    (resends also ``count``, which resend of that assignment it is)."""

    kind: StepKind
    stage: str | None = None
    deadline_day: date | None = None
    offset_minutes: int | None = None
    sequence: int | None = None
    count: int | None = None


# --- writing keys ------------------------------------------------------------------------------


def offset_label(offset: timedelta) -> str:
    """How a reminder's offset is written in its key: whole hours as ``24h``, else ``90m``."""
    if offset <= timedelta(0) or offset % timedelta(minutes=1):
        raise ValueError(f"reminder offsets must be whole positive minutes, got {offset}")
    minutes = int(offset.total_seconds()) // 60
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _scope(stage: str, deadline_day: date) -> str:
    # A stage holding a separator would write a key that reads back as another one.
    if not stage or any(c in stage for c in "@:") or any(c.isspace() for c in stage):
        raise ValueError(f"a stage code cannot be empty or hold '@', ':' or spaces: {stage!r}")
    return f"{stage}@{deadline_day.isoformat()}"


def reminder_key(stage: str, deadline_day: date, offset: timedelta) -> str:
    """The reminder ``offset`` before the deadline of ``stage``, which falls on the local
    ``deadline_day``."""
    return f"{_scope(stage, deadline_day)}:reminder:{offset_label(offset)}"


def breach_supervisor_key(stage: str, deadline_day: date) -> str:
    """The escalation to the supervisor once the deadline has passed."""
    return f"{_scope(stage, deadline_day)}:breach:supervisor"


def breach_province_key(stage: str, deadline_day: date) -> str:
    """The escalation to the province once the breach has stayed untouched."""
    return f"{_scope(stage, deadline_day)}:breach:province"


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise ValueError(f"{name} starts at 1, got {value}")
    return value


def resend_key(sequence: int, count: int) -> str:
    """The ``count``-th resend of the case's ``sequence``-th assignment."""
    return f"assignment:{_positive(sequence, 'sequence')}:resend:{_positive(count, 'count')}"


def reassign_key(sequence: int) -> str:
    """The reassignment of the case's ``sequence``-th assignment, left unconfirmed."""
    return f"assignment:{_positive(sequence, 'sequence')}:reassign"


# --- reading keys ------------------------------------------------------------------------------


def parse(step: str) -> Step | None:
    """The step ``step`` names, or ``None`` for a key no builder above writes."""
    if not isinstance(step, str):
        return None
    clock = _CLOCK_KEY.fullmatch(step)
    if clock is not None:
        return _clock_step(clock)
    assignment = _ASSIGNMENT_KEY.fullmatch(step)
    if assignment is None:
        return None
    sequence = int(assignment["sequence"])
    if assignment["count"] is None:
        return Step("reassign", sequence=sequence)
    return Step("resend", sequence=sequence, count=int(assignment["count"]))


def _clock_step(match: re.Match[str]) -> Step | None:
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    stage = match["stage"]
    if match["breach"] == "supervisor":
        return Step("escalate_supervisor", stage, day)
    if match["breach"] == "province":
        return Step("escalate_province", stage, day)
    amount = int(match["amount"])
    if match["unit"] == "h":
        return Step("reminder", stage, day, offset_minutes=amount * 60)
    # Whole hours are always written in hours, so "120m" is no key the ladder wrote.
    return None if amount % 60 == 0 else Step("reminder", stage, day, offset_minutes=amount)


def resend_reason(count: int) -> str:
    """The reason of the ``count``-th resend of an assignment (Bahasa Indonesia, as every
    event's reason)."""
    return _RESEND_REASON.format(count=_positive(count, "count"))


def resend_count(reason: str) -> int | None:
    """Which resend an assignment's ``reason`` says it is; ``None`` for a first assignment
    (or any other reason)."""
    if not isinstance(reason, str):
        return None
    match = _RESEND_REASON_READ.fullmatch(reason)
    return int(match["count"]) if match else None


def is_reminder(step: str) -> bool:
    """Whether ``step`` is a reminder before a deadline (a key this module does not read is
    not)."""
    parsed = parse(step)
    return parsed is not None and parsed.kind == "reminder"


# --- wording -----------------------------------------------------------------------------------


def _language(language: str) -> str:
    return language if language in _SENTENCES else "id"


def stage_label(stage: str, language: str) -> str:
    """``stage`` in words in ``language`` ('id' or 'en'); an unknown stage as its code."""
    labels = STAGE_LABELS.get(stage)
    return stage if labels is None else labels[_language(language)]


def _duration(minutes: int, language: str) -> str:
    hours, rest = divmod(minutes, 60)
    amount, unit = (hours, "hour") if rest == 0 else (minutes, "minute")
    if language == "en":
        return f"{amount} {unit}" if amount == 1 else f"{amount} {unit}s"
    return f"{amount} {'jam' if unit == 'hour' else 'menit'}"


def describe(step: str, language: str) -> str | None:
    """What the step ``step`` means for an officer, in ``language`` ('id' or 'en', else 'id');
    ``None`` for a key :func:`parse` does not read.

    A reassign step is worded as the escalation it is sent as: the case already sits with the
    province, so nobody else can take it. A reassignment to another officer goes out as a new
    assignment with its own reason.
    """
    return _worded(_SENTENCES, step, language)


def headline(step: str, language: str) -> str | None:
    """The step ``step`` in a few words for an SMS, after its headline word ("tenggat tahap
    verifikasi laporan tinggal 24 jam"); ``None`` for a key :func:`parse` does not read."""
    return _worded(_HEADLINES, step, language)


def _worded(table: Mapping[str, Mapping[StepKind, str]], step: str, language: str) -> str | None:
    parsed = parse(step)
    if parsed is None:
        return None
    language = _language(language)
    return table[language][parsed.kind].format(
        stage=stage_label(parsed.stage or "", language),
        left=_duration(parsed.offset_minutes or 0, language),
        count=parsed.count or 0,
    )
