from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.formats import (
    PHONE_INPUT_MAX_LENGTH,
    Email,
    FormatError,
    Nip,
    Phone,
    check_nip_shape,
    compact_nip,
    mask_email,
    mask_phone,
    normalise_email,
    normalise_phone,
    parse_nip,
)

TODAY = date(2024, 11, 21)


# ------------------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "0812.3456.7890",
        "(0812) 3456-7890",
        "6281234567890",
        "62 812 3456 7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "(+62) 812 3456 7890",
        "  0812 3456 7890  ",
        # Copied from a WhatsApp contact: wrapped in invisible direction marks.
        "\u202a+62 812-3456-7890\u202c",
    ],
)
def test_normalise_phone_accepts_common_writings(raw: str) -> None:
    assert normalise_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0857 1234 5678", "+6285712345678"),  # Indosat
        ("0896-1234-5678", "+6289612345678"),  # Tri
        ("0881 1234 5678", "+6288112345678"),  # Smartfren
        ("0838 1234 5678", "+6283812345678"),  # XL / Axis
        ("0812345678", "+62812345678"),  # shortest: 8x plus 7 digits
        ("62812345678901", "+62812345678901"),  # longest: 8x plus 10 digits
    ],
)
def test_normalise_phone_operators_and_length_bounds(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("021 1234567", "phone_not_mobile"),  # Jakarta landline
        ("+62 628 21234", "phone_not_mobile"),  # Kabanjahe area code, not a mobile
        ("(0761) 123456", "phone_not_mobile"),  # Pekanbaru landline
        ("+60 12-345 6789", "phone_not_indonesian"),  # Malaysian mobile
        ("+1 650 253 0000", "phone_not_indonesian"),
        ("0812 345", "phone_too_short"),
        ("0812 3456 7890 123", "phone_too_long"),
        ("0843 1234 5678", "phone_not_mobile"),  # 84 is not a mobile prefix
        ("0812-CALL-BUDI", "phone_invalid"),  # vanity letters
        ("0812 3456 7890 ext 12", "phone_invalid"),
        ("0812/3456/7890", "phone_invalid"),
        ("", "phone_invalid"),
        ("+", "phone_invalid"),
    ],
)
def test_normalise_phone_rejects(raw: str, code: str) -> None:
    with pytest.raises(FormatError) as info:
        normalise_phone(raw)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_normalise_phone_landline_message_asks_for_a_mobile() -> None:
    with pytest.raises(ValueError, match="landline"):
        normalise_phone("(0628) 20123")


def test_mask_phone_hides_the_middle() -> None:
    assert mask_phone("+6281234565678") == "+62812****5678"


def test_mask_phone_hides_at_least_four_digits_of_short_numbers() -> None:
    masked = mask_phone("+62812345678")
    assert masked == "+62812****78"
    assert "3456" not in masked


def test_mask_phone_never_leaks_unexpected_input() -> None:
    assert mask_phone("0812 3456 7890") == "****"
    assert mask_phone("+62812") == "****"


def test_mask_phone_hides_the_length() -> None:
    assert len(mask_phone("+6281234567890")) == len(mask_phone("+62812345678901"))


# ---------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("siti.rahayu@example.go.id", "siti.rahayu@example.go.id"),
        ("  Budi+pilkada@Diskominfo.KaroKab.GO.ID ", "Budi+pilkada@diskominfo.karokab.go.id"),
        ("pelapor_01@mail.example.co.id", "pelapor_01@mail.example.co.id"),
        ("warga@bücher.example", "warga@bücher.example"),
    ],
)
def test_normalise_email_accepts_and_lowercases_domain(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "siti",
        "siti@",
        "@example.go.id",
        "siti@localhost",
        "siti..rahayu@example.go.id",
        ".siti@example.go.id",
        "siti.@example.go.id",
        "siti rahayu@example.go.id",
        "siti@example..go.id",
        "siti@-karo.go.id",
        "siti@karo-.go.id",
        "siti@192.168.1.1",
        "siti@[192.168.1.1]",
        '"siti rahayu"@example.go.id',
        "siti@rahayu@example.go.id",
        "s" * 65 + "@example.go.id",
        "siti@" + "a" * 64 + ".go.id",
        "siti@" + ("a" * 60 + ".") * 5 + "go.id",
    ],
)
def test_normalise_email_rejects(raw: str) -> None:
    with pytest.raises(FormatError) as info:
        normalise_email(raw)
    assert info.value.code == "email_invalid"


def test_mask_email_keeps_first_letter_and_domain() -> None:
    assert mask_email("siti.rahayu@example.go.id") == "s***@example.go.id"


def test_mask_email_hides_one_letter_mailboxes_and_garbage() -> None:
    assert mask_email("s@example.go.id") == "***@example.go.id"
    assert mask_email("bukan email") == "***"


# ------------------------------------------------------------------------------- NIP


def test_parse_nip_reads_every_group() -> None:
    nip = parse_nip("19860926 201505 1 001", TODAY)
    assert nip == Nip(
        value="198609262015051001",
        birth_date=date(1986, 9, 26),
        appointment=(2015, 5),
        sex="L",
        sequence=1,
    )


def test_parse_nip_female_without_spaces() -> None:
    nip = parse_nip("199003152019032004", TODAY)
    assert nip.sex == "P"
    assert nip.sequence == 4
    assert nip.birth_date == date(1990, 3, 15)


