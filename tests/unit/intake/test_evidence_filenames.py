"""Names of uploaded files: safe to show and to offer for download, true to the content."""

from __future__ import annotations

import pytest

from services.intake.evidence import file_types as types
from services.intake.evidence.store import MAX_FILENAME, sanitise_filename


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("IMG_20241120_101500.jpg", types.JPEG, "IMG_20241120_101500.jpg"),
        (
            "WhatsApp Image 2024-11-20 at 10.15.00.jpeg",
            types.JPEG,
            "WhatsApp Image 2024-11-20 at 10.15.00.jpeg",
        ),
        ("C:\\Users\\siti\\Desktop\\bukti.png", types.PNG, "bukti.png"),
        ("../../etc/passwd", types.PDF, "passwd.pdf"),
        ("laporan.docx", types.PDF, "laporan.docx.pdf"),
        ("foto.PNG", types.PNG, "foto.PNG"),
        ("rekaman suara.opus", types.OGG, "rekaman suara.opus"),
        ('a"; filename="evil.html', types.PDF, "a_ filename_evil.html.pdf"),
        ("tab\there\r\nnewline.pdf", types.PDF, "tabherenewline.pdf"),
        ("  .hidden.pdf  ", types.PDF, "hidden.pdf"),
        ("", types.JPEG, "bukti.jpg"),
        (None, types.MP4, "bukti.mp4"),
        ("....", types.WAV, "bukti.wav"),
        (
            "Surat Camat Kabanjahe – Pemberitahuan.pdf",
            types.PDF,
            "Surat Camat Kabanjahe _ Pemberitahuan.pdf",
        ),
        ("صورة.jpg", types.JPEG, "صورة.jpg"),
    ],
)
def test_names_are_cleaned(raw: str | None, kind: types.EvidenceType, expected: str) -> None:
    assert sanitise_filename(raw, kind) == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = sanitise_filename("x" * 500 + ".pdf", types.PDF)
    assert len(name) <= MAX_FILENAME
    assert name.endswith("x.pdf")


def test_decomposed_letters_are_composed() -> None:
    # macOS sends "é" as "e" plus a combining accent; the stored name uses one code point.
    assert sanitise_filename("Kesaksian Rene\u0301.pdf", types.PDF) == "Kesaksian Ren\u00e9.pdf"
