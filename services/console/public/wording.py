"""What a reporter reads about their report: each status in plain words with what happens
next, steps and messages, and dates in the regency's own time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from services.console.web.i18n import parse_moment
from shared.regions import region_name, timezone_for, timezone_label

# Each status: what it means for the reporter, and what happens next.
STATUS_TEXT: Final = {
    "received": (
        _l("Laporan Anda sudah diterima."),
        _l("Petugas memeriksa kelengkapan laporan (syarat formal dan material)."),
    ),
    "verified": (
        _l("Laporan Anda sudah diperiksa dan memenuhi syarat."),
        _l("Laporan diteruskan untuk diperiksa lebih lanjut oleh instansi yang berwenang."),
    ),
    "rejected": (
        _l("Laporan Anda tidak dapat ditindaklanjuti."),
        _l("Alasannya dapat Anda tanyakan kepada Diskominfo kabupaten/kota."),
    ),
    "under_examination": (
        _l("Laporan Anda sedang diperiksa."),
        _l("Petugas mengumpulkan keterangan dan bukti."),
    ),
    "awaiting_info": (
        _l("Petugas memerlukan keterangan tambahan dari Anda."),
        _l("Jawab pertanyaan di bawah. Tenggat penanganan berhenti sampai Anda menjawab."),
    ),
    "recommendation_issued": (
        _l("Pemeriksaan selesai dan rekomendasi sudah terbit."),
        _l("Rekomendasi diteruskan kepada pejabat yang berwenang menjatuhkan sanksi."),
    ),
    "awaiting_ppk": (
        _l("Laporan menunggu keputusan Pejabat Pembina Kepegawaian (PPK)."),
        _l("Pejabat yang berwenang memutuskan tindak lanjutnya."),
    ),
    "sanction_imposed": (
        _l("Tindak lanjut atas laporan Anda sudah diputuskan."),
        _l("Tidak ada lagi yang perlu Anda lakukan."),
    ),
    "closed": (
        _l("Penanganan laporan Anda sudah selesai."),
        _l("Terima kasih atas laporan Anda."),
    ),
    "duplicate": (
        _l("Laporan Anda digabung dengan laporan lain tentang kejadian yang sama."),
        _l("Penanganannya dilanjutkan bersama laporan tersebut."),
    ),
    "withdrawn": (_l("Laporan sudah dicabut."), _l("Tidak ada tindak lanjut lagi.")),
}
_UNKNOWN: Final = (_l("Laporan Anda sedang diproses."), _l("Petugas menindaklanjuti laporan Anda."))
# The steps as the reporter reads them.
STEP_TEXT: Final = {
    "received": _l("Diterima"),
    "verified": _l("Memenuhi syarat"),
    "rejected": _l("Tidak dapat ditindaklanjuti"),
    "under_examination": _l("Diperiksa"),
    "awaiting_info": _l("Menunggu jawaban Anda"),
    "recommendation_issued": _l("Rekomendasi terbit"),
    "awaiting_ppk": _l("Menunggu keputusan PPK"),
    "sanction_imposed": _l("Tindak lanjut diputuskan"),
    "closed": _l("Selesai"),
    "duplicate": _l("Digabung dengan laporan lain"),
    "withdrawn": _l("Dicabut"),
}


def status_text(status: str) -> tuple[str, str]:
    headline, next_step = STATUS_TEXT.get(status, _UNKNOWN)
    return str(headline), str(next_step)


def step_text(status: str) -> str:
    return str(STEP_TEXT.get(status, status))


def regency(code: str | None) -> str:
    """The regency's name (or its code when the registry has none)."""
    if not code:
        return ""
    return region_name(code) or code


def _local(value: object, region: str | None) -> datetime | None:
    moment = parse_moment(value)
    if moment is None:
        return None
    zone = timezone_for(region) if region else timezone_for("31")
    return moment.astimezone(zone)


def local_time(value: object, region: str | None) -> str:
    """A moment as the regency's clocks show it: "2 Des 2026 14.05 WITA"."""
    local = _local(value, region)
    if local is None:
        return ""
    label = timezone_label(region) if region else "WIB"
    return f"{format_datetime(local, 'd MMM yyyy HH.mm', rebase=False)} {label}"


def local_day(value: object, region: str | None) -> str:
    """A day as the regency's calendar has it: "Rabu, 2 Des 2026"."""
    local = _local(value, region)
    return str(format_datetime(local, "EEEE, d MMM yyyy", rebase=False)) if local else ""
