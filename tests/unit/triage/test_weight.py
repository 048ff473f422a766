"""Weighing a classified case: sanction level, score, priority and the reasons."""

from __future__ import annotations

import math

import pytest

from services.triage.domain.classifier import CaseFacts, Classification, classify
from services.triage.domain.rules import CATEGORY_CODES
from services.triage.domain.weight import WeighFacts, Weight, weigh
from services.triage.rules_files import load_default_rules

RULES = load_default_rules()
POINTS = RULES.priority.sanction_points


def as_category(code: str) -> Classification:
    return Classification(
        category=code,
        secondary=(),
        confidence=0.9,
        needs_review=False,
        reasons=(),
        rules_version=RULES.version,
    )


def weighed(code: str = "MEDSOS", **facts: object) -> Weight:
    return weigh(as_category(code), WeighFacts(**facts), RULES)  # type: ignore[arg-type]


def expected_priority(score: int) -> str:
    for name, minimum in RULES.priority.thresholds:
        if score >= minimum:
            return name
    return "low"


@pytest.mark.parametrize("code", CATEGORY_CODES)
def test_sanction_level_comes_from_the_category(code: str) -> None:
    result = weighed(code)
    sanction = RULES.category(code).sanction
    assert result.sanction_level == sanction
    assert result.score == POINTS[sanction]
    assert result.priority == expected_priority(result.score)


def test_party_office_weighs_more_than_partisan_activity() -> None:
    assert weighed("PARPOL").score > weighed("MEDSOS").score > weighed("MOBILISASI").score


def test_only_the_factors_that_raised_the_score_are_named() -> None:
    result = weighed("MEDSOS")
    assert result.reasons == ("MEDSOS: hukuman disiplin berat",)


def test_unknown_category_is_weighed_as_undecided() -> None:
    result = weighed("NOT_A_CODE")
    assert result.sanction_level == "belum_ditentukan"


class TestSeniority:
    def test_senior_position_raises_the_score(self) -> None:
        staff = weighed(positions=("Staf",))
        head = weighed(positions=("Kepala Dinas",))
        camat = weighed(positions=("Camat",))
        assert head.score > camat.score > staff.score
        assert "pejabat pimpinan tinggi: Kepala Dinas" in head.reasons

    def test_only_the_most_senior_position_counts(self) -> None:
        both = weighed(positions=("Camat", "Sekda"))
        sekda = weighed(positions=("Sekda",))
        assert both.score == sekda.score
        assert [r for r in both.reasons if r.startswith("pejabat")] == [
            "pejabat pimpinan tinggi: Sekda"
        ]

    def test_position_named_in_the_text(self) -> None:
        result = weighed(text="Camat Munte membagikan video kampanye")
        assert "pejabat wilayah atau administrator: Camat" in result.reasons

    def test_a_district_is_not_its_head(self) -> None:
        # "kecamatan" names a place; it must not count as the office of camat.
        assert weighed(text="pegawai di kecamatan Munte").score == weighed().score


class TestReach:
    @pytest.mark.parametrize(
        "text",
        [
            "videonya viral di tiktok",
            "sudah ditonton 10 ribu views",
            "dibagikan ribuan kali di facebook",
            "10rb views dalam sehari",
        ],
    )
    def test_wide_reach(self, text: str) -> None:
        result = weighed(text=text)
        assert result.score > weighed().score
        assert any(r.startswith("jangkauan luas") for r in result.reasons)

    def test_many_staff_involved(self) -> None:
        result = weighed("MOBILISASI", text="kadis mengumpulkan seluruh ASN di aula")
        assert any(r.startswith("melibatkan banyak pegawai") for r in result.reasons)

    def test_each_signal_group_counts_once(self) -> None:
        once = weighed(text="viral")
        many = weighed(text="viral, trending, ribuan views, fyp")
        assert once.score == many.score

    def test_only_the_scan_budget_of_text_is_read(self) -> None:
        far = "kata " * RULES.settings.max_scan_chars + " viral"
        assert weighed(text=far).score == weighed().score


class TestHistoryAndClock:
    def test_prior_cases_add_points_up_to_a_cap(self) -> None:
        base = weighed().score
        per_case = RULES.priority.prior_case_points
        cap = RULES.priority.prior_case_cap
        assert weighed(prior_cases_of_accused=1).score == base + per_case
        assert weighed(prior_cases_of_accused=50).score == base + cap
        assert (
            "1 kasus sebelumnya atas terlapor yang sama"
            in weighed(prior_cases_of_accused=1).reasons
        )

    def test_negative_prior_cases_count_as_none(self) -> None:
        assert weighed(prior_cases_of_accused=-3).score == weighed().score

    def test_a_closer_deadline_weighs_more(self) -> None:
        scores = [weighed(days_to_deadline=d).score for d in (10, 3, 2, 1, 0.5, 0, -2)]
        assert scores == sorted(scores)
        assert scores[0] == weighed().score
        assert scores[-1] > scores[1]

    def test_missed_deadline_makes_a_serious_case_urgent(self) -> None:
        result = weighed("MEDSOS", days_to_deadline=-1)
        assert "tenggat sudah terlewati" in result.reasons
        assert result.priority == "urgent"

    def test_deadline_reason_gives_whole_days(self) -> None:
        assert "tenggat 1 hari lagi" in weighed(days_to_deadline=0.4).reasons

    def test_report_window_closing(self) -> None:
        result = weighed(days_since_known=5.5)
        assert "mendekati batas 7 hari sejak diketahui (5 hari)" in result.reasons
        assert weighed(days_since_known=8).score >= result.score

    def test_nan_and_infinite_days_are_ignored(self) -> None:
        base = weighed().score
        assert weighed(days_to_deadline=math.nan).score == base
        assert weighed(days_since_known=math.inf).score == base


class TestEndToEnd:
    def test_viral_post_by_a_camat_near_the_deadline_is_urgent(self) -> None:
        title = "Camat share video kampanye paslon"
        description = "Video sudah viral, dibagikan ribuan kali di fb"
        classification = classify(CaseFacts(title, description), RULES)
        result = weigh(
            classification,
            WeighFacts(
                employment_types=("PNS",),
                positions=("Camat",),
                text=f"{title}\n{description}",
                days_to_deadline=1,
            ),
            RULES,
        )
        assert classification.category == "MEDSOS"
        assert result.sanction_level == "berat"
        assert result.priority == "urgent"
        assert result.priority == expected_priority(result.score)
        assert "terlapor berstatus PNS" in result.reasons

    def test_quiet_non_asn_content_case_is_not_urgent(self) -> None:
        classification = classify(CaseFacts("hoaks tps dipindah", "tidak benar"), RULES)
        result = weigh(classification, WeighFacts(employment_types=("NON_ASN",)), RULES)
        assert result.sanction_level == "konten"
        assert result.priority in {"normal", "low"}
        assert not any("terlapor berstatus" in r for r in result.reasons)
