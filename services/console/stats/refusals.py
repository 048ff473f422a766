"""Intake's refusals of an export, in words that name the limit and what to do about it."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from services.console.clients.base import Refused, Throttled


def export_refusal(exc: Refused) -> str | None:
    """The message for a refusal the export form can explain (too many cases, too many
    exports under way); None for any other, which the error pages handle."""
    problem = exc.problem
    if isinstance(exc, Throttled) and "max_active" in problem:
        return str(
            _(
                "Anda sudah punya %(limit)s ekspor yang sedang dibuat, sebanyak yang "
                "diizinkan. Tunggu salah satunya selesai, lalu coba lagi.",
                limit=format_decimal(int(problem["max_active"])),
            )
        )
    if exc.status == 422 and "max_rows" in problem:
        return str(
            _(
                "Filter ini memilih %(count)s kasus, sedangkan satu berkas paling banyak "
                "berisi %(limit)s kasus. Persempit periode, kategori atau wilayahnya.",
                count=format_decimal(int(problem.get("matching") or 0)),
                limit=format_decimal(int(problem["max_rows"])),
            )
        )
    return None
