"""Validation of the triage rules, and the shipped rules themselves."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from services.triage.domain.rules import (
    CATEGORY_CODES,
    FALLBACK_CATEGORY,
    RulesError,
    parse_rules,
)
from services.triage.rules_files import default_rules_text, load_default_rules, load_rules_text

SHIPPED: dict[str, Any] = yaml.safe_load(default_rules_text())


def shipped() -> dict[str, Any]:
    """A fresh copy of the shipped rules data, to break one thing at a time."""
    return copy.deepcopy(SHIPPED)


def rejected(data: dict[str, Any]) -> RulesError:
    with pytest.raises(RulesError) as caught:
        parse_rules(data)
    return caught.value


class TestShippedRules:
    def test_load_and_carry_a_version(self) -> None:
        rules = load_default_rules()
        assert rules.version == SHIPPED["version"]
        assert rules.version.strip()

    def test_cover_every_category_code_in_order(self) -> None:
        rules = load_default_rules()
        assert tuple(c.code for c in rules.categories) == CATEGORY_CODES

    @pytest.mark.parametrize(
        ("code", "sanction"),
        [
            ("MEDSOS", "berat"),
            ("FOTO_POSE", "berat"),
            ("KAMPANYE", "berat"),
            ("ATRIBUT", "berat"),
            ("FASILITAS", "berat"),
            ("KEPUTUSAN", "berat"),
            ("MOBILISASI", "sedang"),
            ("PARPOL", "ptdh"),
            ("DUKUNGAN_KTP", "berat"),
            ("HOAKS", "konten"),
            ("SARA", "konten"),
            ("LAINNYA", "belum_ditentukan"),
        ],
    )
    def test_carry_the_discipline_matrix_sanctions(self, code: str, sanction: str) -> None:
        assert load_default_rules().category(code).sanction == sanction

    def test_have_labels_in_both_languages_and_phrases_for_every_violation(self) -> None:
        for category in load_default_rules().categories:
            assert category.label_id
            assert category.label_en
            if category.code != FALLBACK_CATEGORY:
                assert len(category.phrases) >= 10, category.code

    def test_expand_abbreviations_from_the_rules_table(self) -> None:
        rules = load_default_rules()
        assert rules.abbreviations["yg"] == "yang"
        words = rules.normalizer.tokens("timses paslon di FB").words
        assert words == ("tim", "sukses", "pasangan", "calon", "facebook")

    def test_unknown_code_falls_back_to_lainnya(self) -> None:
        assert load_default_rules().category("NOT_A_CODE").code == FALLBACK_CATEGORY

    def test_text_loader_gives_the_same_rules(self) -> None:
        assert load_rules_text(default_rules_text()).version == load_default_rules().version


class TestRejectsInvalidRules:
    def test_missing_version(self) -> None:
        data = shipped()
        del data["version"]
        error = rejected(data)
        assert "version" in str(error)

    def test_version_that_is_not_text(self) -> None:
        data = shipped()
        data["version"] = 2026.11
        error = rejected(data)
        assert error.path == "version"
        assert "quote" in str(error)

    def test_unknown_category_code(self) -> None:
        data = shipped()
        data["categories"]["MEDSOSS"] = copy.deepcopy(data["categories"]["MEDSOS"])
        error = rejected(data)
        assert error.path == "categories.MEDSOSS"
        assert "unknown category code" in str(error)

    def test_missing_category(self) -> None:
        data = shipped()
        del data["categories"]["SARA"]
        error = rejected(data)
        assert error.path == "categories"
        assert "SARA" in str(error)

    def test_missing_sanction(self) -> None:
        data = shipped()
        del data["categories"]["PARPOL"]["sanction"]
        error = rejected(data)
        assert error.path == "categories.PARPOL"
        assert "sanction" in str(error)

    def test_unknown_sanction(self) -> None:
        data = shipped()
        data["categories"]["PARPOL"]["sanction"] = "pecat"
        assert rejected(data).path == "categories.PARPOL.sanction"

    def test_negative_weight(self) -> None:
        data = shipped()
        data["categories"]["MEDSOS"]["phrases"]["share"] = -2
        error = rejected(data)
        assert error.path == "categories.MEDSOS.phrases.share"
        assert "negative" in str(error)

    def test_zero_or_non_numeric_weight(self) -> None:
        data = shipped()
        data["categories"]["MEDSOS"]["phrases"]["share"] = 0
        assert "greater than zero" in str(rejected(data))
        data["categories"]["MEDSOS"]["phrases"]["share"] = "tinggi"
        assert "number" in str(rejected(data))
        data["categories"]["MEDSOS"]["phrases"]["share"] = True
        assert "number" in str(rejected(data))

    def test_negative_near_miss_weight(self) -> None:
        data = shipped()
        data["categories"]["MEDSOS"]["near_miss"]["pengumuman resmi"] = -4
        assert rejected(data).path == "categories.MEDSOS.near_miss.pengumuman resmi"

    def test_phrase_that_is_not_text(self) -> None:
        data = shipped()
        data["categories"]["HOAKS"]["phrases"][True] = 2  # what YAML makes of `yes: 2`
        error = rejected(data)
        assert error.path.startswith("categories.HOAKS.phrases")
        assert "must be text" in str(error)

    def test_duplicate_phrase_in_one_category_after_normalising(self) -> None:
        data = shipped()
        data["categories"]["MEDSOS"]["phrases"]["SHARE"] = 1
        error = rejected(data)
        assert error.path == "categories.MEDSOS.phrases.SHARE"
        assert "duplicates categories.MEDSOS.phrases.share" in str(error)

    def test_duplicate_phrase_through_an_abbreviation(self) -> None:
        data = shipped()
        data["categories"]["KAMPANYE"]["phrases"]["timses"] = 2
        assert "tim sukses" in str(rejected(data))

    def test_same_phrase_in_two_categories(self) -> None:
        data = shipped()
        data["categories"]["FOTO_POSE"]["phrases"]["share"] = 1
        error = rejected(data)
        assert error.path == "categories.FOTO_POSE.phrases.share"
        assert "categories.MEDSOS.phrases.share" in str(error)

    def test_a_phrase_may_count_for_one_category_and_against_another(self) -> None:
        data = shipped()
        data["categories"]["MOBILISASI"]["near_miss"]["share"] = 1
        rules = parse_rules(data)
        assert any(p.text == "share" for p in rules.category("MOBILISASI").near_miss)

    def test_phrase_with_nothing_left_to_match(self) -> None:
        data = shipped()
        data["categories"]["SARA"]["phrases"]["yang dan"] = 1
        assert "no words to match" in str(rejected(data))
        data = shipped()
        data["categories"]["SARA"]["phrases"]["suku ... ..."] = 1
        assert "no words to match" in str(rejected(data))

    def test_unknown_key_anywhere(self) -> None:
        data = shipped()
        data["categories"]["MEDSOS"]["phrase"] = {}
        assert rejected(data).path == "categories.MEDSOS.phrase"
        data = shipped()
        data["colours"] = []
        assert rejected(data).path == "colours"
        data = shipped()
        data["settings"]["min_scor"] = 1
        assert rejected(data).path == "settings.min_scor"

    def test_settings_out_of_range(self) -> None:
        data = shipped()
        data["settings"]["review_below"] = 1.5
        assert rejected(data).path == "settings.review_below"
        data = shipped()
        data["settings"]["max_scan_chars"] = 0
        assert rejected(data).path == "settings.max_scan_chars"

    def test_abbreviation_that_is_not_one_word(self) -> None:
        data = shipped()
        data["abbreviations"]["tim ses"] = "tim sukses"
        assert rejected(data).path == "abbreviations.tim ses"

    def test_url_host_with_unknown_category(self) -> None:
        data = shipped()
        data["url_hosts"]["facebook.com"] = {"MEDSOSS": 1}
        assert rejected(data).path == "url_hosts.facebook.com.MEDSOSS"

    def test_priority_thresholds_out_of_order(self) -> None:
        data = shipped()
        data["priority"]["thresholds"]["high"] = data["priority"]["thresholds"]["urgent"]
        assert rejected(data).path == "priority.thresholds.urgent"

    def test_priority_missing_a_used_sanction(self) -> None:
        data = shipped()
        del data["priority"]["sanction_points"]["ptdh"]
        error = rejected(data)
        assert error.path == "priority.sanction_points"
        assert "ptdh" in str(error)

    def test_tier_reason_with_an_unknown_placeholder(self) -> None:
        data = shipped()
        data["priority"]["deadline"][0]["reason"] = "tenggat {hari}"
        assert rejected(data).path == "priority.deadline[0].reason"

    def test_duplicate_position_phrase(self) -> None:
        data = shipped()
        data["priority"]["positions"][1]["phrases"].append("sekda")
        assert "duplicates" in str(rejected(data))

    @pytest.mark.parametrize(
        ("principal", "over", "path"),
        [
            ("FASILTAS", ["KAMPANYE"], "proposal.principal_act.precedence.FASILTAS"),
            ("LAINNYA", ["KAMPANYE"], "proposal.principal_act.precedence.LAINNYA"),
            ("HOAKS", ["MEDSOS", "LAINNYA"], "proposal.principal_act.precedence.HOAKS.over[1]"),
            ("HOAKS", ["HOAKS"], "proposal.principal_act.precedence.HOAKS.over"),
            ("HOAKS", [], "proposal.principal_act.precedence.HOAKS.over"),
        ],
    )
    def test_principal_act_line_naming_no_act(
        self, principal: str, over: list[str], path: str
    ) -> None:
        data = shipped()
        data["proposal"]["principal_act"]["precedence"][principal] = {
            "over": over,
            "reason_id": "alasan",
            "reason_en": "reason",
        }
        assert rejected(data).path == path

    def test_two_acts_each_filed_over_the_other(self) -> None:
        data = shipped()
        data["proposal"]["principal_act"]["precedence"]["MEDSOS"] = {
            "over": ["HOAKS"],
            "reason_id": "alasan",
            "reason_en": "reason",
        }
        error = rejected(data)
        assert "each take precedence over the other" in str(error)
        assert error.path.startswith("proposal.principal_act.precedence.")

    def test_principal_act_line_without_its_reason(self) -> None:
        data = shipped()
        del data["proposal"]["principal_act"]["precedence"]["SARA"]["reason_en"]
        assert rejected(data).path == "proposal.principal_act.precedence.SARA"

    @pytest.mark.parametrize(
        ("section", "key", "value", "path"),
        [
            ("secondary", "max", 4, "proposal.secondary.max"),
            ("secondary", "evidence", {"rules_score": 3}, "proposal.secondary.evidence"),
            ("no_breach", "confidence", 1.5, "proposal.no_breach.confidence"),
            ("no_breach", "election_terms", "pilkada", "proposal.no_breach.election_terms"),
            ("no_breach", "elektion_terms", [], "proposal.no_breach.elektion_terms"),
        ],
    )
    def test_proposal_settings_out_of_range_or_misnamed(
        self, section: str, key: str, value: object, path: str
    ) -> None:
        data = shipped()
        data["proposal"][section][key] = value
        assert rejected(data).path == path

    def test_duplicate_election_term_after_normalising(self) -> None:
        data = shipped()
        data["proposal"]["no_breach"]["election_terms"].append("paslon")  # "pasangan calon"
        error = rejected(data)
        assert error.path.startswith("proposal.no_breach.election_terms[")
        assert "duplicates" in str(error)

    def test_rules_without_a_proposal_section_resolve_nothing(self) -> None:
        data = shipped()
        del data["proposal"]
        rules = parse_rules(data)
        assert rules.proposal.precedence == ()
        assert rules.proposal.election_terms == ()

    def test_not_a_mapping_at_all(self) -> None:
        with pytest.raises(RulesError):
            parse_rules(["version"])  # type: ignore[arg-type]


class TestRulesText:
    def test_repeated_yaml_key_is_an_error_not_a_silent_overwrite(self) -> None:
        text = default_rules_text().replace(
            "      share: 2.5\n", "      share: 2.5\n      share: 1\n", 1
        )
        with pytest.raises(RulesError) as caught:
            load_rules_text(text)
        assert "share" in str(caught.value)
        assert "twice" in str(caught.value)

    def test_unquoted_yes_as_a_phrase_is_reported(self) -> None:
        text = default_rules_text().replace("      hoaks: 4\n", "      hoaks: 4\n      yes: 1\n", 1)
        with pytest.raises(RulesError, match="must be text"):
            load_rules_text(text)

    def test_broken_yaml_names_the_line(self) -> None:
        with pytest.raises(RulesError) as caught:
            load_rules_text("version: '1'\ncategories: [unclosed\n")
        assert caught.value.path.startswith("line ")
        assert "not valid YAML" in str(caught.value)

    def test_document_that_is_not_a_mapping(self) -> None:
        with pytest.raises(RulesError, match="mapping"):
            load_rules_text("- just\n- a list\n")
        with pytest.raises(RulesError, match="mapping"):
            load_rules_text("")
