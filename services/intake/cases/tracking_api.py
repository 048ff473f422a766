"""The reporter's status page: a tracking code in, plain Bahasa Indonesia out, no people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.cases.answers import TrackStatus
from services.intake.cases.models import Case
from services.intake.deps import deps
from services.intake.public import tracking_view
from services.intake.public.client import (
    CLIENT_HEADER,
    CLIENT_PARAMETER,
    client_stand_in,
    optional_principal,
)
from shared.openapi import operation
from shared.problems import Problem
from shared.tracking_codes import normalise_tracking_code

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
        "Jawab pertanyaan petugas di halaman lacak laporan Anda; tenggat berhenti sampai Anda "
        "menjawab.",
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
_UNKNOWN = ("Laporan Anda sedang diproses.", "Petugas akan menindaklanjuti laporan Anda.")
_PROJECTION = {
    "status": 1,
    "tenant": 1,
    "submitted_at": 1,
    "updated_at": 1,
    "tracking_code": 1,
    "triage.due_at": 1,
    "timeline.at": 1,
    "timeline.kind": 1,
    "timeline.to_status": 1,
    "comments.at": 1,
    "comments.kind": 1,
    "comments.text": 1,
    "comments.visibility": 1,
}
NOT_FOUND = "Kode pelacakan tidak ditemukan. Periksa kembali kode Anda."


def count_lookup() -> None:
    """Spend one of the client's lookups for this minute, or refuse (429) before any look-up,
    so guessing codes is slow. Through the public pages the citizen counts (by the stand-in
    of their address)."""
    d = deps()
    sender = client_stand_in(optional_principal())
    verdict = d.limiter.hit(f"track:{sender}", d.settings.track_rate_per_minute)
    if not verdict.allowed:
        raise Problem(
            429,
            "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
            headers={"Retry-After": str(verdict.retry_after)},
            extra={"retry_after": verdict.retry_after},
        )


def find_tracked(code: str, projection: dict[str, int] | None = None) -> dict[str, Any]:
    """The case a tracking code names; 404 alike for a malformed code and an unknown one."""
    canonical = normalise_tracking_code(code)
    doc: dict[str, Any] | None = (
        Case._get_collection().find_one({"tracking_code": canonical}, projection)
        if canonical
        else None
    )
    if doc is None:
        raise Problem(404, NOT_FOUND)
    return doc


@bp.get("/v1/track/<code>")
@operation(
    summary="Status of a report by its tracking code (no account needed)",
    description="Counted per client address (the public pages name the citizen in "
    f"{CLIENT_HEADER}, trusted from the public key only).",
    parameters=[CLIENT_PARAMETER],
    answers={200: (TrackStatus, "Status in plain Bahasa Indonesia.")},
    problems=(404, 429),
    texts={404: "No report with this tracking code."},
    public=True,
)
def track(code: str) -> ResponseReturnValue:
    count_lookup()
    doc = find_tracked(code, _PROJECTION)
    status = doc.get("status", "received")
    text, next_step = STATUS_TEXT.get(status, _UNKNOWN)
    due_at = (doc.get("triage") or {}).get("due_at")
    return jsonify(
        tracking_code=doc["tracking_code"],
        status=status,
        keterangan=text,
        langkah_berikutnya=next_step,
        diterima_pada=doc["submitted_at"].isoformat(),
        diperbarui_pada=(doc.get("updated_at") or doc["submitted_at"]).isoformat(),
        wilayah=doc.get("tenant"),
        batas_waktu=due_at.isoformat() if due_at else None,
        menunggu_jawaban=status == "awaiting_info",
        tahapan=tracking_view.steps(doc.get("timeline", [])),
        # Only what officers wrote for the reporter (and the reporter's answers), never who.
        pesan=tracking_view.messages(doc.get("comments", [])),
    )
