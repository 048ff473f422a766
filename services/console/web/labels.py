"""Words for the codes the services speak: statuses, roles, categories, priorities, regions.

Pages show these, never a raw code; codes stay in URLs and forms. Category and priority
labels are the suite's own (``shared.categories``), in both languages; the rest are marked
for the catalogues here.
"""

from __future__ import annotations

from typing import Final

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shared.categories import CATEGORIES, PRIORITY_LABELS, category_label, priority_label
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
)
from shared.ladder_steps import describe
from shared.ladder_steps import stage_label as ladder_stage_label
from shared.regions import region_name

STATUS_LABELS: Final = {
    "received": _l("Diterima"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "under_examination": _l("Dalam pemeriksaan"),
    "awaiting_info": _l("Menunggu keterangan"),
    "recommendation_issued": _l("Rekomendasi terbit"),
    "awaiting_ppk": _l("Menunggu tindak lanjut PPK"),
    "sanction_imposed": _l("Sanksi dijatuhkan"),
    "closed": _l("Selesai"),
    "duplicate": _l("Duplikat"),
    "withdrawn": _l("Dicabut"),
}
ROLE_LABELS: Final = {
    "officer": _l("Petugas"),
    "supervisor": _l("Atasan"),
    "operator": _l("Operator provinsi"),
    "auditor": _l("Auditor"),
    "submitter": _l("Sistem pengirim"),
    "console": _l("Konsol"),
    "public": _l("Halaman publik"),
}
SANCTION_LABELS: Final = {
    "ringan": _l("Ringan"),
    "sedang": _l("Sedang"),
    "berat": _l("Berat"),
    "ptdh": _l("PTDH (diberhentikan tidak dengan hormat)"),
    "etik": _l("Sanksi moral/etik"),
}
FINDING_LABELS: Final = {"proven": _l("Terbukti"), "not_proven": _l("Tidak terbukti")}
CATEGORY_CODES: Final = tuple(CATEGORIES)
PRIORITY_CODES: Final = tuple(PRIORITY_LABELS)


def language() -> str:
    return str(get_locale() or "id")


def status_label(code: str | None) -> str:
    return str(STATUS_LABELS.get(code or "", code or ""))


def role_label(code: str | None) -> str:
    return str(ROLE_LABELS.get(code or "", code or ""))


def sanction_label(code: str | None) -> str:
    return str(SANCTION_LABELS.get(code or "", code or ""))


def finding_label(code: str | None) -> str:
    return str(FINDING_LABELS.get(code or "", code or ""))


def category(code: str | None) -> str:
    return category_label(code or "", language()) if code else ""


def priority(code: str | None) -> str:
    return priority_label(code or "", language()) if code else ""


def stage_label(code: str | None) -> str:
    """A deadline's stage in words ("verifikasi laporan"), the suite's own in both languages."""
    return ladder_stage_label(code, language()) if code else ""


def region_label(code: str | None) -> str:
    """ "Kabupaten Karo (12.06)", or the code alone when the registry has no name."""
    if not code:
        return ""
    name = region_name(code)
    return f"{name} ({code})" if name else code


SOURCE_LABELS: Final = {
    "public": _l("laporan warga lewat halaman publik"),
    "public_report": _l("pengaduan masyarakat"),
    "monitoring": _l("pemantauan media sosial"),
    "internal": _l("temuan internal"),
    "bawaslu_referral": _l("penerusan dari Bawaslu"),
    "open311": _l("aplikasi kota (Open311)"),
}
LINK_LABELS: Final = {
    "duplicate": _l("kemungkinan duplikat"),
    "related": _l("terkait"),
    "content": _l("isi yang sama"),
    "site": _l("tautan yang sama"),
}


def source_label(code: str | None) -> str:
    return str(SOURCE_LABELS.get(code or "", code or ""))


def link_label(code: str | None) -> str:
    return str(LINK_LABELS.get(code or "", code or ""))


CHANNEL_LABELS: Final = {"email": _l("E-mail"), "sms": _l("SMS"), "chat": _l("Pesan chat")}
DELIVERY_STATES: Final = {
    "sent": _l("terkirim"),
    "failed": _l("gagal"),
    "held": _l("ditahan untuk ringkasan"),
    "digested": _l("dikirim dalam ringkasan"),
    "pending": _l("menunggu dikirim"),
    "sending": _l("sedang dikirim"),
    "parked": _l("gagal, menunggu operator"),
    "skipped": _l("dilewati"),
}


def delivery_label(delivery: dict[str, object]) -> str:
    """ "E-mail terkirim", "SMS gagal": a notification's channel and what became of it."""
    channel = str(delivery.get("channel") or "")
    state = str(delivery.get("status") or "")
    return f"{CHANNEL_LABELS.get(channel, channel)} {DELIVERY_STATES.get(state, state)}".strip()


# What each kind of alert told its reader (an escalation says more, from its ladder step).
ALERT_LABELS: Final = {
    CaseAssigned.TYPE: _l("Penugasan kasus"),
    CaseEscalated.TYPE: _l("Eskalasi"),
    CaseReassigned.TYPE: _l("Pengalihan kasus"),
    CaseInformationReceived.TYPE: _l("Keterangan baru dari pelapor"),
    CaseDeadlineMoved.TYPE: _l("Tenggat berubah"),
}


def alert_label(delivery: dict[str, object]) -> str:
    """What a notification was about: "Penugasan kasus", "Penugasan dikirim ulang (2)", an
    escalation's step in words, "Ringkasan 12 pemberitahuan"; "" for a kind it does not know."""
    if delivery.get("kind") == "digest":
        count = delivery.get("alerts_in_digest")
        if not count:
            return str(_("Ringkasan pemberitahuan"))
        return str(_("Ringkasan %(count)s pemberitahuan", count=count))
    event_type = str(delivery.get("event_type") or "")
    step = delivery.get("step")
    if event_type == CaseEscalated.TYPE and isinstance(step, str):
        return describe(step, language()) or str(ALERT_LABELS[event_type])
    resend = delivery.get("resend")
    if event_type == CaseAssigned.TYPE and isinstance(resend, int) and resend > 0:
        return str(_("Penugasan dikirim ulang (%(count)s): belum dikonfirmasi", count=resend))
    return str(ALERT_LABELS.get(event_type, ""))


def install(app: Flask) -> None:
    app.jinja_env.globals.update(
        status_label=status_label,
        role_label=role_label,
        sanction_label=sanction_label,
        finding_label=finding_label,
        category_label=category,
        priority_label=priority,
        region_label=region_label,
        stage_label=stage_label,
        delivery_label=delivery_label,
        alert_label=alert_label,
        source_label=source_label,
        link_label=link_label,
        current_language=language,
    )
