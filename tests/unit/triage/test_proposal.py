"""Triage's proposal: the learned model chooses, the rules explain and flag."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.triage.domain.classifier import (
    FLAG_EMPTY,
    FLAG_SCATTERED,
    FLAG_UNREADABLE,
    CaseFacts,
    classify,
)
from services.triage.domain.proposal import propose
from services.triage.rules_files import load_default_rules, shipped_examples

RULES = load_default_rules()


@pytest.mark.parametrize(
    ("title", "description", "rules_say", "expected"),
    [
        (
            "kendaraan milik pemkab dipakai ke posko pemenangan",
            "tiap malam mobil inventaris bagian umum parkir di posko salah satu calon",
            "KAMPANYE",
            "FASILITAS",
        ),
        (
            "gambar calon diolah secara digital beredar",
            "foto calon wakil bupati diolah secara digital seolah sedang mabuk, disebar di grup",
            "FOTO_POSE",
            "HOAKS",
        ),
        (
            "sosialisasi tahapan pilkada oleh kpu di aula kecamatan",
            "camat hadir sebagai narasumber resmi, undangan dari KPU, tidak ada atribut calon",
            "FASILITAS",
            "LAINNYA",
        ),
    ],
)
def test_what_the_lexicon_misreads_the_model_reads(
    title: str, description: str, rules_say: str, expected: str
) -> None:
    facts = CaseFacts(title, description)
    assert classify(facts, replace(RULES, learned=None)).category == rules_say
    proposal = propose(facts, RULES)
    assert proposal.category == expected
    assert RULES.learned is not None
    assert proposal.model_version == RULES.learned.version
    assert proposal.neighbours
    assert "Laporan terkonfirmasi terdekat" in proposal.explain("id")
    assert "Closest confirmed reports" in proposal.explain("en")


def test_a_report_stuffed_with_every_keyword_gets_an_honest_low_confidence_and_review() -> None:
    stuffed = (
        "spanduk baliho stiker kaos ktp dukungan partai pengurus kampanye orasi mobil dinas "
        "plat merah mutasi jabatan hoaks editan suku agama facebook share foto dua jari "
    ) * 3
    proposal = propose(CaseFacts("laporan", stuffed), RULES)
    assert proposal.needs_review
    assert proposal.confidence < RULES.settings.review_below
    assert FLAG_SCATTERED in proposal.flags
    assert "terlalu banyak kategori" in proposal.explain("id")


def test_empty_and_foreign_text_are_left_to_the_rules_with_no_confidence() -> None:
    empty = propose(CaseFacts("", ""), RULES)
    foreign = propose(
        CaseFacts("Report", "The district officer posted campaign material yesterday."), RULES
    )
    for proposal, flag in ((empty, FLAG_EMPTY), (foreign, FLAG_UNREADABLE)):
        assert proposal.category == "LAINNYA"
        assert proposal.confidence == 0.0
        assert proposal.needs_review
        assert flag in proposal.flags
        assert proposal.model_version == ""


def test_the_rules_phrases_for_the_chosen_category_come_first_and_it_is_no_secondary() -> None:
    facts = CaseFacts(
        "Camat unggah foto dua jari bersama calon bupati",
        "Foto diunggah di Facebook dan dibagikan ulang puluhan kali.",
    )
    proposal = propose(facts, RULES)
    assert proposal.reasons[0].category == proposal.category
    assert proposal.category not in proposal.secondary
    assert len(proposal.secondary) <= RULES.proposal.max_secondary


def test_without_a_model_the_rules_decide_alone() -> None:
    facts = CaseFacts("pns share poster paslon di ig", "")
    assert propose(facts, replace(RULES, learned=None)) == classify(facts, RULES)


def test_the_shipped_examples_cover_every_category() -> None:
    examples = shipped_examples()
    assert len(examples) >= 700
    assert len({e.id for e in examples}) == len(examples)
    assert {e.category for e in examples} == {c.code for c in RULES.categories}
