"""A citizen at the public pages without a browser: filling the report form as a person
without JavaScript does (answering its question in words), reading the tracking code, and
calling from an address of one's own (so per-address limits of one test leave the others'
alone)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from PIL import Image
from requests.adapters import HTTPAdapter

from tests.support.pages import PageClient

_QUESTION = re.compile(r"(?:Berapa|What is) (\w+) (?:ditambah|plus) (\w+)\?")
_CODE = re.compile(r'id="tracking-code"[^>]*>\s*([A-Z0-9-]+)\s*<')
NUMBERS = {
    **{
        w: i
        for i, w in enumerate(
            ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
        )
    },
    **{
        w: i
        for i, w in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        )
    },
}
GPS_IFD = 0x8825


def hidden(html: str, name: str) -> str:
    """The value of the form's input ``name`` (hidden or not)."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def question_answer(html: str) -> str:
    """The answer to the form's question in words, as a person types it."""
    found = _QUESTION.search(html)
    assert found, "no question on the form"
    return str(NUMBERS[found.group(1)] + NUMBERS[found.group(2)])


def report_fields(description: str, **overrides: str) -> dict[str, str]:
    """A confidential report of a camat campaigning with an official car, three days ago."""
    occurred = datetime.now(UTC) - timedelta(days=3)
    known = datetime.now(UTC) - timedelta(days=2)
    fields = {
        "region": "12.06",
        "location": "Lapangan Samura, Kabanjahe",
        "description": description,
        "links": "",
        "occurred_day": str(occurred.day),
        "occurred_month": str(occurred.month),
        "occurred_year": str(occurred.year),
        "known_day": str(known.day),
        "known_month": str(known.month),
        "known_year": str(known.year),
        "person1_name": "",
        "person1_agency": "Kantor Camat Kabanjahe",
        "person1_position": "Camat",
        "person1_nip": "",
        "person1_employment": "",
        "identity": "confidential",
        "reporter_name": "Siti Rahmawati",
        "reporter_phone": "0812-6000-1234",
        "reporter_email": "siti.rahmawati@contoh.id",
        "kosongkan": "",
    }
    fields.update(overrides)
    return fields


def form_keys(client: PageClient, path: str = "/lapor") -> dict[str, str]:
    """Open the form and read what it carries for this sending, answering its question."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return {
        "sending": hidden(page.text, "sending"),
        "challenge": hidden(page.text, "challenge"),
        "proof": "",
        "check_answer": question_answer(page.text),
    }


def send_report(
    client: PageClient,
    fields: dict[str, str],
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    *,
    path: str = "/lapor",
) -> requests.Response:
    """Open the report form, fill it in and send it (without JavaScript)."""
    keys = form_keys(client, path)
    return client.post(path, {**fields, **keys}, files=files)


def tracking_code(page: requests.Response) -> str:
    found = _CODE.search(page.text)
    assert found, f"no tracking code on the page: {page.text[:500]}"
    return found.group(1)


def photo_with_gps() -> bytes:
    """A phone photo with the camera's make and model and where it was taken."""
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A125F"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (3.0, 6.0, 11.5), 3: "E", 4: (98.0, 30.0, 2.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


class _FromAddress(HTTPAdapter):
    """Connects from one loopback address (all of 127/8 reaches the local servers)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def citizen_at(base: str, address: str) -> PageClient:
    """A citizen whose requests come from ``address`` (127.x.y.z)."""
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return PageClient(base, session=session)
