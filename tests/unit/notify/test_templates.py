"""Every template of every event type and language renders, with what an officer needs.

A template naming a field that does not exist fails here, not in an officer's inbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import DictLoader, meta

from services.notify.recipients import Profile
from services.notify.rendering import (
    LANGUAGES,
    OTHER_TEMPLATES,
    PARTS,
    TEMPLATED_EVENTS,
    DigestItem,
    Renderer,
    RenderError,
    default_renderer,
)
from services.notify.sms_text import SMS_LIMIT
from shared.contracts import (
    CaseAssigned,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
    Event,
    Recipient,
    SignInLinkIssued,
)
from shared.contracts import CaseSubmitted as _Submitted

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "notify" / "templates"
URL = "https://pantau.kukarkab.go.id/v1/cases/65f0c0ffee0000000000abcd"
DUE = datetime(2024, 11, 29, 16, 59, tzinfo=UTC)  # 23:59 WIB, 00:59 WITA, 01:59 WIT


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
        CaseEscalated.TYPE: CaseEscalated(
            case_id="65f0c0ffee0000000000abcd",
            step="breach:supervisor",
            title="Camat memakai mobil dinas untuk kampanye paslon",
            category="FASILITAS",
            priority="urgent",
            due_at=due,
            recipient=officer,
            reason="Batas waktu pemeriksaan terlewati",
        ),
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
    rendered = default_renderer().render(event, reader, case_url=URL)
    for part in (rendered.text, rendered.html):
        assert "Andi Saputra" in part
        assert CATEGORY[language] in part
        assert "FASILITAS" in part
        assert ZONES[zone] in part
        assert NEXT_STEP[language] in part
        assert URL in part
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert len(rendered.sms) <= SMS_LIMIT
    assert URL in rendered.sms
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_test_message_templates_render(language: str) -> None:
    reader = Profile(officer_id="x", name="Andi", language=language)
    rendered = default_renderer().render_test(reader, "sms", DUE)
    assert "sms" in rendered.text
    assert len(rendered.sms) <= SMS_LIMIT


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", ["invitation", "reset"])
def test_sign_in_link_mails_carry_the_link_and_its_end_in_the_persons_zone(
    language: str, purpose: str
) -> None:
    reader = Profile(officer_id="x", name="Andi", language=language, timezone="Asia/Makassar")
    event = SignInLinkIssued(
        officer_id="x",
        recipient=Recipient(officer_id="x", name="Andi", email="andi@kukarkab.go.id"),
        purpose=purpose,  # type: ignore[arg-type]
        url="https://pantau.example/masuk/tautan/abc123",
        expires_at=DUE,
    )
    rendered = default_renderer().render_link(event, reader)
    for part in (rendered.text, rendered.html):
        assert "https://pantau.example/masuk/tautan/abc123" in part
        assert "30-11-2024 00:59 WITA" in part
    invited = "Undangan" if language == "id" else "invitation"
    assert (invited in rendered.subject) is (purpose == "invitation")


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


def test_every_template_file_belongs_to_a_known_message() -> None:
    expected = {
        f"{base}.{language}.{part}.j2"
        for base in [*TEMPLATED_EVENTS.values(), *OTHER_TEMPLATES]
        for language in LANGUAGES
        for part in PARTS
    }
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
    # digests and tests
    "items",
    "count",
    "more",
    "important",
    "quiet",
    "codes",
    "channel",
    "sent_at",
    # a person's one-time sign-in link
    "invitation",
    "link_url",
    "valid_until",
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
    for model in (CaseAssigned, CaseEscalated, CaseInformationReceived):
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
