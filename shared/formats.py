"""Format helpers for Indonesian identifiers: mobile numbers, NIP and e-mail addresses.

Everything here is pure: no clock, no network. Functions that need the current date take it
as a parameter so that callers decide which time zone "today" belongs to.

Validation failures raise :class:`FormatError`, a ``ValueError`` that also carries a short
machine-readable ``code`` so that an API can report it without parsing the message.
:data:`Phone` and :data:`Email` are the same checks as pydantic field types, for every model
that accepts a mobile number or an e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final, Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

EmploymentType = Literal["PNS", "PPPK", "NON_ASN"]
Sex = Literal["L", "P"]

NIP_LENGTH: Final = 18
# The NIP records a first appointment, and nobody still serving was born before this year;
# the floor stops typos such as 0986… from passing as a (valid) proleptic calendar date.
NIP_MIN_BIRTH_YEAR: Final = 1900
# CPNS applicants must be at least 18 (PP 11/2017 on civil-service management).
NIP_MIN_AGE_AT_APPOINTMENT: Final = 18

PHONE_INPUT_MAX_LENGTH: Final = 32  # as typed, separators included
EMAIL_MAX_LENGTH: Final = 254  # RFC 5321 path limit minus the angle brackets
EMAIL_LOCAL_MAX_LENGTH: Final = 64
EMAIL_DOMAIN_MAX_LENGTH: Final = 253
EMAIL_LABEL_MAX_LENGTH: Final = 63


class FormatError(ValueError):
    """A value does not have the expected format; ``code`` names the rule that failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- phone numbers

# Separators people type or paste; phonenumbers would also accept letters (vanity numbers)
# and extensions, neither of which a mobile number given to an officer should contain.
_PHONE_CHARS = re.compile(r"\(?\+?[0-9\s().\-]+")
# Invisible direction marks that WhatsApp and some browsers add around a copied number.
_BIDI_MARKS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Domain rule for the national significant number of an Indonesian mobile line.
_MOBILE_NSN = re.compile(r"8[1-35-9][0-9]{7,10}")
_MOBILE_NSN_MIN, _MOBILE_NSN_MAX = 9, 12
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_INDONESIA = 62


