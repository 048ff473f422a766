"""Open311 GeoReport v2 in Pantau's terms: the taxonomy as services, a request as a case.

Pure translation, no HTTP and no database: ``api_open311`` does the transport.

How a GeoReport request becomes a case:

- ``service_code`` is one of the category codes. It is kept on the case as the reporter's
  *hint* only; triage classifies the text itself.
- ``description`` is the description; the title is its first sentence, shortened if long.
- ``address_string`` and/or ``lat``/``long`` become the location text.
- ``media_url`` becomes the case's one evidence link.
- ``first_name``, ``last_name``, ``email``, ``phone`` are the reporter, confidential; none of
  them means an anonymous report. ``device_id`` and ``account_id`` are not kept: they would
  identify a reporter without serving the case.
- GeoReport has no field for the reported person. Tools that know more can send the
  attributes of the service definition (``attribute[accused_name]`` and so on); without them
  the case names nobody — an empty list, not an invented "unknown" person that duplicate
  detection and conflict-of-interest checks would take for a real one. An officer adds the
  accused when the case is examined.
- GeoReport has no date of the event either: ``attribute[occurred_on]`` gives it; without it
  the moment of the request stands for both when it happened and when it became known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from pydantic import Field, ValidationError

from services.intake.cases.schemas import MAX_ACCUSED, MAX_TITLE, Accused, CaseSubmission
from shared import dates
from shared.categories import CATEGORIES
from shared.field_errors import field_errors

SOURCE: Final = "public_report"

# GeoReport groups: the neutrality breaches, the content cases, and the rest.
_CONTENT_CASES: Final = frozenset({"HOAKS", "SARA"})
_GROUPS: Final = {"neutrality": "Netralitas ASN", "content": "Konten pemilihan", "other": "Lainnya"}

# A few words a reporter would search for, from the joint decree's own examples.
KEYWORDS: Final[dict[str, str]] = {
    "MEDSOS": "media sosial, facebook, instagram, tiktok, whatsapp, like, share, komentar",
    "FOTO_POSE": "foto, pose jari, salam jari, swafoto dengan calon",
    "KAMPANYE": "kampanye, deklarasi, tim pemenangan, timses, relawan",
    "ATRIBUT": "atribut, spanduk, baliho, stiker, kaos calon",
    "FASILITAS": "mobil dinas, plat merah, kantor, jam kerja, anggaran, bansos",
    "KEPUTUSAN": "keputusan, mutasi, SK, program atas nama calon",
    "MOBILISASI": "ajakan, arahan, pertemuan, bagi sembako, mobilisasi",
    "PARPOL": "partai politik, anggota partai, pengurus partai, KTA",
    "DUKUNGAN_KTP": "KTP, surat dukungan, fotokopi KTP",
    "HOAKS": "hoaks, berita bohong, disinformasi, editan, fitnah",
    "SARA": "ujaran kebencian, SARA, suku, agama, ras",
    "LAINNYA": "lainnya",
}

EMPLOYMENT_TYPES: Final = ("PNS", "PPPK", "NON_ASN")

# The service definition's attributes (the same for every service), in GeoReport's shape.
ATTRIBUTES: Final[list[dict[str, Any]]] = [
    {
        "variable": True,
        "code": "occurred_on",
        "datatype": "datetime",
        "required": False,
        "datatype_description": "Tanggal (2024-11-20) atau tanggal dan jam dengan zona waktu",
        "order": 1,
        "description": "Kapan kejadian itu terjadi?",
    },
    {
        "variable": True,
        "code": "accused_name",
        "datatype": "string",
        "required": False,
        "datatype_description": "Nama lengkap",
        "order": 2,
        "description": "Nama orang yang dilaporkan (terlapor), jika diketahui",
    },
    {
        "variable": True,
        "code": "accused_employment_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "Wajib bila nama terlapor diisi",
        "order": 3,
        "description": "Status kepegawaian terlapor",
        "values": [
            {"key": "PNS", "name": "PNS (Pegawai Negeri Sipil)"},
            {"key": "PPPK", "name": "PPPK"},
            {"key": "NON_ASN", "name": "Non-ASN (honorer, PTT, PPNPN)"},
        ],
    },
    {
        "variable": True,
        "code": "accused_nip",
        "datatype": "string",
        "required": False,
        "datatype_description": "18 angka",
        "order": 4,
        "description": "NIP terlapor, jika diketahui",
    },
    {
        "variable": True,
        "code": "accused_agency",
        "datatype": "string",
        "required": False,
        "datatype_description": "Nama instansi atau unit kerja",
        "order": 5,
        "description": "Instansi terlapor",
    },
    {
        "variable": True,
        "code": "accused_position",
        "datatype": "string",
        "required": False,
        "datatype_description": "Nama jabatan",
        "order": 6,
        "description": "Jabatan terlapor",
    },
]
ATTRIBUTE_CODES: Final = frozenset(a["code"] for a in ATTRIBUTES)
_ACCUSED_ATTRIBUTES: Final = ("name", "employment_type", "nip", "agency", "position")


class GeoReportError(Exception):
    """A refusal in GeoReport's terms: an HTTP status and one description per problem."""

    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


