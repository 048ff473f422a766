"""The ladder's step keys: written as they always were, read back, worded for an officer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.sla import DEFAULT_RULES
from shared.ladder_steps import (
    STAGE_LABELS,
    Step,
    breach_province_key,
    breach_supervisor_key,
    describe,
    headline,
    offset_label,
    parse,
    reassign_key,
    reminder_key,
    resend_count,
    resend_key,
    resend_reason,
    stage_label,
)

DAY = date(2024, 12, 2)
STAGES = sorted(DEFAULT_RULES)
LANGUAGES = ("id", "en")


def every_key(stage: str) -> dict[str, str]:
    """One key of every kind, by kind."""
    return {
        "reminder": reminder_key(stage, DAY, timedelta(hours=24)),
        "escalate_supervisor": breach_supervisor_key(stage, DAY),
        "escalate_province": breach_province_key(stage, DAY),
        "resend": resend_key(1, 2),
        "reassign": reassign_key(1),
    }


# --- the keys stored fired steps are found under -----------------------------------------------


def test_keys_are_written_exactly_as_fired_steps_are_stored() -> None:
    assert reminder_key("lapor_answer", DAY, timedelta(hours=24)) == (
        "lapor_answer@2024-12-02:reminder:24h"
    )
    assert reminder_key("lapor_answer", DAY, timedelta(hours=2)) == (
        "lapor_answer@2024-12-02:reminder:2h"
    )
    assert reminder_key("lapor_answer", DAY, timedelta(minutes=90)) == (
        "lapor_answer@2024-12-02:reminder:90m"
    )
    assert breach_supervisor_key("lapor_answer", DAY) == "lapor_answer@2024-12-02:breach:supervisor"
    assert breach_province_key("lapor_answer", DAY) == "lapor_answer@2024-12-02:breach:province"
    assert resend_key(2, 1) == "assignment:2:resend:1"
    assert reassign_key(3) == "assignment:3:reassign"


@pytest.mark.parametrize(
    ("offset", "label"),
    [(timedelta(hours=24), "24h"), (timedelta(minutes=120), "2h"), (timedelta(minutes=90), "90m")],
)
def test_an_offset_is_written_in_hours_when_it_is_whole_hours(
    offset: timedelta, label: str
) -> None:
    assert offset_label(offset) == label


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=-1), timedelta(seconds=90)])
def test_an_offset_that_is_no_whole_positive_minutes_is_refused(offset: timedelta) -> None:
    with pytest.raises(ValueError, match="whole positive minutes"):
        offset_label(offset)


@pytest.mark.parametrize("stage", ["", "a:b", "a@b", "a b"])
def test_a_stage_that_would_not_read_back_is_refused(stage: str) -> None:
    with pytest.raises(ValueError, match="stage code"):
        breach_supervisor_key(stage, DAY)


@pytest.mark.parametrize(("sequence", "count"), [(0, 1), (1, 0), (-1, 1)])
def test_sequences_and_counts_start_at_one(sequence: int, count: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        resend_key(sequence, count)
    if sequence < 1:
        with pytest.raises(ValueError, match="starts at 1"):
            reassign_key(sequence)


# --- reading them back -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_every_key_reads_back_as_what_it_was_built_from(stage: str) -> None:
    assert parse(reminder_key(stage, DAY, timedelta(hours=24))) == Step(
        "reminder", stage, DAY, offset_minutes=24 * 60
    )
    assert parse(reminder_key(stage, DAY, timedelta(minutes=90))) == Step(
        "reminder", stage, DAY, offset_minutes=90
    )
    assert parse(breach_supervisor_key(stage, DAY)) == Step("escalate_supervisor", stage, DAY)
    assert parse(breach_province_key(stage, DAY)) == Step("escalate_province", stage, DAY)
    assert parse(resend_key(2, 1)) == Step("resend", sequence=2, count=1)
    assert parse(reassign_key(3)) == Step("reassign", sequence=3)


stages = st.text(
    st.characters(codec="utf-8", exclude_characters="@:", exclude_categories=("Zs", "Cc")),
    min_size=1,
    max_size=30,
).filter(lambda s: not any(c.isspace() for c in s))


@given(
    stages,
    st.dates(),
    st.integers(min_value=1, max_value=60 * 24 * 30),
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=100),
)
def test_any_key_reads_back(stage: str, day: date, minutes: int, sequence: int, count: int) -> None:
    reminder = parse(reminder_key(stage, day, timedelta(minutes=minutes)))
    assert reminder == Step("reminder", stage, day, offset_minutes=minutes)
    assert parse(breach_province_key(stage, day)) == Step("escalate_province", stage, day)
    assert parse(resend_key(sequence, count)) == Step("resend", sequence=sequence, count=count)


GARBAGE = [
    "",
    "x:y",
    "breach:supervisor",
    "lapor_answer@2024-12-02:reminder:",
    "lapor_answer@2024-12-02:reminder:24",
    "lapor_answer@2024-12-02:reminder:0h",
    "lapor_answer@2024-12-02:reminder:024h",
    "lapor_answer@2024-12-02:reminder:120m",
    "lapor_answer@2024-12-02:reminder:24h:extra",
    "lapor_answer@2024-12-02:reminder:-2h",
    "lapor_answer@2024-12-02:breach:",
    "lapor_answer@2024-12-02:breach:mayor",
    "lapor_answer@2024-13-02:breach:supervisor",
    "lapor_answer@2024-02-30:breach:supervisor",
    "lapor_answer@20241202:breach:supervisor",
    "lapor_answer@２０２４-12-02:breach:supervisor",
    "lapor_answer:2024-12-02:breach:supervisor",
    "@2024-12-02:breach:supervisor",
    "lapor answer@2024-12-02:breach:supervisor",
    " lapor_answer@2024-12-02:breach:supervisor",
    "lapor_answer@2024-12-02:breach:supervisor\n",
    "assignment:x:reassign",
    "assignment:0:reassign",
    "assignment:1:reassign:2",
    "assignment::reassign",
    "assignment:1:resend",
    "assignment:1:resend:",
    "assignment:1:resend:0",
    "assignment:1:resend:x",
    "assignment:-1:resend:1",
    "assignment:1:resign",
    "ASSIGNMENT:1:reassign",
]


@pytest.mark.parametrize("key", GARBAGE)
def test_anything_else_is_not_a_step(key: str) -> None:
    assert parse(key) is None
    for language in LANGUAGES:
        assert describe(key, language) is None


@given(st.text(max_size=80))
def test_reading_never_raises(key: str) -> None:
    parse(key)
    describe(key, "en")


# --- words for officers ------------------------------------------------------------------------


def test_every_stage_has_a_label_in_both_languages() -> None:
    assert set(STAGE_LABELS) == set(DEFAULT_RULES)
    for stage in DEFAULT_RULES:
        for language in LANGUAGES:
            label = STAGE_LABELS[stage][language]
            assert label
            assert label != stage
            assert "_" not in label
            assert stage_label(stage, language) == label
        assert STAGE_LABELS[stage]["id"] != STAGE_LABELS[stage]["en"]


def test_an_unknown_stage_is_named_by_its_code_and_an_unknown_language_is_indonesian() -> None:
    assert stage_label("cepat", "en") == "cepat"
    assert stage_label("lapor_verification", "jv") == "verifikasi laporan"
    assert stage_label("lapor_verification", "en") == "report verification"


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_is_worded_without_codes(stage: str, language: str) -> None:
    for kind, key in every_key(stage).items():
        text = describe(key, language)
        assert text, kind
        assert stage not in text
        assert "24h" not in text
        assert not any(code in text for code in ("_", "@", "breach", "resend", "reassign"))
        if kind in ("reminder", "escalate_supervisor", "escalate_province"):
            assert STAGE_LABELS[stage][language] in text


def test_indonesian_sentences_keep_their_shape_with_words_for_codes() -> None:
    assert describe("lapor_verification@2024-12-02:reminder:24h", "id") == (
        "Pengingat: tenggat tahap verifikasi laporan tinggal 24 jam"
    )
    assert describe("lapor_verification@2024-12-02:reminder:90m", "id") == (
        "Pengingat: tenggat tahap verifikasi laporan tinggal 90 menit"
    )
    assert describe("lapor_answer@2024-12-02:breach:supervisor", "id") == (
        "Tenggat tahap tindak lanjut laporan terlewati; diteruskan ke atasan"
    )
    assert describe("lapor_closure@2024-12-02:breach:province", "id") == (
        "Tenggat tahap penutupan laporan terlewati dan kasus belum ditangani; "
        "diteruskan ke provinsi"
    )
    assert describe("assignment:2:reassign", "id") == (
        "Penugasan ke provinsi belum dikonfirmasi; mohon ditindaklanjuti"
    )
    assert describe("assignment:1:resend:2", "id") == (
        "Penugasan belum dikonfirmasi: dikirim ulang (2)"
    )


def test_english_sentences_read_naturally() -> None:
    assert describe("lapor_verification@2024-12-02:reminder:24h", "en") == (
        "Reminder: the report verification deadline is 24 hours away"
    )
    assert describe("bawaslu_decision@2024-12-02:reminder:1h", "en") == (
        "Reminder: the Bawaslu decision deadline is 1 hour away"
    )
    assert describe("bawaslu_decision@2024-12-02:reminder:90m", "en") == (
        "Reminder: the Bawaslu decision deadline is 90 minutes away"
    )
    assert describe("bawaslu_decision@2024-12-02:reminder:1m", "en") == (
        "Reminder: the Bawaslu decision deadline is 1 minute away"
    )
    assert describe("ppk_decision_delivery@2024-12-02:breach:supervisor", "en") == (
        "The PPK decision delivery deadline has passed; passed on to the supervisor"
    )
    assert describe("pilkada_report@2024-12-02:breach:province", "en") == (
        "The Pilkada violation reporting deadline has passed and the case has not been "
        "handled; passed on to the province"
    )
    assert describe("assignment:2:reassign", "en") == (
        "The assignment to the province has not been confirmed; please follow up"
    )


def test_an_unknown_language_gets_indonesian_and_an_unknown_stage_its_code() -> None:
    key = "lapor_answer@2024-12-02:reminder:2h"
    assert describe(key, "jv") == describe(key, "id")
    assert describe("cepat@2024-12-02:reminder:2h", "en") == (
        "Reminder: the cepat deadline is 2 hours away"
    )


def test_a_resend_reason_is_written_as_triage_always_wrote_it() -> None:
    # Resends already queued by an older triage carry this sentence: it must read back.
    assert resend_reason(1) == "Penugasan belum dikonfirmasi: dikirim ulang (1)"
    assert resend_count("Penugasan belum dikonfirmasi: dikirim ulang (1)") == 1
    with pytest.raises(ValueError, match="count"):
        resend_reason(0)


@given(st.integers(min_value=1, max_value=10**6))
def test_a_resend_reason_reads_back_its_count(count: int) -> None:
    assert resend_count(resend_reason(count)) == count


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "Petugas sebelumnya cuti",
        "Penugasan belum dikonfirmasi: dikirim ulang (0)",
        "Penugasan belum dikonfirmasi: dikirim ulang (2) lagi",
        "penugasan belum dikonfirmasi: dikirim ulang (2)",
        "Penugasan belum dikonfirmasi: dikirim ulang (\u0663)",  # an Arabic-Indic three
    ],
)
def test_any_other_reason_is_no_resend(reason: str) -> None:
    assert resend_count(reason) is None


@given(st.text(max_size=80))
def test_no_text_breaks_the_resend_reader(reason: str) -> None:
    count = resend_count(reason)
    assert count is None or resend_reason(count) == reason


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("stage", STAGES)
def test_a_headline_names_the_stage_in_words_without_repeating_the_alert_word(
    stage: str, language: str
) -> None:
    for key in (
        reminder_key(stage, DAY, timedelta(hours=24)),
        breach_supervisor_key(stage, DAY),
        breach_province_key(stage, DAY),
    ):
        words = headline(key, language)
        assert words is not None
        assert stage_label(stage, language) in words
        assert stage not in words or stage_label(stage, language) == stage
        assert not words.lower().startswith(("pengingat", "reminder", "eskalasi", "escalation"))
        # It leads an SMS of 160 characters that must still hold the case's link.
        assert len(words) <= 90


def test_headlines_say_what_happened_and_where_the_case_went() -> None:
    assert headline("lapor_verification@2024-12-02:reminder:90m", "id") == (
        "tenggat tahap verifikasi laporan tinggal 90 menit"
    )
    assert headline("lapor_answer@2024-12-02:breach:supervisor", "en") == (
        "report follow-up deadline passed, sent to the supervisor"
    )
    assert headline("assignment:2:reassign", "id") == "penugasan ke provinsi belum dikonfirmasi"
    assert headline("lapor_answer@2024-12-02:breach:minister", "id") is None
