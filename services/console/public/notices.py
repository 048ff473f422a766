"""What a public page says when it cannot do what was asked: a notice above the form (what
happened, when to try again) and the list of boxes to fix, in the order of the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from services.console.public.abuse import Refusal


@dataclass(frozen=True)
class Notice:
    """A message above the form: a title, what happened and what to do, and the wait."""

    title: str
    text: str
    retry_after: int = 0


def limit_notice(refusal: Refusal, regency: str | None = None) -> Notice:
    """The notice for a limit reached: per address, or for a regency."""
    if refusal.kind == "regency":
        text = _(
            "Banyak laporan sedang masuk untuk %(regency)s. Laporan Anda belum terkirim; isian "
            "Anda masih di bawah. Coba kirim lagi dalam %(minutes)s menit.",
            regency=regency or _("kabupaten/kota ini"),
            minutes=refusal.minutes,
        )
    else:
        text = _(
            "Terlalu banyak kiriman dari jaringan Anda dalam satu jam. Kiriman ini belum "
            "diterima; isian Anda masih di bawah. Coba lagi dalam %(minutes)s menit.",
            minutes=refusal.minutes,
        )
    return Notice(_("Coba lagi sebentar lagi"), text, refusal.retry_after)


def summary(form: FlaskForm) -> list[tuple[str, Any]]:
    """The boxes to fix, in page order: (the box's id, its first message)."""
    found: list[tuple[str, Any]] = [("", message) for message in form.form_errors]
    for field in form:
        if field.name == "csrf_token" or not field.errors:
            continue
        anchor = field.id
        if field.type == "RadioField":
            anchor = f"{field.id}-0"  # the first choice: a radio group has no box of its own
        found.append((anchor, field.errors[0]))
    return found