def test_nip_is_immutable() -> None:
    nip = parse_nip("19860926 201505 1 001", TODAY)
    with pytest.raises(AttributeError):
        nip.sex = "P"  # type: ignore[misc]


def test_parse_nip_accepts_appointment_in_month_of_18th_birthday() -> None:
    assert parse_nip("20010915 201909 1 002", TODAY).appointment == (2019, 9)


def test_parse_nip_accepts_appointment_in_current_month() -> None:
    assert parse_nip("19950101 202411 2 010", TODAY).appointment == (2024, 11)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("19860926 201505 1 00", "nip_invalid"),  # 17 digits
        ("19860926 201505 1 0011", "nip_invalid"),  # 19 digits
        ("1986O926 201505 1 001", "nip_invalid"),  # letter O typed for zero
        ("19860926-201505-1-001", "nip_invalid"),
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", "nip_invalid"),  # Arabic-Indic digits
        ("19860230 201505 1 001", "nip_birth_date"),  # 30 February
        ("19861301 201505 1 001", "nip_birth_date"),
        ("18991231 192001 1 001", "nip_birth_date"),  # nobody that old is serving
        ("20250101 204301 1 001", "nip_birth_date"),  # born after today
        ("19860926 201500 1 001", "nip_appointment"),
        ("19860926 201513 1 001", "nip_appointment"),
        ("20010915 201908 1 002", "nip_appointment"),  # one month before turning 18
        ("19860926 202412 1 001", "nip_appointment"),  # next month
        ("19860926 201505 3 001", "nip_sex"),
        ("19860926 201505 0 001", "nip_sex"),
    ],
)
def test_parse_nip_rejects(raw: str, code: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_nip(raw, TODAY)
    assert info.value.code == code


def test_parse_nip_uses_the_given_today() -> None:
    with pytest.raises(FormatError, match="future"):
        parse_nip("19860926 202412 1 001", date(2024, 11, 30))
    assert parse_nip("19860926 202412 1 001", date(2024, 12, 1)).appointment == (2024, 12)


def test_compact_nip_only_checks_the_shape() -> None:
    assert compact_nip(" 19860926 201513 3 001 ") == "198609262015133001"


def test_check_nip_shape_pns_applies_full_check() -> None:
    assert check_nip_shape("19860926 201505 1 001", "PNS", TODAY) == "198609262015051001"
    with pytest.raises(FormatError) as info:
        check_nip_shape("19860926 201513 1 001", "PNS", TODAY)
    assert info.value.code == "nip_appointment"


def test_check_nip_shape_pppk_checks_only_eighteen_digits() -> None:
    # Split differently from a PNS NIP: digits 9-14 are not an appointment month.
    assert check_nip_shape("19850312 2023 21 2 005", "PPPK", TODAY) == "198503122023212005"
    with pytest.raises(FormatError):
        check_nip_shape("19850312 2023 21 2 05", "PPPK", TODAY)


@pytest.mark.parametrize(
    "number", ["198503122023212005", "19860926 201505 1 001", "1206012505870003"]
)
def test_check_nip_shape_refuses_any_number_for_non_asn_staff(number: str) -> None:
    # Honorer, PTT and PPNPN staff have no NIP: an NI PPPK means they are PPPK now, and a
    # 16-digit number is their KTP number (NIK).
    with pytest.raises(FormatError, match="has no NIP") as info:
        check_nip_shape(number, "NON_ASN", TODAY)
    assert info.value.code == "nip_not_asn"


def test_check_nip_shape_without_a_known_status_checks_only_the_shape() -> None:
    assert check_nip_shape("19850312 2023 21 2 005", None, TODAY) == "198503122023212005"
    with pytest.raises(FormatError, match="18 digits"):
        check_nip_shape("1206012505870003", None, TODAY)


def test_check_nip_shape_rejects_unknown_employment_type() -> None:
    with pytest.raises(ValueError, match="employment type"):
        check_nip_shape("198609262015051001", "HONORER", TODAY)  # type: ignore[arg-type]


# ------------------------------------------------------------------- pydantic field types


def _refusal(adapter: TypeAdapter[str], raw: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(raw)
    [error] = caught.value.errors()
    return error["type"], error["msg"]


def test_phone_field_normalises_and_refuses_with_the_rule_and_its_words() -> None:
    phone: TypeAdapter[str] = TypeAdapter(Phone)
    assert phone.validate_python("0812-3456-7890") == "+6281234567890"
    assert _refusal(phone, "021 555 1234") == (
        "phone_not_mobile",
        "not a mobile number (mobile numbers start with 08 or +628); landlines are not accepted",
    )
    # Braces in a message are text, never a template.
    assert _refusal(phone, "{0812}") == (
        "phone_invalid",
        "phone number may contain only digits, spaces, dashes, dots, parentheses and a leading +",
    )
    # The length is checked on what was typed, before the number is parsed.
    code, _ = _refusal(phone, "0812 " * (PHONE_INPUT_MAX_LENGTH // 4))
    assert code == "string_too_long"


def test_email_field_lowers_the_domain_and_refuses_with_the_rule_and_its_words() -> None:
    email: TypeAdapter[str] = TypeAdapter(Email)
    assert email.validate_python("Siti.Rahayu@Example.GO.ID") == "Siti.Rahayu@example.go.id"
    assert _refusal(email, "siti@localhost") == (
        "email_invalid",
        "the part after @ is not a valid domain",
    )
    assert email.json_schema()["format"] == "email"
