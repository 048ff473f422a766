"""The richer-lexicon candidate the accuracy bench measures: valid rules that only add to the
shipped ones, so the bench compares a lexicon and nothing else."""

from __future__ import annotations

from dataclasses import replace

from bench.triage_accuracy import load_richer_rules
from services.triage.domain.classifier import CaseFacts, classify
from services.triage.rules_files import load_default_rules


def test_the_candidate_keeps_every_shipped_phrase_weight_and_setting() -> None:
    shipped, richer = load_default_rules(), load_richer_rules()
    assert richer.settings == shipped.settings
    assert richer.priority == shipped.priority
    assert richer.proposal == shipped.proposal
    assert dict(richer.abbreviations).items() >= dict(shipped.abbreviations).items()
    for old in shipped.categories:
        new = richer.category(old.code)
        assert (new.label_id, new.sanction) == (old.label_id, old.sanction)
        assert set(new.phrases) >= set(old.phrases), old.code
        assert set(new.near_miss) >= set(old.near_miss), old.code
    assert sum(len(c.phrases) for c in richer.categories) > sum(
        len(c.phrases) for c in shipped.categories
    )


def test_the_candidate_reads_paraphrases_the_shipped_lexicon_misses() -> None:
    report = CaseFacts(
        title="Honorer kelurahan menghimpun salinan kartu identitas warga",
        description=(
            "Ia meminta warga menyerahkan salinan kartu identitas sebagai tanda dukungan"
            " bagi bakal calon wali kota dari jalur nonpartai."
        ),
    )
    shipped = replace(load_default_rules(), learned=None)
    richer = replace(load_richer_rules(), learned=None)
    assert classify(report, shipped).category != "DUKUNGAN_KTP"
    assert classify(report, richer).category == "DUKUNGAN_KTP"
