"""The proposal's part of the rules: the principal act, secondary categories and election
talk with no breach, as pure decisions over both readings' scores and on real reports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.triage.domain.classifier import FLAG_NO_BREACH, CaseFacts
from services.triage.domain.proposal import (
    Readings,
    breach_seen,
    principal_act,
    propose,
    secondary_acts,
)
from services.triage.domain.proposal_rules import Evidence, Precedence, ProposalRules
from services.triage.rules_files import load_default_rules

RULES = load_default_rules()
TABLE = ProposalRules(
    principal_evidence=Evidence(rules_score=2.5, model_gap=0.4),
    precedence=(
        Precedence("FASILITAS", ("KAMPANYE", "MEDSOS"), "fasilitas negara", "state facilities"),
        Precedence("HOAKS", ("MEDSOS",), "konten rekayasa", "doctored content"),
    ),
    secondary_evidence=Evidence(rules_score=3.0, model_gap=1.25),
    max_secondary=1,
    breach_evidence=Evidence(rules_score=3.0, model_gap=0.2),
    election_terms=("pilkada",),
    no_breach_confidence=0.3,
)


def readings(rules: dict[str, float], model: dict[str, float]) -> Readings:
    ranked = tuple(sorted(model, key=lambda code: -model[code]))
    return Readings(rules=rules, model=model, ranked=ranked)


class TestPrincipalAct:
    def test_a_facility_both_readings_see_is_filed_over_the_campaign(self) -> None:
        seen = readings({"KAMPANYE": 6.0, "FASILITAS": 3.5}, {"KAMPANYE": 0.5, "FASILITAS": 0.2})
        resolved = principal_act(seen, TABLE)
        assert resolved is not None
        category, why = resolved
        assert category == "FASILITAS"
        assert (why.over, why.reason_id, why.reason_en) == (
            "KAMPANYE",
            "fasilitas negara",
            "state facilities",
        )

    @pytest.mark.parametrize(
        ("rules", "model", "why"),
        [
            ({"KAMPANYE": 6, "FASILITAS": 2}, {"KAMPANYE": 0.5, "FASILITAS": 0.2}, "a stray word"),
            ({"KAMPANYE": 6, "FASILITAS": 4}, {"KAMPANYE": 0.5, "FASILITAS": -0.5}, "far behind"),
            ({"PARPOL": 6, "FASILITAS": 4}, {"PARPOL": 0.5, "FASILITAS": 0.4}, "no table line"),
        ],
    )
    def test_nothing_moves_without_both_readings_or_a_table_line(
        self, rules: dict[str, float], model: dict[str, float], why: str
    ) -> None:
        assert principal_act(readings(rules, model), TABLE) is None, why

    def test_of_two_principal_acts_over_one_choice_the_model_ranks_the_first(self) -> None:
        seen = readings(
            {"MEDSOS": 5.0, "FASILITAS": 4.0, "HOAKS": 4.0},
            {"MEDSOS": 0.6, "FASILITAS": 0.3, "HOAKS": 0.4},
        )
        resolved = principal_act(seen, TABLE)
        assert resolved is not None
        assert resolved[0] == "HOAKS"
        assert resolved[1].over == "MEDSOS"

    def test_a_real_report_is_filed_under_the_facility_and_the_explanation_says_why(self) -> None:
        facts = CaseFacts(
            "pns live facebook dari aula kantor ajak pilih paslon",
            "Siaran langsung di akun facebook pribadinya, seorang staf mengajak penonton memilih"
            " pasangan calon nomor 2; latarnya aula kantor dinas, saat jam kerja.",
        )
        without_table = replace(RULES, proposal=replace(RULES.proposal, precedence=()))
        assert propose(facts, without_table).category == "MEDSOS"
        proposal = propose(facts, RULES)
        assert proposal.category == "FASILITAS"
        assert proposal.secondary[0] == "MEDSOS"
        assert proposal.reasons[0].category == "FASILITAS"
        assert "Dipilih sebagai perbuatan utama atas MEDSOS" in proposal.explain("id")
        assert "Chosen as the principal act over MEDSOS" in proposal.explain("en")


class TestSecondaryCategories:
    def test_an_act_both_readings_see_is_listed_and_one_only_the_rules_see_is_not(self) -> None:
        seen = readings(
            {"HOAKS": 8.0, "MEDSOS": 4.0, "KAMPANYE": 4.5},
            {"HOAKS": 0.9, "MEDSOS": 0.1, "KAMPANYE": -1.0},
        )
        assert secondary_acts("HOAKS", seen, TABLE) == ("MEDSOS",)

    def test_the_act_the_principal_one_was_chosen_over_comes_first(self) -> None:
        seen = readings(
            {"KAMPANYE": 2.0, "FASILITAS": 4.0, "MEDSOS": 6.0},
            {"KAMPANYE": 0.5, "FASILITAS": 0.3, "MEDSOS": 0.4},
        )
        assert secondary_acts("FASILITAS", seen, TABLE) == ("KAMPANYE",)
        wider = replace(TABLE, max_secondary=2)
        assert secondary_acts("FASILITAS", seen, wider) == ("KAMPANYE", "MEDSOS")

    def test_a_report_with_no_breach_has_no_other_act(self) -> None:
        seen = readings({"MEDSOS": 6.0}, {"LAINNYA": 0.5, "MEDSOS": 0.4})
        assert secondary_acts("LAINNYA", seen, TABLE) == ()


class TestElectionTalkWithNoBreach:
    def test_a_breach_both_readings_see_is_not_lainnya(self) -> None:
        close = readings({"MOBILISASI": 4.0}, {"LAINNYA": 0.3, "MOBILISASI": 0.15})
        far = readings({"MOBILISASI": 4.0}, {"LAINNYA": 0.3, "MOBILISASI": -0.2})
        weak = readings({"MOBILISASI": 2.0}, {"LAINNYA": 0.3, "MOBILISASI": 0.25})
        assert breach_seen(close, TABLE) == "MOBILISASI"
        assert breach_seen(far, TABLE) is None
        assert breach_seen(weak, TABLE) is None

    @pytest.mark.parametrize(
        ("title", "description"),
        [
            (
                "ASN hadir sosialisasi tahapan pilkada dari KPU",
                "Camat hadir sebagai narasumber pada sosialisasi tahapan pilkada yang digelar KPU"
                " kabupaten, acara resmi tanpa atribut calon.",
            ),
            (
                "boleh tidak pns share poster kpu",
                "Saya PNS, apakah boleh membagikan poster ajakan datang ke TPS dari KPU di status"
                " whatsapp?",
            ),
        ],
    )
    def test_is_flagged_sent_for_review_and_proposed_with_low_confidence(
        self, title: str, description: str
    ) -> None:
        proposal = propose(CaseFacts(title, description), RULES)
        assert proposal.category == "LAINNYA"
        assert FLAG_NO_BREACH in proposal.flags
        assert proposal.needs_review
        assert proposal.confidence <= RULES.proposal.no_breach_confidence
        assert proposal.secondary == ()
        assert "tidak menguraikan pelanggaran netralitas" in proposal.explain("id")
        assert "describes no neutrality breach" in proposal.explain("en")

    def test_misconduct_that_is_not_about_the_election_is_not_flagged(
        self,
    ) -> None:
        proposal = propose(
            CaseFacts(
                "pungli di kantor kecamatan",
                "Petugas meminta uang Rp50.000 untuk mempercepat pembuatan akta kelahiran.",
            ),
            RULES,
        )
        assert proposal.category == "LAINNYA"
        assert FLAG_NO_BREACH not in proposal.flags


@pytest.mark.parametrize(
    ("principal", "over"),
    [
        ("FASILITAS", "KAMPANYE"),
        ("HOAKS", "MEDSOS"),
        ("SARA", "MEDSOS"),
        ("KEPUTUSAN", "MOBILISASI"),
    ],
)
def test_the_shipped_table_files_each_principal_act_over_the_act_it_is_done_through(
    principal: str, over: str
) -> None:
    lines = {line.principal: line for line in RULES.proposal.precedence}
    assert over in lines[principal].over
    assert lines[principal].reason_id
    assert lines[principal].reason_en