def normalise_phone(raw: str) -> str:
    """Return an Indonesian mobile number in E.164 form (``+628…``).

    Accepts ``08…``, ``628…`` and ``+628…`` written with spaces, dashes, dots or parentheses.
    Raises :class:`FormatError` for anything that is not an Indonesian mobile number:
    landlines, foreign numbers, numbers that are too short or too long.
    """
    text = raw.translate(_BIDI_MARKS).strip()
    if not text:
        raise FormatError("phone_invalid", "phone number is empty")
    if not _PHONE_CHARS.fullmatch(text):
        raise FormatError(
            "phone_invalid",
            "phone number may contain only digits, spaces, dashes, dots, parentheses "
            "and a leading +",
        )
    try:
        number = phonenumbers.parse(text, "ID")
    except NumberParseException as exc:
        raise FormatError("phone_invalid", "this is not a phone number") from exc
    if number.country_code != _INDONESIA:
        raise FormatError(
            "phone_not_indonesian",
            "only Indonesian mobile numbers are accepted (08… or +628…)",
        )
    # The integer drops the trunk 0 that phonenumbers keeps on numbers too short to stand
    # without it, so "0812 345" is judged as 812345 (too short), not as a landline.
    nsn = str(number.national_number)
    if not nsn.startswith("8"):
        raise FormatError(
            "phone_not_mobile",
            "not a mobile number (mobile numbers start with 08 or +628); "
            "landlines are not accepted",
        )
    if len(nsn) < _MOBILE_NSN_MIN:
        raise FormatError("phone_too_short", "mobile number is too short")
    if len(nsn) > _MOBILE_NSN_MAX:
        raise FormatError("phone_too_long", "mobile number is too long")
    if not (
        _MOBILE_NSN.fullmatch(nsn)
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) in _MOBILE_TYPES
    ):
        raise FormatError(
            "phone_not_mobile",
            f"0{nsn[:3]}… is not an Indonesian mobile prefix",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Mask a phone number for logs, e.g. ``+6281234565678`` → ``+62812****5678``.

    Keeps the country code and operator prefix (useful when tracing delivery problems) and
    hides at least four digits; the number of hidden digits is not revealed. Input that is
    not E.164 is masked entirely rather than rejected, because logging must never fail.
    """
    text = e164.strip()
    digits = text[1:]
    if not (text.startswith("+") and digits.isascii() and digits.isdecimal()) or len(digits) < 8:
        return "****"
    head = 5  # country code 62 plus the operator prefix 8xx
    tail = min(4, len(digits) - head - 4)
    return f"+{digits[:head]}****{digits[len(digits) - tail :] if tail > 0 else ''}"


# --------------------------------------------------------------------------------- NIP

_NIP_DIGITS = re.compile(r"[0-9]{18}")
_NIP_SEX: Final[dict[str, Sex]] = {"1": "L", "2": "P"}


@dataclass(frozen=True, slots=True)
class Nip:
    """A PNS employee number (NIP) and what its digits encode.

    Layout: birth date ``YYYYMMDD``, first appointment ``YYYYMM``, sex (``1`` male,
    ``2`` female), a three-digit sequence, e.g. ``19860926 201505 1 001``.
    """

    value: str
    birth_date: date
    appointment: tuple[int, int]
    sex: Sex
    sequence: int


def compact_nip(raw: str) -> str:
    """Return a NIP without the spaces people put between its groups.

    Checks only the shape shared by every scheme (NIP and NI PPPK): 18 ASCII digits.
    """
    compact = "".join(raw.split())
    if not compact.isascii() or not compact.isdecimal():
        raise FormatError("nip_invalid", "NIP may contain only digits and spaces")
    if not _NIP_DIGITS.fullmatch(compact):
        raise FormatError(
            "nip_invalid", f"NIP must have {NIP_LENGTH} digits, this one has {len(compact)}"
        )
    return compact


def parse_nip(raw: str, today: date) -> Nip:
    """Parse and check a PNS NIP; ``today`` is the current date in the office's time zone.

    Rejects a wrong length, non-digits, an impossible birth date, an appointment month
    outside 1-12, an appointment before the holder turned 18 or after ``today``, and a sex
    digit other than 1 or 2.
    """
    value = compact_nip(raw)
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError as exc:
        raise FormatError(
            "nip_birth_date", "NIP digits 1-8 are not a valid birth date (YYYYMMDD)"
        ) from exc
    if birth.year < NIP_MIN_BIRTH_YEAR or birth > today:
        raise FormatError("nip_birth_date", f"NIP birth date {birth.isoformat()} is not plausible")

    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise FormatError(
            "nip_appointment", "NIP digits 9-14 are not a valid appointment month (YYYYMM)"
        )
    # The appointment has month precision, so the month of the 18th birthday counts as 18.
    if (year, month) < (birth.year + NIP_MIN_AGE_AT_APPOINTMENT, birth.month):
        raise FormatError(
            "nip_appointment",
            f"NIP appointment {year:04d}-{month:02d} is before the holder turned "
            f"{NIP_MIN_AGE_AT_APPOINTMENT}",
        )
    if (year, month) > (today.year, today.month):
        raise FormatError(
            "nip_appointment", f"NIP appointment {year:04d}-{month:02d} lies in the future"
        )

    sex = _NIP_SEX.get(value[14])
    if sex is None:
        raise FormatError("nip_sex", "NIP digit 15 (sex) must be 1 or 2")
    return Nip(
        value=value,
        birth_date=birth,
        appointment=(year, month),
        sex=sex,
        sequence=int(value[15:18]),
    )


def check_nip_shape(raw: str, employment_type: EmploymentType | None, today: date) -> str:
    """Check a NIP as far as the employment type allows and return it without spaces.

    - ``PNS``: the full check of :func:`parse_nip`.
    - ``PPPK``: the NI PPPK splits its 18 digits differently, so only the shape is checked.
    - ``NON_ASN``: honorer, PTT and PPNPN staff have no NIP, so any number is refused: one
      quoted for them is an NI PPPK (they are PPPK now) or their KTP number (NIK), and a
      case that stores it under a non-ASN person would be routed and weighed as neither.
    - ``None`` (a citizen who does not know the status): only the 18-digit shape.
    """
    if employment_type == "PNS":
        return parse_nip(raw, today).value
    if employment_type == "NON_ASN":
        raise FormatError(
            "nip_not_asn",
            "a non-ASN person (honorer, PTT, PPNPN) has no NIP: leave it empty, or choose "
            "PPPK if this is their NI PPPK",
        )
    if employment_type in ("PPPK", None):
        return compact_nip(raw)
    raise ValueError(f"unknown employment type {employment_type!r}")


# ------------------------------------------------------------------------------- e-mail

# RFC 5322 dot-atom: the unquoted local part every mail system accepts. Quoted local parts
# and non-ASCII local parts (SMTPUTF8) are rejected on purpose: officers must be able to
# write back from any government mail server.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def normalise_email(raw: str) -> str:
    """Check the syntax of an e-mail address and return it with a lower-case domain.

    A deliberately conservative check (no DNS lookup): one ``@``, an unquoted ASCII local
    part of at most 64 characters, a domain of at least two labels that are valid host names
    once IDNA-encoded, and a top-level domain that is not numeric (so no IP literals).
    """
    text = raw.strip()
    if len(text) > EMAIL_MAX_LENGTH:
        raise FormatError(
            "email_invalid", f"e-mail address is longer than {EMAIL_MAX_LENGTH} characters"
        )
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise FormatError("email_invalid", "e-mail address must look like name@example.go.id")
    if len(local) > EMAIL_LOCAL_MAX_LENGTH or not _LOCAL_PART.fullmatch(local):
        raise FormatError("email_invalid", "the part before @ is not a valid mailbox name")
    domain = domain.lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FormatError("email_invalid", "the part after @ is not a valid domain") from exc
    labels = ascii_domain.split(".")
    if (
        len(ascii_domain) > EMAIL_DOMAIN_MAX_LENGTH
        or len(labels) < 2
        or any(
            len(label) > EMAIL_LABEL_MAX_LENGTH or not _DOMAIN_LABEL.fullmatch(label)
            for label in labels
        )
        or labels[-1].isdecimal()
    ):
        raise FormatError("email_invalid", "the part after @ is not a valid domain")
    return f"{local}@{domain}"


def mask_email(addr: str) -> str:
    """Mask an e-mail address for logs, e.g. ``siti.rahayu@example.go.id`` → ``s***@example.go.id``.

    The domain stays readable because it tells which mail system refused a message; input
    without an ``@`` is masked entirely rather than rejected, because logging must never fail.
    """
    local, at, domain = addr.strip().rpartition("@")
    if not at or not domain:
        return "***"
    shown = local[0] if len(local) > 1 else ""
    return f"{shown}***@{domain}"


# ------------------------------------------------------------------- pydantic field types


def as_pydantic_error(exc: FormatError) -> PydanticCustomError:
    """A format error as pydantic reports it: the rule's code and the message as written."""
    # The message travels in the context so that braces in it are never read as a template.
    return PydanticCustomError(exc.code, "{reason}", {"reason": exc.message})


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except FormatError as exc:
        raise as_pydantic_error(exc) from None


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except FormatError as exc:
        raise as_pydantic_error(exc) from None


# The length is checked on the input, before the check that normalises it, so a pasted essay
# is refused without being parsed.
Phone = Annotated[
    str,
    StringConstraints(max_length=PHONE_INPUT_MAX_LENGTH),
    AfterValidator(_phone),
    Field(
        description="Indonesian mobile number; 08…, 628… or +628…, stored as E.164 +628…",
        examples=["+6281234567890"],
    ),
]
Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX_LENGTH),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}, examples=["siti.rahayu@example.go.id"]),
]
