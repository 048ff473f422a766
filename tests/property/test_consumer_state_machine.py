"""The idempotent-handler contract, explored by hypothesis against the real MongoDB.

A real broker per example would make a few examples take minutes, so the machines model what
RabbitMQ does to a handler instead: a message is delivered, redelivered after a crash before
the handler committed (it was never applied), redelivered after a crash between commit and ack
(it was applied and comes again), and the worker restarts with a new handler. Whatever the
order and repetition, intake's timeline holds each envelope once, and notify's ledger sends
each notification key once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from pymongo.collection import Collection

from services.intake.cases.timeline import record_assigned, record_triaged
from services.intake.handlers import event_handlers
from services.notify.ledger import (
    DeliveryInProgress,
    attempt_entry,
    claim,
    notification_key,
    record,
)
from shared import mongo
from shared.broker.consumer import Handler
from shared.contracts import CaseAssigned, CaseTriaged, Envelope, Recipient, new_envelope
from shared.settings import Settings

TENANT = "12.06"
RUNS = hypothesis_settings(
    max_examples=30,
    deadline=None,
    stateful_step_count=25,
    suppress_health_check=[HealthCheck.too_slow],
)
Document = dict[str, Any]
# The collections the machines work on, set by each test. Not class attributes: a pymongo
# Collection answers every attribute name, which hypothesis would take for rules.
COLLECTIONS: dict[str, Collection[Document]] = {}
# The timeline events the machine sends.
Recorded = CaseTriaged | CaseAssigned


def an_event(kind: str, case_id: str, n: int) -> tuple[Envelope, Recorded]:
    event: Recorded
    if kind == "triaged":
        event = CaseTriaged(
            case_id=case_id,
            decision_id=f"d{n}",
            category="MEDSOS",
            confidence=0.9,
            needs_review=False,
            sanction_level="sedang",
            priority="high",
            explanation="cocok dengan leksikon",
            rules_version="2024.11",
        )
    else:
        event = CaseAssigned(
            case_id=case_id,
            decision_id=f"d{n}",
            tracking_code="K7QM-3XPA-9D2F-HT6W",
            title="ASN membagikan unggahan paslon",
            category="MEDSOS",
            priority="high",
            unit="BKPSDM",
            assignee=Recipient(officer_id="karo-bkpsdm-1", name="Joni Sitepu"),
        )
    return new_envelope(event, tenant=TENANT, correlation_id=f"c{n}"), event


def recorded(cases: Collection[Document], envelope: Envelope, event: Recorded) -> bool:
    """What intake's handler for the event's type answers: True when it applied it now."""
    if isinstance(event, CaseTriaged):
        return record_triaged(envelope, event, cases)
    return record_assigned(envelope, event, cases)


class TimelineMachine(RuleBasedStateMachine):
    """One case, its events in every order, crash and repetition the broker can produce."""

    def __init__(self) -> None:
        super().__init__()
        self.cases = COLLECTIONS["cases"]
        self.case_id = ObjectId()
        self.cases.insert_one(
            {"_id": self.case_id, "tenant": TENANT, "timeline": [], "processed_events": []}
        )
        self.handlers: dict[str, Handler] = event_handlers(self.cases)
        self.delivered: list[tuple[Envelope, Recorded]] = []  # every envelope the broker holds
        self.applied: set[str] = set()  # envelope ids whose handler committed

    def _new(self, kind: str) -> tuple[Envelope, Recorded]:
        pair = an_event(kind, str(self.case_id), len(self.delivered))
        self.delivered.append(pair)
        return pair

    @rule(kind=st.sampled_from(["triaged", "assigned"]))
    def deliver_new(self, kind: str) -> None:
        envelope, event = self._new(kind)
        self.handlers[envelope.type](envelope, event)
        self.applied.add(str(envelope.id))

    @rule(kind=st.sampled_from(["triaged", "assigned"]))
    def crash_before_commit(self, kind: str) -> None:
        # The worker died before the handler wrote: nothing is applied, the message stays.
        self._new(kind)

    @rule(kind=st.sampled_from(["triaged", "assigned"]))
    def crash_after_commit_before_ack(self, kind: str) -> None:
        envelope, event = self._new(kind)
        self.handlers[envelope.type](envelope, event)
        self.applied.add(str(envelope.id))
        # No ack reached the broker: the same envelope comes again, to a handler that must
        # recognise it.
        assert recorded(self.cases, envelope, event) is False

    @rule(data=st.data())
    def redeliver(self, data: st.DataObject) -> None:
        if not self.delivered:
            return
        envelope, event = data.draw(st.sampled_from(self.delivered))
        first_time = str(envelope.id) not in self.applied
        assert recorded(self.cases, envelope, event) is first_time
        self.applied.add(str(envelope.id))

    @rule()
    def restart(self) -> None:
        # A new worker process: nothing survives in memory, only what the database holds.
        self.handlers = event_handlers(self.cases)

    @invariant()
    def each_envelope_once(self) -> None:
        case = self.cases.find_one({"_id": self.case_id})
        assert case is not None
        in_timeline = Counter(entry["event_id"] for entry in case["timeline"])
        processed: Counter[str] = Counter(case["processed_events"])
        assert set(in_timeline) == set(processed) == self.applied
        assert all(n == 1 for n in in_timeline.values())
        assert all(n == 1 for n in processed.values())


def test_timeline_applies_each_envelope_exactly_once(settings: Settings) -> None:
    mongo.connect(settings, "intake")
    COLLECTIONS["cases"] = mongo.database("intake")["cases"]
    run_state_machine_as_test(TimelineMachine, settings=RUNS)  # type: ignore[no-untyped-call]


# --- notify's delivery ledger -------------------------------------------------------------------

LEASE = timedelta(minutes=2)


class LedgerMachine(RuleBasedStateMachine):
    """Workers claiming notifications: redelivered events, crashes after the claim, crashes
    after the send was recorded, and leases that run out."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries = COLLECTIONS["deliveries"]
        self.run = ObjectId()  # fresh keys per example: examples share the collection
        self.now = datetime(2024, 11, 20, 9, 0, tzinfo=UTC)
        self.sent: set[str] = set()  # keys the ledger recorded as sent
        self.sends: Counter[str] = Counter()  # messages handed to the provider
        self.held: dict[str, datetime] = {}  # keys claimed by a worker that died, lease end

    def key(self, n: int) -> str:
        return notification_key(str(self.run), f"event-{n}", "karo-bkpsdm-1", "email")

    def _claim(self, key: str) -> tuple[bool, str] | None:
        fields = {"tenant": TENANT, "channel": "email"}
        try:
            return claim(self.deliveries, key, fields, self.now, LEASE)
        except DeliveryInProgress:
            # Only while a dead worker's lease is still live.
            assert key in self.held
            assert self.held[key] >= self.now
            return None

    @rule(n=st.integers(0, 3), crash=st.sampled_from(["none", "after_claim", "after_record"]))
    def deliver(self, n: int, crash: str) -> None:
        key = self.key(n)
        claimed = self._claim(key)
        if claimed is None:
            return
        taken, status = claimed
        if not taken:
            assert status == "sent"
            assert key in self.sent
            return
        assert key not in self.sent, "a notification recorded as sent was claimed again"
        self.held.pop(key, None)
        self.sends[key] += 1
        if crash == "after_claim":
            # Sent, then the worker died before recording it: the lease keeps others out.
            self.held[key] = self.now + LEASE
            return
        entry = attempt_entry(self.now, "email", "sent", answer="250 OK")
        record(self.deliveries, key, "sent", entry, self.now)
        self.sent.add(key)
        if crash == "after_record":
            # Died before the ack: the event is redelivered at once and must send nothing.
            assert self._claim(key) == (False, "sent")

    @rule(minutes=st.integers(1, 5))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @invariant()
    def one_sent_per_key(self) -> None:
        for key in self.sent:
            doc = self.deliveries.find_one({"_id": key})
            assert doc is not None
            assert doc["status"] == "sent"
            assert [a["result"] for a in doc["attempts"]] == ["sent"]
        # A send is repeated only when its worker died between sending and recording, the
        # one window the ledger documents (the provider deduplicates by the same key).
        for key, count in self.sends.items():
            assert count == 1 or key in self.held or key in self.sent


def test_ledger_records_one_sent_per_notification_key(settings: Settings) -> None:
    mongo.connect(settings, "notify")
    COLLECTIONS["deliveries"] = mongo.database("notify")["deliveries"]
    run_state_machine_as_test(LedgerMachine, settings=RUNS)  # type: ignore[no-untyped-call]
