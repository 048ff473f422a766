"""Every template of every event type and language renders, with what an officer needs.

A template naming a field that does not exist fails here, not in an officer's inbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from jinja2 import DictLoader, meta

from services.notify.recipients import Profile
from services.notify.rendering import (
    LANGUAGES,
    LINK_TEMPLATES,
    MAIL_PARTS,
    NOTICE_PARTS,
    NOTICE_TEMPLATE,
    OTHER_TEMPLATES,
    PARTS,
    TEMPLATED_EVENTS,
    DigestItem,
    DigestNotice,
    Renderer,
    RenderError,
    alert_word,
    default_renderer,
)
from services.notify.sms_text import SMS_LIMIT
from shared import ladder_steps
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
    Event,
    Recipient,
    SignInLinkIssued,
)
from shared.contracts import CaseSubmitted as _Submitted

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "notify" / "templates"
URL = "https://pantau.kukarkab.go.id/kasus/65f0c0ffee0000000000abcd"
SHORT_URL = "https://pantau.kukarkab.go.id/k/65f0c0ffee0000000000abcd"
DUE = datetime(2024, 11, 29, 16, 59, tzinfo=UTC)  # 23:59 WIB, 00:59 WITA, 01:59 WIT
MOVED = datetime(2024, 12, 6, 16, 59, tzinfo=UTC)  # a week later, the same time of day


# Reasons as an older triage sends them during a rolling upgrade: codes, in one language.
REMINDER = "lapor_verification@2024-11-29:reminder:24h"
BREACH = "lapor_verification@2024-11-29:breach:supervisor"
PROVINCE = "lapor_verification@2024-11-29:breach:province"
REASSIGN = "assignment:1:reassign"
OLD_REASONS = {
    REMINDER: "Pengingat: tenggat tahap lapor_verification tinggal 24h",
    BREACH: "Tenggat tahap lapor_verification terlewati; diteruskan ke supervisor",
    PROVINCE: (
        "Tenggat tahap lapor_verification terlewati dan kasus belum ditangani; "
        "diteruskan ke provinsi"
    ),
    REASSIGN: "Penugasan ke provinsi belum dikonfirmasi; mohon ditindaklanjuti",
}


def escalation(step: str, due: datetime | None = DUE, reason: str | None = None) -> CaseEscalated:
    return CaseEscalated(
        case_id="65f0c0ffee0000000000abcd",
        step=step,
        title="Camat memakai mobil dinas untuk kampanye paslon",
        category="FASILITAS",
        priority="urgent",
        due_at=due,
        recipient=Recipient(officer_id="kukar-bkpsdm-1", name="Andi Saputra"),
        reason=reason if reason is not None else OLD_REASONS.get(step, "Batas waktu terlewati"),
    )


def _events(due: datetime | None) -> dict[str, Event]:
    officer = Recipient(officer_id="kukar-bkpsdm-1", name="Andi Saputra")
    return {
        CaseAssigned.TYPE: CaseAssigned(
            case_id="65f0c0ffee0000000000abcd",
            decision_id="d-1",
            tracking_code="K7QM-3XPA-9D2F-HT6W",
            title="Camat memakai mobil dinas untuk kampanye paslon",
            category="FASILITAS",
            priority="high",
            due_at=due,
            unit="INSPEKTORAT",
            assignee=officer,
        ),
        CaseEscalated.TYPE: escalation(BREACH, due),
        CaseReassigned.TYPE: CaseReassigned(
            case_id="65f0c0ffee0000000000abcd",
            tracking_code="K7QM-3XPA-9D2F-HT6W",
            title="Camat memakai mobil dinas untuk kampanye paslon",
            category="FASILITAS",
            priority="high",
            due_at=due,
            unit="INSPEKTORAT",
            assignee=officer,
            previous_officer_id="kukar-insp-2",
            actor="Kepala Inspektorat <Kukar>",
            reason="Petugas sebelumnya cuti",
        ),
        CaseInformationReceived.TYPE: CaseInformationReceived(
            case_id="65f0c0ffee0000000000abcd",
            tracking_code="K7QM-3XPA-9D2F-HT6W",
            title="Camat memakai mobil dinas untuk kampanye paslon",
            category="FASILITAS",
            priority="high",
            due_at=due,
            files=2,
            recipient=officer,
        ),
        # A moved deadline always has its new date; the old one may be unknown.
        CaseDeadlineMoved.TYPE: CaseDeadlineMoved(
            case_id="65f0c0ffee0000000000abcd",
            decision_id="d-2",
            tracking_code="K7QM-3XPA-9D2F-HT6W",
            title="Camat memakai mobil dinas untuk kampanye paslon",
            category="FASILITAS",
            priority="high",
            due_at=MOVED,
            previous_due_at=due,
            stage="lapor_answer",
            recipient=officer,
        ),
    }


ZONES = {"Asia/Jakarta": "23:59 WIB", "Asia/Makassar": "00:59 WITA", "Asia/Jayapura": "01:59 WIT"}
NEXT_STEP = {"id": "Langkah berikutnya", "en": "Next step"}
CATEGORY = {"id": "Penggunaan fasilitas negara", "en": "Use of state facilities"}


@pytest.mark.parametrize("event_type", sorted(TEMPLATED_EVENTS))
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", sorted(ZONES))
def test_every_event_template_renders_what_the_officer_needs(
    event_type: str, language: str, zone: str
) -> None:
    event = _events(DUE)[event_type]
    reader = Profile(
        officer_id="kukar-bkpsdm-1", name="Andi Saputra", language=language, timezone=zone
    )
    rendered = default_renderer().render(event, reader, case_url=URL, short_url=SHORT_URL)
    for part in (rendered.text, rendered.html):
        assert "Andi Saputra" in part
        assert CATEGORY[language] in part
        assert "FASILITAS" in part
        assert ZONES[zone] in part
        assert NEXT_STEP[language] in part
        assert URL in part
        assert SHORT_URL not in part
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert len(rendered.sms) <= SMS_LIMIT
    # An SMS carries the console's short address, which redirects to the case's page.
    assert SHORT_URL in rendered.sms
    assert URL not in rendered.sms
    assert ZONES[zone].split(" ")[1] in rendered.sms


@pytest.mark.parametrize("event_type", sorted(TEMPLATED_EVENTS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_event_templates_render_without_a_deadline(event_type: str, language: str) -> None:
    event = _events(None)[event_type]
    reader = Profile(officer_id="x", name="Andi", language=language)
    rendered = default_renderer().render(event, reader, case_url=URL)
    assert ("belum ditetapkan" if language == "id" else "not set") in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", [1, 3, 300])
def test_digest_templates_render_for_one_or_many_alerts(language: str, count: int) -> None:
    items = [
        DigestItem(
            case_id=f"case-{i}",
            case_code=f"CODE-{i:04d}",
            title=f"Laporan pemantauan media sosial nomor {i}",
            category="MEDSOS",
            priority="low" if i % 3 else "high",
            due_at=DUE,
            case_url=f"{URL}{i}",
            event_type=CaseAssigned.TYPE,
        )
        for i in range(count)
    ]
    reader = Profile(
        officer_id="x", name="Andi Saputra", language=language, timezone="Asia/Makassar"
    )
    for reason in ("quiet hours", "rate limit"):
        rendered = default_renderer().render_digest(items, reader, reason)
        assert str(count) in rendered.subject
        assert "CODE-0000" in rendered.text
        assert "00:59 WITA" in rendered.html
        assert NEXT_STEP[language] in rendered.text
        assert len(rendered.sms) <= SMS_LIMIT


def _held(code: str, event_type: str, *, step: str = "", resend: int = 0) -> DigestItem:
    """A held alert as a digest lists it."""
    return DigestItem(
        case_id=code,
        case_code=code,
        title=f"Laporan {code}",
        category="MEDSOS",
        priority="normal",
        due_at=DUE,
        case_url=URL,
        event_type=event_type,
        step=step,
        resend=resend,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_digest_marks_a_held_reminder_as_one_and_an_escalation_as_one(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    items = [
        _held("CODE-R", CaseEscalated.TYPE, step=REMINDER),
        _held("CODE-E", CaseEscalated.TYPE, step=BREACH),
    ]
    rendered = default_renderer().render_digest(items, reader, "quiet hours")
    reminder, escalation = {"id": ("PENGINGAT", "ESKALASI"), "en": ("REMINDER", "ESCALATION")}[
        language
    ]
    lines = {line.split(" | ")[0]: line for line in rendered.text.splitlines() if "CODE-" in line}
    assert lines["- CODE-R"].endswith(f"| {reminder}")
    assert lines["- CODE-E"].endswith(f"| {escalation}")
    assert f"<strong>{reminder}</strong> Laporan CODE-R" in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_digest_marks_an_assignment_sent_again_and_not_a_new_one(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    items = [_held("CODE-A", CaseAssigned.TYPE, resend=1), _held("CODE-N", CaseAssigned.TYPE)]
    rendered = default_renderer().render_digest(items, reader, "rate limit")
    reminder = {"id": "PENGINGAT", "en": "REMINDER"}[language]
    lines = {line.split(" | ")[0]: line for line in rendered.text.splitlines() if "CODE-" in line}
    assert lines["- CODE-A"].endswith(f"| {reminder}")
    assert reminder not in lines["- CODE-N"]
    assert f"<strong>{reminder}</strong> Laporan CODE-A" in rendered.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_test_message_templates_render(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi", language=language)
    rendered = default_renderer().render_test(reader, "sms", DUE)
    assert "sms" in rendered.text
    assert len(rendered.sms) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_receipt_carries_the_code_and_where_to_follow_it_in_one_sms(language: str) -> None:
    url = "https://pantau.karokab.go.id/lacak/K7QM-3XPA-9D2F-HT6W"
    rendered = default_renderer().render_receipt("K7QM-3XPA-9D2F-HT6W", language, url)
    for part in (rendered.subject, rendered.text, rendered.html, rendered.sms):
        assert "K7QM-3XPA-9D2F-HT6W" in part
    assert url in rendered.text
    assert url in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_answer_alert_withholds_the_answer_and_counts_its_files(language: str) -> None:
    event = _events(DUE)[CaseInformationReceived.TYPE]
    reader = Profile(officer_id="kukar-bkpsdm-1", name="Andi Saputra", language=language)
    rendered = default_renderer().render(event, reader, case_url=URL)
    assert "2" in rendered.text
    assert not any(
        "text" in name or "answer" in name for name in CaseInformationReceived.model_fields
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", sorted(ZONES))
def test_a_moved_deadline_names_the_new_date_and_the_old_one(language: str, zone: str) -> None:
    event = _events(DUE)[CaseDeadlineMoved.TYPE]
    reader = Profile(officer_id="x", name="Andi Saputra", language=language, timezone=zone)
    rendered = default_renderer().render(event, reader, case_url=URL, short_url=SHORT_URL)
    day = {
        "Asia/Jakarta": "06-12-2024",
        "Asia/Makassar": "07-12-2024",
        "Asia/Jayapura": "07-12-2024",
    }
    old = {
        "Asia/Jakarta": "29-11-2024",
        "Asia/Makassar": "30-11-2024",
        "Asia/Jayapura": "30-11-2024",
    }
    for part in (rendered.text, rendered.html):
        assert f"{day[zone]} {ZONES[zone]}" in part
        assert f"{old[zone]} {ZONES[zone]}" in part
    assert day[zone] in rendered.subject
    assert ("Batas waktu berubah" if language == "id" else "Deadline moved") in rendered.subject
    assert "06/12" in rendered.sms or "07/12" in rendered.sms
    assert "K7QM-3XPA-9D2F-HT6W" in rendered.sms
    # The stage the new date is for, in words in the reader's language.
    stage = "tindak lanjut laporan" if language == "id" else "report follow-up"
    for part in (rendered.text, rendered.html):
        assert stage in part
        assert "lapor_answer" not in part


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("window_s", [600, 300])
def test_the_last_alert_of_a_rate_window_names_the_window_and_the_digest(
    language: str, window_s: int
) -> None:
    event = _events(DUE)[CaseAssigned.TYPE]
    reader = Profile(officer_id="x", name="Andi", language=language, timezone="Asia/Makassar")
    until = datetime(2024, 11, 20, 2, 40, tzinfo=UTC)  # 10:40 WITA
    notice = DigestNotice(window_s=window_s, until=until)
    plain = default_renderer().render(event, reader, case_url=URL, short_url=SHORT_URL)
    rendered = default_renderer().render(
        event, reader, case_url=URL, short_url=SHORT_URL, notice=notice
    )
    minutes = f"{window_s // 60} menit" if language == "id" else f"{window_s // 60}-minute"
    digest = "satu ringkasan" if language == "id" else "one digest"
    for part in (rendered.text, rendered.html):
        assert minutes in part
        assert "10:40 WITA" in part
        assert digest in part
        assert minutes not in plain.text
        assert "10:40 WITA" not in plain.html
    # The alert itself is all still there, and the SMS keeps its code and link in one part.
    assert plain.text.strip() in rendered.text
    assert rendered.subject == plain.subject
    assert "10:40" in rendered.sms
    assert "K7QM-3XPA-9D2F-HT6W" in rendered.sms
    assert SHORT_URL in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT


def test_without_a_short_address_the_sms_carries_the_case_page() -> None:
    event = _events(DUE)[CaseAssigned.TYPE]
    reader = Profile(officer_id="x", name="Andi")
    assert URL in default_renderer().render(event, reader, case_url=URL).sms


def test_every_template_file_belongs_to_a_known_message() -> None:
    expected = (
        {
            f"{base}.{language}.{part}.j2"
            for base in [*TEMPLATED_EVENTS.values(), *OTHER_TEMPLATES]
            for language in LANGUAGES
            for part in PARTS
        }
        | {
            f"{base}.{language}.{part}.j2"
            for base in LINK_TEMPLATES.values()
            for language in LANGUAGES
            for part in MAIL_PARTS
        }
        | {
            f"{NOTICE_TEMPLATE}.{language}.{part}.j2"
            for language in LANGUAGES
            for part in NOTICE_PARTS
        }
    )
    assert {p.name for p in TEMPLATES.glob("*.j2")} == expected


ALLOWED = {
    "event",
    "recipient",
    "case_code",
    "category",
    "priority",
    "due",
    "due_short",
    "case_url",
    "short_url",
    "previous_due",
    # why a case is escalated, and which stage a moved deadline is for, in the reader's words
    "step_text",
    "stage",
    "alert_word",  # a reminder is not an escalation
    "step_headline",
    "reminder",
    "resend",  # an assignment sent again is no new case
    # the digest notice of a rate window's last alert
    "minutes",
    "until",
    # sign-in links
    "link_url",
    "invited_by",
    "expires",
    # digests and tests
    "items",
    "count",
    "more",
    "important",
    "quiet",
    "codes",
    "channel",
    "sent_at",
    # receipts of tracking codes
    "code",
    "track_url",
}


def test_templates_read_only_the_context_they_are_given() -> None:
    env = default_renderer().env
    for path in TEMPLATES.glob("*.j2"):
        names = meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
        assert names <= ALLOWED, (path.name, names - ALLOWED)
        assert not any("reporter" in n or "pelapor" in n for n in names)


def test_no_event_that_alerts_carries_the_reporter() -> None:
    # Templates receive events whole, so the events themselves must not hold the reporter.
    for model in (CaseAssigned, CaseEscalated, CaseInformationReceived, CaseDeadlineMoved):
        assert not any("reporter" in name for name in model.model_fields)
    # The submission event does not either; the reporter stays in intake's vault.
    assert not any("reporter" in name for name in _Submitted.model_fields)


def test_a_template_missing_a_field_is_a_render_error_not_blank_text() -> None:
    broken = {f"case_assigned.id.{part}.j2": "Kasus {{ event.no_such_field }}" for part in PARTS}
    renderer = Renderer(DictLoader(broken))
    event = _events(DUE)[CaseAssigned.TYPE]
    with pytest.raises(RenderError, match="no_such_field"):
        renderer.render(event, Profile(officer_id="x", name="Andi"), case_url=URL)


def test_unknown_language_falls_back_to_bahasa_indonesia() -> None:
    event = _events(DUE)[CaseAssigned.TYPE]
    reader = Profile(officer_id="x", name="Andi", language="jv")
    assert "Kasus baru untuk Anda" in default_renderer().render(event, reader, case_url=URL).subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reassignment_says_who_moved_it_and_why_with_their_words_escaped(language: str) -> None:
    event = _events(DUE)[CaseReassigned.TYPE]
    reader = Profile(officer_id="kukar-bkpsdm-1", name="Andi Saputra", language=language)
    rendered = default_renderer().render(event, reader, case_url=URL)
    assert "Petugas sebelumnya cuti" in rendered.text
    assert "Kepala Inspektorat <Kukar>" in rendered.text
    assert "Kepala Inspektorat &lt;Kukar&gt;" in rendered.html
    assert "<Kukar>" not in rendered.html


STEP_TEXT = {
    ("en", REMINDER): "Reminder: the report verification deadline is 24 hours away",
    ("id", REMINDER): "Pengingat: tenggat tahap verifikasi laporan tinggal 24 jam",
    ("en", BREACH): "The report verification deadline has passed; passed on to the supervisor",
    ("id", BREACH): "Tenggat tahap verifikasi laporan terlewati; diteruskan ke atasan",
    ("en", PROVINCE): "The report verification deadline has passed and the case has not been",
    ("id", PROVINCE): "Tenggat tahap verifikasi laporan terlewati dan kasus belum ditangani",
    ("en", REASSIGN): "The assignment to the province has not been confirmed; please follow up",
    ("id", REASSIGN): "Penugasan ke provinsi belum dikonfirmasi; mohon ditindaklanjuti",
}


@pytest.mark.parametrize("step", [REMINDER, BREACH, PROVINCE, REASSIGN])
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_escalation_says_why_in_the_readers_language_without_codes(
    step: str, language: str
) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    rendered = default_renderer().render(
        escalation(step), reader, case_url=URL, short_url=SHORT_URL
    )
    for part in (rendered.text, rendered.html):
        assert STEP_TEXT[language, step] in part
        assert "lapor_verification" not in part
        assert "24h" not in part
        assert "supervisor" not in part or language == "en"
    if language == "en":
        for indonesian in ("Pengingat", "Tenggat", "terlewati", "diteruskan", "Penugasan"):
            assert indonesian not in rendered.text
    assert "lapor_verification" not in rendered.sms
    assert "24h" not in rendered.sms
    assert SHORT_URL in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reminder_says_reminder_and_a_breach_escalation_in_subject_and_sms(
    language: str,
) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    words = {"id": ("PENGINGAT", "ESKALASI"), "en": ("REMINDER", "ESCALATION")}[language]
    for step, word in ((REMINDER, words[0]), (BREACH, words[1]), (PROVINCE, words[1])):
        rendered = default_renderer().render(
            escalation(step), reader, case_url=URL, short_url=SHORT_URL
        )
        assert rendered.subject.startswith(f"[Pantau] {word}:")
        assert rendered.sms.startswith(f"{word}: ")
        assert SHORT_URL in rendered.sms
        # The officer is told to finish the stage; those above, to see that someone does.
        finish = {"id": "selesaikan tahap ini", "en": "finish this stage"}[language]
        assert (finish in rendered.text) is (step == REMINDER)
        assert len(rendered.sms) <= SMS_LIMIT


def _assigned(reason: str = "") -> CaseAssigned:
    event = _events(DUE)[CaseAssigned.TYPE]
    assert isinstance(event, CaseAssigned)
    return event.model_copy(update={"reason": reason})


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_assignment_sent_again_reads_as_a_reminder_not_as_a_new_case(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    renderer = default_renderer()
    first = renderer.render(_assigned(), reader, case_url=URL, short_url=SHORT_URL)
    again = renderer.render(
        _assigned(ladder_steps.resend_reason(2)), reader, case_url=URL, short_url=SHORT_URL
    )
    new_case, word, which, may_move = {
        "id": ("Kasus baru", "PENGINGAT", "pengingat ke-2", "dialihkan ke petugas lain"),
        "en": ("New case", "REMINDER", "reminder 2", "given to another officer"),
    }[language]
    assert new_case in first.subject
    assert new_case in first.sms
    assert word not in first.subject + first.text + first.sms
    assert may_move not in first.text
    assert again.subject.startswith(f"[Pantau] {word}:")
    assert again.sms.startswith(f"{word}:")
    assert new_case not in again.subject + again.text + again.html + again.sms
    for part in (again.text, again.html):
        assert which in part
        assert may_move in part
    # Still the case's code, its link and its deadline in one SMS.
    assert "K7QM-3XPA-9D2F-HT6W" in again.sms
    assert SHORT_URL in again.sms
    assert len(again.sms) <= SMS_LIMIT


@pytest.mark.parametrize(
    "reason",
    ["", "Petugas sebelumnya cuti", "Penugasan belum dikonfirmasi: dikirim ulang (0)"],
)
def test_an_assignment_with_any_other_reason_is_a_new_case(reason: str) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language="id")
    rendered = default_renderer().render(_assigned(reason), reader, case_url=URL)
    assert "Kasus baru" in rendered.subject
    assert "PENGINGAT" not in rendered.subject


# Every step the ladder writes, with the longest stage names: what an SMS must still say.
LADDER_STEPS = [
    ladder_steps.reminder_key(stage, date(2024, 11, 29), timedelta(hours=24))
    for stage in ladder_steps.STAGE_LABELS
] + [
    ladder_steps.reminder_key("ppk_decision_delivery", date(2024, 11, 29), timedelta(minutes=90)),
    *(ladder_steps.breach_supervisor_key(s, date(2024, 11, 29)) for s in ladder_steps.STAGE_LABELS),
    *(ladder_steps.breach_province_key(s, date(2024, 11, 29)) for s in ladder_steps.STAGE_LABELS),
    REASSIGN,
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", LADDER_STEPS)
def test_an_escalation_sms_leads_with_why_in_words_and_keeps_the_link(
    step: str, language: str
) -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    rendered = default_renderer().render(
        escalation(step), reader, case_url=URL, short_url=SHORT_URL
    )
    why = ladder_steps.headline(step, language)
    assert why
    assert rendered.sms.startswith(f"{alert_word(step, language)}: {why}")
    assert SHORT_URL in rendered.sms
    assert len(rendered.sms) <= SMS_LIMIT
    # The case's id is in its link; written out too, it took the room of the why.
    assert rendered.sms.count("65f0c0ffee0000000000abcd") == 1


def test_an_escalation_sms_of_a_step_this_release_cannot_word_carries_its_reason() -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language="id")
    event = escalation("lapor_verification@2024-11-29:breach:minister", reason="Alasan baru")
    rendered = default_renderer().render(event, reader, case_url=URL, short_url=SHORT_URL)
    assert rendered.sms.startswith("ESKALASI: Alasan baru.")


def test_an_english_reminder_is_english_and_names_the_stage() -> None:
    reader = Profile(officer_id="x", name="Andi Saputra", language="en")
    rendered = default_renderer().render(escalation(REMINDER), reader, case_url=URL)
    assert (
        "This case needs your attention: "
        "Reminder: the report verification deadline is 24 hours away"
    ) in rendered.text
    assert "report verification" in rendered.html
    assert OLD_REASONS[REMINDER] not in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_escalation_step_this_release_does_not_know_keeps_its_reason(language: str) -> None:
    event = escalation("lapor_verification@2024-11-29:breach:minister", reason="Alasan <baru>")
    reader = Profile(officer_id="x", name="Andi Saputra", language=language)
    rendered = default_renderer().render(event, reader, case_url=URL)
    assert "Alasan <baru>" in rendered.text
    assert "Alasan &lt;baru&gt;" in rendered.html


LINK = "https://pantau.kukarkab.go.id/masuk/tautan/Zm9vYmFyYmF6cXV4"
LINK_EXPIRES = datetime(2024, 11, 29, 16, 29, tzinfo=UTC)  # 23:29 WIB, 00:29 WITA


def _link(purpose: str, invited_by: str | None) -> SignInLinkIssued:
    return SignInLinkIssued(
        officer_id="kukar-bkpsdm-1",
        recipient=Recipient(officer_id="kukar-bkpsdm-1", name="Andi Saputra"),
        purpose=purpose,  # type: ignore[arg-type]
        url=LINK,
        expires_at=LINK_EXPIRES,
        invited_by=invited_by,
    )


ONCE = {"id": "hanya bisa dipakai sekali dan berlaku 30 menit", "en": "works once and for 30"}
IGNORE = {"id": "abaikan", "en": "ignore"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invitation_says_who_invited_and_that_the_link_works_once_for_30_minutes(
    language: str,
) -> None:
    reader = Profile(
        officer_id="x", name="Andi Saputra", language=language, timezone="Asia/Makassar"
    )
    rendered = default_renderer().render_link(_link("invitation", "Drs. Herman <Karo>"), reader)
    for part in (rendered.text, rendered.html):
        assert "Andi Saputra" in part
        assert LINK in part
        assert ONCE[language] in part
        assert "00:29 WITA" in part
    assert "Drs. Herman <Karo>" in rendered.text
    assert "Drs. Herman &lt;Karo&gt;" in rendered.html
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.sms == ""  # a link never goes by SMS


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invitation_nobody_signed_names_nobody(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi", language=language)
    rendered = default_renderer().render_link(_link("invitation", None), reader)
    assert "None" not in rendered.text
    assert LINK in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reset_says_it_was_asked_for_and_to_ignore_it_otherwise(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi", language=language)
    rendered = default_renderer().render_link(_link("reset", None), reader)
    for part in (rendered.text, rendered.html):
        assert LINK in part
        assert ONCE[language] in part
        assert IGNORE[language] in part
    assert (
        rendered.subject
        != default_renderer().render_link(_link("invitation", None), reader).subject
    )
    assert rendered.sms == ""
