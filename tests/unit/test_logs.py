"""JSON log lines: the fields every line carries, and no personal data in any of them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from shared import correlation, logs


@pytest.fixture
def lines() -> Iterator[Any]:
    """Configure logging as a process does, writing into a buffer; yields a reader of the
    JSON lines written so far."""
    logs.configure("intake", "INFO")
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "_pantau", False)]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)

    def read() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    yield read
    logging.getLogger().removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hubungi 0812-3456-7890 segera", "hubungi +62812****7890 segera"),
        ("hubungi 081234567890.", "hubungi +62812****7890."),
        ("nomor +62 812 3456 7890", "nomor +62812****7890"),
        ("nomor 6281234567890", "nomor +62812****7890"),
        ("dari siti.rahayu@example.go.id", "dari s***@example.go.id"),
        ("a 0800 1234 5678 b", "a **** b"),  # not a mobile prefix, masked all the same
    ],
)
def test_personal_data_in_text_is_masked(text: str, expected: str) -> None:
    assert logs.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "case 65a1f08123456789abcdef01",  # an ObjectId with 08… inside
        "correlation 0812345678901234567890abcdef1234",  # a hex id starting like a phone
        "at 2024-08-15T10:00:00+07:00",
        "latency 0.8123456789 s",
        "count 08122024",  # too few digits for a phone number
        "NIP 198609262015051001",
        "from Pantau <pantau@localhost>",  # a service address, not a person's
    ],
)
def test_ids_times_and_numbers_are_left_alone(text: str) -> None:
    assert logs.mask_text(text) == text


def test_each_event_is_one_json_line_with_the_context_fields(lines: Any) -> None:
    log = logging.getLogger("pantau.test")
    with correlation.bound("c0ffee", "12.06"):
        log.info("case %s stored", "abc")
    log.warning("outside any request")
    first, second = lines()
    assert first["message"] == "case abc stored"
    assert first["level"] == "INFO"
    assert first["service"] == "intake"
    assert first["correlation_id"] == "c0ffee"
    assert first["tenant"] == "12.06"
    assert first["timestamp"].endswith("+00:00")
    assert second["level"] == "WARNING"
    assert second["correlation_id"] is None


def test_message_arguments_and_extra_fields_are_masked(lines: Any) -> None:
    log = logging.getLogger("pantau.test")
    log.info(
        "reporter %s called from %s",
        "siti.rahayu@example.go.id",
        "0812-3456-7890",
        extra={
            "phone": "not even a number",
            "reporter": {"name": "Siti Rahayu"},
            "error": "550 <joni.sitepu@karo.example> mailbox unavailable",
            "recipients": ["a.b@dinas.example.go.id", "karo-bkpsdm-1"],
            "detail": {"contact_email": "x@y.example", "note": "call 081234567890"},
            "case_id": "65a1f08123456789abcdef01",
        },
    )
    (line,) = lines()
    text = json.dumps(line)
    for secret in ("siti.rahayu", "3456-7890", "Siti Rahayu", "joni.sitepu", "a.b@", "x@y"):
        assert secret not in text, secret
    assert line["message"] == "reporter s***@example.go.id called from +62812****7890"
    assert line["phone"] == logs.MASK
    assert line["reporter"] == logs.MASK
    assert line["error"] == "550 <j***@karo.example> mailbox unavailable"
    assert line["recipients"] == ["a***@dinas.example.go.id", "karo-bkpsdm-1"]
    assert line["detail"] == {"contact_email": logs.MASK, "note": "call +62812****7890"}
    assert line["case_id"] == "65a1f08123456789abcdef01"


def test_tracebacks_are_masked(lines: Any) -> None:
    log = logging.getLogger("pantau.test")
    try:
        raise ValueError("recipient joni.sitepu@karo.example refused, sms 081234567890 failed")
    except ValueError:
        log.exception("alert not sent")
    (line,) = lines()
    assert "Traceback" in line["exc_info"]
    assert "j***@karo.example" in line["exc_info"]
    assert "+62812****7890" in line["exc_info"]
    assert "joni.sitepu" not in json.dumps(line)
    assert "081234567890" not in json.dumps(line)


def test_a_dict_message_is_masked_field_by_field(lines: Any) -> None:
    logging.getLogger("pantau.test").info({"event": "sent", "email": "a@b.example"})
    (line,) = lines()
    assert line["event"] == "sent"
    assert line["email"] == logs.MASK
