"""The health page in words: each verdict, what is wrong, and what to do about it.

``health`` judges with codes; this module says them the way an operator woken at night reads
them: the part, the verdict, what failed, and the next step (the same steps the runbook in
docs/operations.md gives for its alerts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from flask_babel import lazy_gettext as _l

from services.console.operate.health import Health, Issue, Row
from services.console.operate.words import _, ngettext

VERDICT_LABELS: Final = {
    "ok": _l("Baik"),
    "failing": _l("Bermasalah"),
    "unreachable": _l("Tidak terjangkau"),
}
SERVICE_LABELS: Final = {
    "console": _l("Konsol"),
    "intake": _l("Intake (penerimaan kasus)"),
    "triage": _l("Triase"),
    "notify": _l("Notifikasi"),
}
PART_LABELS: Final = {
    "database": _l("Basis data konsol"),
    "api": _l("API"),
    "worker": _l("Pekerja antrean"),
    "outbox": _l("Kejadian belum terkirim (outbox)"),
    "parked": _l("Pesan tertahan"),
}
CHECK_LABELS: Final = {
    "mongodb": _l("MongoDB (basis data)"),
    "rabbitmq": _l("RabbitMQ (antrean pesan)"),
}


@dataclass(frozen=True)
class RowView:
    code: str
    part: str
    verdict: str
    verdict_label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class CardView:
    service: str
    label: str
    verdict: str
    verdict_label: str
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class ProblemView:
    where: str
    what: str
    todo: str
    parked_link: bool


def cards(health: Health) -> list[CardView]:
    """One card per service (the console first), each row with its verdict and lines."""
    return [
        CardView(
            service=s.service,
            label=str(SERVICE_LABELS[s.service]),
            verdict=s.verdict,
            verdict_label=str(VERDICT_LABELS[s.verdict]),
            rows=tuple(_row(row) for row in s.rows),
        )
        for s in health.services
    ]


def problems(health: Health) -> list[ProblemView]:
    """Everything wrong, once each, with what to do; a service that cannot be reached is said
    once, not again for every part asked through it."""
    seen: set[tuple[str, str, object]] = set()
    found = []
    for service, row, issue in health.issues:
        key = (issue.service, issue.code, issue.value)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            ProblemView(
                where=f"{SERVICE_LABELS[service.service]} · {PART_LABELS[row.part]}",
                what=issue_text(issue),
                todo=advice(issue),
                parked_link=issue.code == "parked",
            )
        )
    return found


def issue_text(issue: Issue) -> str:
    """What is wrong, in one sentence."""
    code, value = issue.code, issue.value
    if code == "unreachable":
        if value == "timeout":
            return _("Tidak menjawab dalam batas waktu.")
        return _("Tidak dapat dihubungi.")
    if code == "check_failing":
        return _("Pemeriksaan gagal: %(check)s.", check=_check(value))
    if code == "answered":
        return _("Menjawab dengan kode %(status)s.", status=value)
    if code == "queues_unknown":
        return _("Antrean tidak dapat dibaca: tidak ada layanan yang dapat menghubungi RabbitMQ.")
    if code == "queue_missing":
        return _("Antreannya belum ada di RabbitMQ.")
    if code == "no_consumers":
        return ngettext(
            "Tidak ada pekerja yang mengambil antrean; %(num)d pesan menunggu.",
            "Tidak ada pekerja yang mengambil antrean; %(num)d pesan menunggu.",
            int(value or 0),
        )
    if code == "not_offered":
        return _("Layanan ini belum dapat melaporkannya.")
    if code == "outbox_unknown":
        return _("Basis data layanan tidak menjawab dalam batas waktu.")
    if code == "outbox_stale":
        return ngettext(
            "Kejadian tertunda sejak %(num)d menit.",
            "Kejadian tertunda sejak %(num)d menit.",
            int(value or 0),
        )
    if code == "parked":
        return ngettext(
            "%(num)d pesan menunggu tindakan operator.",
            "%(num)d pesan menunggu tindakan operator.",
            int(value or 0),
        )
    return code


def advice(issue: Issue) -> str:
    """The next step for an operator."""
    service = str(SERVICE_LABELS.get(issue.service, issue.service))
    code, value = issue.code, issue.value
    if code == "unreachable":
        return _(
            "Periksa apakah proses %(service)s berjalan (pantau status) dan baca lognya; "
            "jalankan lagi bila berhenti.",
            service=service,
        )
    if code == "check_failing" and value == "mongodb":
        return _(
            "%(service)s tidak dapat menjangkau MongoDB. Periksa basis data; yang sudah "
            "tersimpan tidak hilang.",
            service=service,
        )
    if code == "check_failing" and value == "rabbitmq":
        return _(
            "%(service)s tidak dapat menjangkau RabbitMQ. Periksa RabbitMQ (rabbitmqctl "
            "status); kasus tetap diterima dan kejadiannya menunggu di outbox.",
            service=service,
        )
    if code == "queues_unknown":
        return _("Periksa RabbitMQ (rabbitmqctl status) dan alamatnya di PANTAU_AMQP_URL.")
    if code == "queue_missing":
        return _("Jalankan pekerja %(service)s: antreannya dibuat saat ia mulai.", service=service)
    if code == "no_consumers":
        return _(
            "Jalankan lagi pekerja %(service)s. Pesan menunggu di antrean dan tidak hilang.",
            service=service,
        )
    if code == "not_offered":
        return _("Perbarui %(service)s ke versi yang sama dengan konsol.", service=service)
    if code == "outbox_unknown":
        return _("Periksa MongoDB.")
    if code == "outbox_stale":
        return _(
            "Periksa pekerja %(service)s dan RabbitMQ. Kejadian tersimpan di basis data dan "
            "terkirim begitu keduanya pulih.",
            service=service,
        )
    if code == "parked":
        return _("Baca alasannya, perbaiki penyebabnya, lalu kirim ulang.")
    return _("Baca log %(service)s untuk tahu sebabnya.", service=service)


def _row(row: Row) -> RowView:
    lines = [issue_text(issue) for issue in row.issues] + _facts(row)
    return RowView(
        code=row.part,
        part=str(PART_LABELS[row.part]),
        verdict=row.verdict,
        verdict_label=str(VERDICT_LABELS[row.verdict]),
        lines=tuple(lines),
    )


def _facts(row: Row) -> list[str]:
    facts = row.facts
    if row.part == "worker" and facts:
        lines = [
            ngettext("%(num)d pekerja terhubung.", "%(num)d pekerja terhubung.", facts["consumers"])
        ]
        if facts["consumers"]:
            lines.append(
                ngettext("%(num)d pesan menunggu.", "%(num)d pesan menunggu.", facts["waiting"])
            )
        if facts["retrying"]:
            lines.append(
                ngettext(
                    "%(num)d pesan akan dicoba lagi.",
                    "%(num)d pesan akan dicoba lagi.",
                    facts["retrying"],
                )
            )
        return lines
    if row.part == "outbox" and facts:
        if not facts["backlog"]:
            return [_("Semua kejadian sudah terkirim.")]
        age = facts.get("oldest_age_seconds") or 0
        return [
            ngettext(
                "%(num)d dokumen menunggu dikirim; yang tertua %(seconds)d detik.",
                "%(num)d dokumen menunggu dikirim; yang tertua %(seconds)d detik.",
                facts["backlog"],
                seconds=int(age),
            )
        ]
    if row.part == "parked" and row.verdict == "ok":
        return [_("Tidak ada.")]
    if row.part == "api" and row.verdict == "ok":
        return [_("Siap menerima permintaan.")]
    if row.part == "database" and row.verdict == "ok":
        return [_("Menjawab.")]
    return []


def _check(name: object) -> str:
    return str(CHECK_LABELS.get(str(name), str(name)))