class Open311Submission(CaseSubmission):
    """A case filed through Open311: the same rules, except that nobody need be accused.

    Only this model allows it, and only the Open311 layer uses it: a case filed through
    ``/v1/cases`` still names at least one person.
    """

    accused: list[Accused] = Field(default_factory=list, max_length=MAX_ACCUSED)


# ---------------------------------------------------------------------------- services


def services() -> list[dict[str, Any]]:
    """Every category of the taxonomy as a GeoReport service."""
    return [
        {
            "service_code": code,
            "service_name": label_id,
            "description": f"{label_id} ({label_en})",
            "metadata": True,
            "type": "realtime",
            "keywords": KEYWORDS.get(code, ""),
            "group": _GROUPS[_group(code)],
        }
        for code, (label_id, label_en) in CATEGORIES.items()
    ]


def _group(code: str) -> str:
    if code in _CONTENT_CASES:
        return "content"
    return "other" if code == "LAINNYA" else "neutrality"


def service_definition(service_code: str) -> dict[str, Any]:
    """The GeoReport service definition of ``service_code`` (KeyError if there is none)."""
    if service_code not in CATEGORIES:
        raise KeyError(service_code)
    return {"service_code": service_code, "attributes": ATTRIBUTES}


# ---------------------------------------------------------------------------- requests


