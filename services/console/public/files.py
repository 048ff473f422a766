"""Evidence files chosen on a public form: counted and measured here, before a byte goes to
intake, which then recognises, cleans and stores them (and refuses what it cannot take).

A browser never keeps chosen files when a form comes back with errors; the pages say so
beside the file box.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Final

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

MAX_FILES: Final = 5  # what intake takes in one request
TYPES_TEXT: Final = _l(
    "foto (JPG, PNG, WebP, GIF), video (MP4, MOV, 3GP), rekaman suara (M4A, MP3, OGG, WAV) atau PDF"
)


@dataclass(frozen=True)
class Picked:
    """One chosen file, ready to pass on."""

    name: str
    stream: IO[bytes]
    content_type: str

    def part(self) -> tuple[str, tuple[str, IO[bytes], str]]:
        """The multipart part intake reads (``file``)."""
        return ("file", (self.name, self.stream, self.content_type))


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:g} MB"


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def pick(storages: Iterable[FileStorage], max_bytes: int) -> tuple[list[Picked], str | None]:
    """The files actually chosen, and the message to show when there are too many or one is
    too large (then nothing is passed on)."""
    chosen = [s for s in storages if s and s.filename]
    if len(chosen) > MAX_FILES:
        return [], _("Paling banyak %(count)s berkas sekali kirim.", count=MAX_FILES)
    picked = []
    for storage in chosen:
        name = storage.filename or "bukti"
        size = _size(storage.stream)
        if size > max_bytes:
            return [], _(
                "Berkas \u201c%(name)s\u201d lebih besar dari %(limit)s, batas satu berkas.",
                name=name,
                limit=megabytes(max_bytes),
            )
        if size == 0:
            return [], _("Berkas \u201c%(name)s\u201d kosong.", name=name)
        picked.append(Picked(name, storage.stream, storage.mimetype or "application/octet-stream"))
    return picked, None


def refusal_message(errors: list[Mapping[str, Any]], max_bytes: int) -> str | None:
    """What to say beside the file box when intake refused a file (None: no file refused)."""
    for error in errors:
        if not str(error.get("field") or "").startswith("file"):
            continue
        name = str(error.get("filename") or "")
        code = error.get("code")
        if code in ("file_too_large", "too_many_pixels"):
            text = _(
                "Berkas \u201c%(name)s\u201d terlalu besar (batas %(limit)s per berkas).",
                name=name,
                limit=megabytes(max_bytes),
            )
        elif code == "unsupported_type":
            text = _(
                "Jenis berkas \u201c%(name)s\u201d tidak diterima. Kirim %(types)s.",
                name=name,
                types=TYPES_TEXT,
            )
        elif code == "file_damaged":
            text = _("Berkas \u201c%(name)s\u201d rusak atau tidak dapat dibuka.", name=name)
        elif code == "file_empty":
            text = _("Berkas \u201c%(name)s\u201d kosong.", name=name)
        else:
            text = _("Periksa berkas yang Anda pilih (paling banyak %(count)s).", count=MAX_FILES)
        return str(text)
    return None
