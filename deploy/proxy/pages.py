"""The answers the front door writes itself, when a request never reaches a service.

The API ports answer RFC 9457 problem details, the shape ``shared/problems.py`` gives every
error a service writes, so a client parses one format whoever refused it. The console's port
answers a small page in Bahasa Indonesia (the citizens' language) with nothing from another
host. Pure data: the template turns each into an nginx ``return``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Final

# What nginx itself may answer. 494 is nginx's own code for a header too large; the door
# answers it as 431, the standard status for it.
DOOR_STATUSES: Final = (400, 408, 413, 414, 429, 431, 500, 502, 503, 504)
NGINX_CODES: Final = {431: 494}


@dataclass(frozen=True)
class Refusal:
    status: int
    title: str
    detail: str
    judul: str
    keterangan: str


REFUSALS: Final = {
    r.status: r
    for r in (
        Refusal(
            400,
            "Bad request",
            "The request could not be read as HTTP (request line, headers or their lengths).",
            "Permintaan tidak dapat dibaca",
            "Peramban Anda mengirim permintaan yang tidak lengkap. Muat ulang halaman ini.",
        ),
        Refusal(
            408,
            "Request timeout",
            "The request did not arrive in time; send it again in one go.",
            "Permintaan terlalu lama",
            "Koneksi terlalu lambat sehingga permintaan tidak sampai utuh. Coba kirim lagi.",
        ),
        Refusal(
            413,
            "Request too large",
            "The body is larger than this service accepts; nothing was stored.",
            "Kiriman terlalu besar",
            "Berkas yang dikirim melebihi batas. Kecilkan atau kurangi berkas, lalu kirim lagi.",
        ),
        Refusal(
            414,
            "URI too long",
            "The request line is longer than this service accepts.",
            "Alamat terlalu panjang",
            "Alamat halaman terlalu panjang. Kembali ke halaman sebelumnya.",
        ),
        Refusal(
            429,
            "Too many requests",
            "Too many requests from this address at once; wait a moment and try again.",
            "Terlalu banyak permintaan",
            "Terlalu banyak permintaan dari alamat Anda sekaligus. Tunggu sebentar, "
            "lalu coba lagi.",
        ),
        Refusal(
            431,
            "Request header fields too large",
            "A request header, or all of them together, is larger than this service accepts.",
            "Data permintaan terlalu besar",
            "Peramban mengirim data tambahan yang terlalu besar. Hapus cookie situs ini, "
            "lalu coba lagi.",
        ),
        Refusal(
            500,
            "Internal error",
            "The front door failed to handle the request; try again later.",
            "Terjadi kesalahan",
            "Terjadi kesalahan pada layanan. Coba lagi beberapa saat lagi.",
        ),
        Refusal(
            502,
            "Bad gateway",
            "The service behind the front door is not answering; try again shortly.",
            "Layanan sedang tidak tersedia",
            "Layanan sedang dimulai ulang atau tidak menjawab. Coba lagi beberapa saat lagi.",
        ),
        Refusal(
            503,
            "Service unavailable",
            "The service is unavailable right now; try again shortly.",
            "Layanan sedang tidak tersedia",
            "Layanan sedang sibuk. Coba lagi beberapa saat lagi.",
        ),
        Refusal(
            504,
            "Gateway timeout",
            "The service behind the front door did not answer in time; try again shortly.",
            "Layanan terlalu lama menjawab",
            "Layanan terlalu lama menjawab. Coba lagi beberapa saat lagi.",
        ),
    )
}


def problem_body(status: int) -> str:
    """The problem+json the door answers on an API port."""
    r = REFUSALS[status]
    return json.dumps(
        {"type": "about:blank", "title": r.title, "status": status, "detail": r.detail},
        separators=(",", ":"),
    )


def page_body(status: int) -> str:
    """The page the door answers on the console's port: no script, style or other host."""
    r = REFUSALS[status]
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(r.judul)} - Pantau</title></head><body>"
        f"<h1>{html.escape(r.judul)}</h1><p>{html.escape(r.keterangan)}</p>"
        f'<p><a href="/">Kembali ke halaman awal</a> (kode {status})</p></body></html>'
    )


def nginx_string(text: str) -> str:
    """``text`` as a single-quoted nginx string: no variable in it is ever expanded."""
    if "$" in text:
        raise ValueError("a door answer must not contain '$' (nginx would expand it)")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
