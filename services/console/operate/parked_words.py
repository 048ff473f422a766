"""Why a message was parked, in words: the consumer and the broker write their reasons for
logs (``invalid: ...``, ``attempts exhausted: ...``); the page leads with what that means and
keeps the original beside it for whoever reads the log next."""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l

# The prefixes shared.broker.consumer and shared.broker.parking write, by kind.
_PREFIXES: Final = (
    ("invalid:", "invalid"),
    ("permanent:", "permanent"),
    ("deferred too often:", "deferred"),
    ("attempts exhausted:", "exhausted"),
    ("dead-lettered by the broker:", "dead_lettered"),
)
REASON_LABELS: Final = {
    "invalid": _l("Isi pesan tidak sah: tidak dapat dibaca sebagai kejadian."),
    "permanent": _l("Ditolak oleh pemrosesnya: mencoba lagi tidak akan berhasil tanpa perbaikan."),
    "deferred": _l("Terlalu sering ditunda: yang ditunggunya tidak kunjung ada."),
    "exhausted": _l(
        "Gagal pada setiap percobaan: ada yang tidak menjawab (basis data, surel, SMS)."
    ),
    "dead_lettered": _l(
        "Dikeluarkan oleh RabbitMQ: pekerja berulang kali berhenti saat memprosesnya."
    ),
    "digest": _l("Ringkasan pemberitahuan yang tidak dapat dikirim."),
    "unknown": _l("Alasan tidak tercatat."),
}
WHAT_TO_DO: Final = {
    "invalid": _l(
        "Catat isinya lalu buang dengan pantau parked purge; mengirim ulang tidak menolong."
    ),
    "permanent": _l("Perbaiki penyebabnya (mis. petugas di direktori), lalu kirim ulang."),
    "deferred": _l("Pastikan kasus atau petugas yang dirujuk ada, lalu kirim ulang."),
    "exhausted": _l("Pastikan layanan yang gagal sudah pulih, lalu kirim ulang."),
    "dead_lettered": _l(
        "Baca log pekerja sekitar waktu itu; kirim ulang setelah penyebabnya diperbaiki."
    ),
    "digest": _l("Pastikan saluran pemberitahuannya pulih, lalu kirim ulang."),
    "unknown": _l("Baca log pekerja sekitar waktu itu."),
}


def reason_kind(reason: str | None) -> str:
    """The kind of a parked message's reason (``unknown`` when none matches)."""
    text = (reason or "").strip()
    for prefix, kind in _PREFIXES:
        if text.startswith(prefix):
            return kind
    return "unknown"
