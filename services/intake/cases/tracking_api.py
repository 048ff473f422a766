"""The reporter's status page: a tracking code in, plain Bahasa Indonesia out, no people."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from services.intake.cases.answers import TrackStatus
from services.intake.cases.models import Case
from services.intake.cases.tracking import normalise_tracking_code
from services.intake.deps import deps
from shared.openapi import operation
from shared.problems import Problem

bp = Blueprint("tracking", __name__)

# What a reporter is told at each status, and what happens next: plain words, no people.
STATUS_TEXT = {
    "received": (
        "Laporan Anda telah diterima.",
        "Petugas akan memeriksa kelengkapan laporan (syarat formal dan material).",
    ),
    "verified": (
        "Laporan Anda telah diverifikasi dan memenuhi syarat.",
        "Laporan akan diperiksa lebih lanjut oleh instansi yang berwenang.",
    ),
    "rejected": (
        "Laporan Anda tidak dapat ditindaklanjuti.",
        "Alasan penolakan dapat ditanyakan kepada instansi penerima laporan.",
    ),
    "under_examination": (
        "Laporan Anda sedang diperiksa.",
        "Petugas sedang mengumpulkan keterangan dan bukti.",
    ),
    "awaiting_info": (
        "Petugas memerlukan keterangan tambahan.",
        "Mohon lengkapi keterangan yang diminta melalui kanal tempat Anda melapor.",
    ),
    "recommendation_issued": (
        "Pemeriksaan telah selesai dan rekomendasi telah diterbitkan.",
        "Rekomendasi diteruskan kepada pejabat yang berwenang menjatuhkan sanksi.",
    ),
    "awaiting_ppk": (
        "Laporan menunggu tindak lanjut Pejabat Pembina Kepegawaian.",
        "Pejabat yang berwenang akan memutuskan tindak lanjutnya.",
    ),
    "sanction_imposed": (
        "Tindak lanjut atas laporan Anda telah diputuskan.",
        "Tidak ada langkah lanjutan yang diperlukan dari Anda.",
    ),
    "closed": ("Penanganan laporan Anda telah selesai.", "Terima kasih atas laporan Anda."),
    "duplicate": (
        "Laporan Anda digabungkan dengan laporan lain tentang kejadian yang sama.",
        "Penanganan dilanjutkan bersama laporan tersebut.",
    ),
    "withdrawn": ("Laporan telah dicabut.", "Tidak ada tindak lanjut lebih lanjut."),
}
MAX_MESSAGES = 20  # the newest; a reporter's phone on a weak signal needs no more
_UNKNOWN = ("Laporan Anda sedang diproses.", "Petugas akan menindaklanjuti laporan Anda.")


@bp.get("/v1/track/<code>")
@operation(
    summary="Status of a report by its tracking code (no account needed)",
    answers={200: (TrackStatus, "Status in plain Bahasa Indonesia.")},
    problems=(404, 429),
    texts={404: "No report with this tracking code."},
    public=True,
)
def track(code: str) -> ResponseReturnValue:
    d = deps()
    # Counted per client address before anything is looked up, so guessing codes is slow.
    verdict = d.limiter.hit(f"track:{request.remote_addr}", d.settings.track_rate_per_minute)
    if not verdict.allowed:
        raise Problem(
            429,
            "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    canonical = normalise_tracking_code(code)
    doc = (
        Case._get_collection().find_one(
            {"tracking_code": canonical},
            {
                "status": 1,
                "submitted_at": 1,
                "updated_at": 1,
                "tracking_code": 1,
                "comments.at": 1,
                "comments.text": 1,
                "comments.visibility": 1,
            },
        )
        if canonical
        else None
    )
    if doc is None:
        raise Problem(404, "Kode pelacakan tidak ditemukan. Periksa kembali kode Anda.")
    status = doc.get("status", "received")
    text, next_step = STATUS_TEXT.get(status, _UNKNOWN)
    return jsonify(
        tracking_code=doc["tracking_code"],
        status=status,
        keterangan=text,
        langkah_berikutnya=next_step,
        diterima_pada=doc["submitted_at"].isoformat(),
        diperbarui_pada=(doc.get("updated_at") or doc["submitted_at"]).isoformat(),
        # Only what officers wrote for the reporter, never who wrote it.
        pesan=[
            {"waktu": c["at"].isoformat(), "isi": c["text"]}
            for c in doc.get("comments", [])
            if c.get("visibility") == "reporter"
        ][-MAX_MESSAGES:],
    )
