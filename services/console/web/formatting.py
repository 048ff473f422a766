"""Small display filters: NIPs in their groups, file sizes, shares as percentages."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal, format_percent


def nip(value: object) -> str:
    """An 18-digit NIP as its groups: birth date, appointment, sex, sequence."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) != 18:
        return str(value or "")
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def filesize(value: object) -> str:
    """Bytes as a size people read (12,3 kB, 4,1 MB)."""
    try:
        size = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{format_decimal(round(size, 1))} {unit}"
        size /= 1000
    return ""


def percent(value: object) -> str:
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return str(format_percent(share))


def install(app: Flask) -> None:
    app.jinja_env.filters.update(nip=nip, filesize=filesize, percent=percent)