def split_attributes(form: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The plain fields and the ``attribute[code]`` fields of a POSTed form."""
    plain: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for key, value in form.items():
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", key)
        if match:
            attributes[match[1]] = value
        else:
            plain[key] = value
    return plain, attributes


def submission_payload(
    form: Mapping[str, str], attributes: Mapping[str, str], *, now: datetime
) -> dict[str, Any]:
    """The ``CaseSubmission`` payload of a GeoReport request; GeoReportError if it is not one.

    ``form`` holds the plain fields (blank ones count as absent, as web forms send them).
    """
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str) and v.strip()}
    attrs = {k: v.strip() for k, v in attributes.items() if v.strip()}
    problems: list[str] = []

    service_code = fields.get("service_code")
    if service_code is None:
        problems.append("service_code is required: one of " + ", ".join(CATEGORIES))
    elif service_code not in CATEGORIES:
        problems.append(
            f"service_code {service_code!r} is not a service here; one of {', '.join(CATEGORIES)}"
        )
    description = fields.get("description")
    if description is None:
        problems.append("description is required: say what happened, where and who was involved")
    unknown = sorted(set(attrs) - ATTRIBUTE_CODES)
    if unknown:
        problems.append(
            "unknown attribute(s) "
            + ", ".join(f"attribute[{a}]" for a in unknown)
            + "; see the service definition"
        )
    location = _location(fields, problems)
    if problems:
        raise GeoReportError(400, problems)
    assert description is not None
    assert location is not None

    payload: dict[str, Any] = {
        "source": SOURCE,
        "title": title_from(description),
        "description": description,
        "occurred_at": attrs.get("occurred_on") or now.isoformat(),
        "known_at": now.isoformat(),
        "location": {"text": location},
        "accused": _accused(attrs),
        "reporter": _reporter(fields),
    }
    if "media_url" in fields:
        payload["evidence_urls"] = [fields["media_url"]]
    return payload


def validate(payload: dict[str, Any], *, now: datetime, tz: tzinfo) -> Open311Submission:
    """Validate like ``validate_submission`` does, with the Open311 model; GeoReportError."""
    try:
        return Open311Submission.model_validate(
            payload, context={"now": now.astimezone(UTC), "tz": tz}
        )
    except ValidationError as exc:
        raise GeoReportError(400, describe_errors(exc)) from exc


def title_from(description: str) -> str:
    """The first sentence of ``description``, cut at a word if it is too long for a title."""
    first = re.split(r"(?<=[.!?])\s+|\n", description.strip(), maxsplit=1)[0].strip()
    if len(first) <= MAX_TITLE:
        return first
    cut = first[: MAX_TITLE - 1]
    if " " in cut[MAX_TITLE // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _location(fields: Mapping[str, str], problems: list[str]) -> str | None:
    address = fields.get("address_string")
    lat, lon = fields.get("lat"), fields.get("long")
    point: str | None = None
    if (lat is None) != (lon is None):
        problems.append("lat and long go together: send both or neither")
    elif lat is not None and lon is not None:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            problems.append("lat and long must be decimal degrees, such as 3.1915 and 98.5081")
        else:
            if not (math.isfinite(latitude) and math.isfinite(longitude)) or not (
                -90 <= latitude <= 90 and -180 <= longitude <= 180
            ):
                problems.append("lat must lie within -90..90 and long within -180..180")
            else:
                point = f"{latitude:.6f}, {longitude:.6f}"
    if address is None and point is None:
        if "address_id" in fields:
            problems.append("address_id is not supported here; send address_string or lat/long")
        elif lat is None and lon is None:
            problems.append("a location is required: address_string, or lat and long")
        return None
    if address and point:
        return f"{address} (koordinat {point})"
    return address or f"Koordinat {point}"


def _accused(attrs: Mapping[str, str]) -> list[dict[str, str]]:
    given = {k: attrs[f"accused_{k}"] for k in _ACCUSED_ATTRIBUTES if f"accused_{k}" in attrs}
    if not given:
        return []
    if "name" not in given:
        raise GeoReportError(
            400, ["attribute[accused_name] is required when other accused attributes are sent"]
        )
    return [given]


def _reporter(fields: Mapping[str, str]) -> dict[str, Any]:
    name = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
    identity = {"name": name, "phone": fields.get("phone"), "email": fields.get("email")}
    if not any(identity.values()):
        return {"anonymous": True}
    # Whoever names themselves through a city app expects to stay unknown to the accused.
    return {**{k: v for k, v in identity.items() if v}, "anonymous": False, "confidential": True}


# Where a schema field came from in the GeoReport request, to name it in errors.
_FIELD_NAMES: Final = {
    "title": "description",
    "description": "description",
    "location": "address_string",
    "location.text": "address_string",
    "evidence_urls[0]": "media_url",
    "reporter": "first_name/last_name, email or phone",
    "reporter.name": "first_name/last_name",
    "reporter.email": "email",
    "reporter.phone": "phone",
    "occurred_at": "attribute[occurred_on]",
    "known_at": "attribute[occurred_on]",
}


def describe_errors(exc: ValidationError) -> list[str]:
    """One GeoReport error description per schema error, naming the GeoReport field."""
    described = []
    for error in field_errors(exc):
        field = error["field"]
        name = _FIELD_NAMES.get(field)
        if name is None and field.startswith("accused[0]."):
            name = f"attribute[accused_{field.removeprefix('accused[0].')}]"
        described.append(f"{name or field}: {error['message']}")
    return described


# ---------------------------------------------------------------------------- answers

# Statuses after which nothing more happens to a case; every other status is "open".
CLOSED_STATUSES: Final = frozenset({"closed", "resolved", "rejected", "dismissed", "withdrawn"})


def service_request(case: Mapping[str, Any], tz: tzinfo, status_note: str) -> dict[str, Any]:
    """A case as a GeoReport service request (times in the regency's zone)."""
    triage = case.get("triage") or {}
    code = case.get("category_hint") or triage.get("category")
    point = (case.get("open311") or {}).get("point") or {}
    evidence_urls = case.get("evidence_urls") or []
    return {
        "service_request_id": str(case["_id"]),
        "status": "closed" if case.get("status") in CLOSED_STATUSES else "open",
        "status_notes": status_note,
        "service_name": CATEGORIES[code][0] if code in CATEGORIES else None,
        "service_code": code,
        "description": case.get("description"),
        "agency_responsible": triage.get("unit"),
        "service_notice": None,
        "requested_datetime": _w3c(case.get("submitted_at"), tz),
        "updated_datetime": _w3c(case.get("updated_at") or case.get("submitted_at"), tz),
        "expected_datetime": _w3c(triage.get("due_at"), tz),
        "address": (case.get("location") or {}).get("text"),
        "address_id": None,
        "zipcode": None,
        "lat": point.get("lat"),
        "long": point.get("long"),
        "media_url": evidence_urls[0] if evidence_urls else None,
    }


def _w3c(value: Any, tz: tzinfo) -> str | None:
    if not isinstance(value, datetime):
        return None
    return dates.aware(value).astimezone(tz).isoformat(timespec="seconds")


def point_of(fields: Mapping[str, str]) -> dict[str, float] | None:
    """The request's coordinates, if it gave valid ones (already checked by the payload)."""
    try:
        return {"lat": float(fields["lat"]), "long": float(fields["long"])}
    except (KeyError, ValueError):
        return None
