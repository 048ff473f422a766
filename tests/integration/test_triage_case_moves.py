"""Triage following a supervisor's reassignment and a transfer to another regency, on the real
MongoDB: the ladder moves to the chosen officer; a transferred case is routed in its new
regency and announced there; both apply once however often the event arrives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.cli.infra import MongoServer
from services.triage.case_moves import handle_case_reassigned, handle_case_transferred
from services.triage.deps import TriageDeps
from services.triage.handlers import handle_status_changed
from services.triage.new_cases import handle_case_submitted
from shared.broker.consumer import PermanentError
from shared.contracts import CaseAssigned, CaseReassigned, CaseTransferred, Recipient, decode
from tests.integration.test_triage_worker import _deps
from tests.unit.triage.builders import (
    KUTAI_KARTANEGARA,
    KUTAI_TIMUR,
    database_only_settings,
    envelope_of,
    status_change,
    submitted,
)


@pytest.fixture
def triage(mongo_server: MongoServer) -> Iterator[TriageDeps]:
    # The generator's cleanup (dropping the database) runs when the loop resumes it.
    for settings in database_only_settings(mongo_server.url):
        yield _deps(settings)


def _triaged(triage: TriageDeps, tenant: str = KUTAI_KARTANEGARA) -> str:
    event = submitted()
    assert handle_case_submitted(envelope_of(event, tenant), event, triage)
    return event.case_id


def test_reassignment_puts_the_ladder_on_the_new_officer_once(triage: TriageDeps) -> None:
    case_id = _triaged(triage)
    before = triage.cases.find_one({"_id": case_id})
    assert before is not None
    event = CaseReassigned(
        case_id=case_id,
        tracking_code="K7QM-3XPA-9D2F-HT6W",
        title="x",
        unit="INSPEKTORAT",
        assignee=Recipient(officer_id="kukar-insp-1", name="Agus Salim"),
        previous_officer_id=before["assignment"]["officer_id"],
        actor="Kepala BKPSDM",
        reason="cuti",
    )
    envelope = envelope_of(event, KUTAI_KARTANEGARA)
    assert handle_case_reassigned(envelope, event, triage)
    assert not handle_case_reassigned(envelope, event, triage)  # redelivered: nothing more
    after = triage.cases.find_one({"_id": case_id})
    assert after is not None
    assignment = after["assignment"]
    assert assignment["officer_id"] == "kukar-insp-1"
    assert assignment["acknowledged_at"] is None
    assert assignment["sequence"] == before["assignment"]["sequence"] + 1
    assert before["assignment"]["officer_id"] in assignment["tried"]
    assert after["next_wakeup"] is not None  # reminders now go to the new officer
    # The new officer's acknowledgement (same status) stops them.
    ack = status_change(case_id, "received")
    assert handle_status_changed(envelope_of(ack, KUTAI_KARTANEGARA), ack, triage)
    acked = triage.cases.find_one({"_id": case_id})
    assert acked is not None
    assert acked["assignment"]["acknowledged_at"] is not None


def test_a_transferred_case_is_routed_and_announced_in_its_new_regency(
    triage: TriageDeps,
) -> None:
    case_id = _triaged(triage)
    event = CaseTransferred(
        case_id=case_id,
        from_tenant=KUTAI_KARTANEGARA,
        to_tenant=KUTAI_TIMUR,
        actor="Kepala Inspektorat",
        reason="Terlapor bertugas di Kutai Timur",
    )
    envelope = envelope_of(event, KUTAI_TIMUR)
    assert handle_case_transferred(envelope, event, triage)
    assert not handle_case_transferred(envelope, event, triage)
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    assert state["tenant"] == KUTAI_TIMUR
    assert state["assignment"]["officer_id"].startswith("kutim-")
    assert [(t["from"], t["to"]) for t in state["transfers"]] == [(KUTAI_KARTANEGARA, KUTAI_TIMUR)]
    announced = [decode(item["body"].encode()) for item in state["outbox"]]
    assert [(env.type, env.tenant) for env, _ in announced] == [("case.assigned", KUTAI_TIMUR)]
    _, assigned = announced[0]
    assert isinstance(assigned, CaseAssigned)
    assert assigned.assignee is not None
    assert assigned.assignee.officer_id == state["assignment"]["officer_id"]
    assert "dialihkan dari 64.02" in assigned.reason
    # Later events of the case come from its new regency.
    pause = status_change(case_id, "awaiting_info")
    assert handle_status_changed(envelope_of(pause, KUTAI_TIMUR), pause, triage)


def test_a_transfer_that_does_not_match_the_case_is_refused_for_good(triage: TriageDeps) -> None:
    case_id = _triaged(triage)
    event = CaseTransferred(
        case_id=case_id, from_tenant="12.06", to_tenant=KUTAI_TIMUR, actor="x", reason="y"
    )
    with pytest.raises(PermanentError):
        handle_case_transferred(envelope_of(event, KUTAI_TIMUR), event, triage)
