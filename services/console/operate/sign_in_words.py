"""The sign-in log in plain words: intake records events by code ("failed", "session_revoked");
the page says "gagal masuk" and "sesi diakhiri oleh ...", and marks the entries worth a second
look (failures and throttling)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flask_babel import lazy_gettext as _l

from services.console.operate.words import _

# Entries an auditor scans for: someone trying passwords or codes.
ALARMING: Final = frozenset({"failed", "throttled", "second_factor_failed", "reset_throttled"})
_PLAIN: Final = {
    "failed": _l("gagal masuk: e-mail atau kata sandi salah"),
    "throttled": _l("ditahan: terlalu banyak percobaan masuk"),
    "second_factor_failed": _l("gagal masuk: kode verifikasi salah"),
    "second_factor_enabled": _l("verifikasi dua langkah diaktifkan"),
    "second_factor_disabled": _l("verifikasi dua langkah dimatikan"),
    "reset_unknown": _l("minta atur ulang kata sandi untuk alamat yang tidak terdaftar"),
    "signed_out": _l("keluar"),
    "signed_out_everywhere": _l("keluar dari semua perangkat"),
    "second_factor_required": _l("kata sandi benar; menunggu kode verifikasi"),
    "session_expired": _l("sesi berakhir karena lama tidak dipakai"),
    "sessions_ended": _l("sesi diakhiri karena data orang ini diubah"),
    "link_refused": _l("tautan sekali pakai ditolak (terpakai, kedaluwarsa atau tidak dikenal)"),
    "reset_throttled": _l("ditahan: terlalu banyak permintaan atur ulang kata sandi"),
}


@dataclass(frozen=True)
class Described:
    text: str
    alarming: bool


def describe(entry: Mapping[str, Any]) -> Described:
    """One log entry's event in words."""
    event = str(entry.get("event") or "")
    detail = str(entry.get("detail") or "")
    by = entry.get("by") if isinstance(entry.get("by"), Mapping) else {}
    actor = str((by or {}).get("name") or "") or _("orang lain")
    return Described(_text(event, detail, actor), event in ALARMING)


def _text(event: str, detail: str, actor: str) -> str:
    if event == "signed_in":
        if detail == "second_factor":
            return _("masuk (dengan kode verifikasi)")
        return _("masuk")
    if event == "session_revoked":
        return _("sesi diakhiri oleh %(actor)s", actor=actor)
    if event == "invitation_issued":
        return _("undangan dibuat oleh %(actor)s", actor=actor)
    if event == "reset_issued":
        return _("tautan atur ulang kata sandi dibuat")
    if event == "password_set":
        if detail.startswith("invitation"):
            return _("kata sandi dibuat dari undangan")
        return _("kata sandi diganti lewat tautan atur ulang")
    plain = _PLAIN.get(event)
    return str(plain) if plain is not None else event
