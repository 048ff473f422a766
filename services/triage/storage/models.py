"""Triage's documents and their indexes.

The code reads and writes the raw collections (atomic updates, transactions); these classes
name the collections, and :func:`ensure_indexes` creates every index the queries rely on.
"""

from __future__ import annotations

from datetime import UTC, datetime

import mongoengine as me
from pymongo import ASCENDING, DESCENDING

from shared import outbox

ALIAS = "triage"


def _now() -> datetime:
    return datetime.now(UTC)


class TriageDecision(me.Document):
    """A decision and why it was made. ``source_event_id`` is unique: one decision per event
    (or per override request), so a redelivered event never produces a second one."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "decisions",
        "strict": False,
        "indexes": [
            {"fields": ["source_event_id"], "unique": True},
            {"fields": ["tenant", "case_id", "-created_at"]},
        ],
    }

    case_id = me.StringField(required=True)
    tenant = me.StringField(required=True)
    source_event_id = me.StringField(required=True)
    kind = me.StringField()  # submitted | updated | status | override | reassign
    applied = me.BooleanField(default=True)
    category = me.StringField(required=True)
    secondary = me.ListField(me.StringField())
    confidence = me.FloatField()
    needs_review = me.BooleanField()
    reasons = me.ListField(me.DictField())
    sanction_level = me.StringField()
    priority = me.StringField()
    priority_reasons = me.ListField(me.StringField())
    due_at = me.DateTimeField(null=True)
    stage = me.StringField()
    unit = me.StringField()
    assignee_id = me.StringField(null=True)
    to_province = me.BooleanField(default=False)
    recusals = me.ListField(me.DictField())
    explanation = me.StringField()
    rules_version = me.StringField()
    model_version = me.StringField(null=True)  # the learned model's examples, hashed
    config_versions = me.DictField()
    created_at = me.DateTimeField(default=_now)


class CaseState(me.Document):
    """Triage's view of one case: its text, current decision, statutory clock, assignment and
    escalation ladder. ``_id`` is the case id; ``next_wakeup`` is when the ladder must look
    at the case again (absent when nothing can become due)."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "case_states",
        "strict": False,
    }

    case_id = me.StringField(primary_key=True)
    tenant = me.StringField(required=True)


class DedupFact(me.Document):
    """What duplicate detection compares for one case, with its blocking keys.

    Candidates for a new case come from one query whose branches each use an index: link
    keys and the text keys of unnamed reports on (province, blocking_keys), a named
    report's text keys on (province, person_keys) or, for earlier reports naming nobody, the
    partial index of those; clusters from one range query on (province, received_at).
    """

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "dedup_facts",
        "strict": False,
    }

    case_id = me.StringField(primary_key=True)
    tenant = me.StringField(required=True)
    province = me.StringField(required=True)


class LadderStepRecord(me.Document):
    """One fired rung of the escalation ladder. The unique (case_id, key) is what makes every
    step fire once, however many schedulers run and however often they restart."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "ladder_steps",
        "strict": False,
        "indexes": [{"fields": ["case_id", "key"], "unique": True}],
    }

    case_id = me.StringField(required=True)
    tenant = me.StringField(required=True)
    key = me.StringField(required=True)


class ConfigVersion(me.Document):
    """One accepted version of a regency's configuration (rules, routing, roster, calendar).

    Versions are kept for history; the highest one of each kind is in force.
    """

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "config_versions",
        "strict": False,
        "indexes": [{"fields": ["tenant", "kind", "-version"], "unique": True}],
    }

    tenant = me.StringField(required=True)
    kind = me.StringField(required=True)
    version = me.IntField(required=True)


class ConfigHead(me.Document):
    """The version in force of each configuration kind of one regency (``_id`` = tenant).

    One primary-key read tells a worker whether its cached configuration is current.
    """

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "config_heads",
        "strict": False,
    }

    tenant = me.StringField(primary_key=True)


class LabelledExample(me.Document):
    """An officer's label of one case (``_id`` = case id): the text triage read, its
    proposal and the category officers settled on (``storage/examples``)."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "labelled_examples",
        "strict": False,
    }

    case_id = me.StringField(primary_key=True)
    tenant = me.StringField(required=True)


class DirectoryOfficer(me.Document):
    """Triage's copy of one entry of intake's officer directory (``_id`` = officer id), kept
    by ``officer.changed`` (newer versions only) and laid over the roster."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "officer_directory",
        "strict": False,
        "indexes": [{"fields": ["region"]}],
    }

    officer_id = me.StringField(primary_key=True)
    region = me.StringField(required=True)
    version = me.IntField(required=True)


def ensure_indexes() -> None:
    """Create every index of triage's collections (idempotent).

    Indexes on nested or free-form fields are declared with pymongo: mongoengine only
    accepts fields it knows, and these documents are written as plain dictionaries.
    """
    TriageDecision.ensure_indexes()
    LadderStepRecord.ensure_indexes()
    ConfigVersion.ensure_indexes()
    DirectoryOfficer.ensure_indexes()
    cases = CaseState._get_collection()
    # The ladder scheduler's only query: cases whose next look is due.
    # Cases with nothing left to fire have no date there, so they sit outside the range.
    cases.create_index([("next_wakeup", ASCENDING)], name="ladder_due")
    # Open load per officer, counted when routing a case.
    cases.create_index(
        [("tenant", ASCENDING), ("assignment.officer_id", ASCENDING), ("open", ASCENDING)],
        name="officer_load",
    )
    # Quality figures and evaluations read one regency's (or a province's) recent labels.
    LabelledExample._get_collection().create_index(
        [("tenant", ASCENDING), ("labelled_at", DESCENDING)], name="labels_by_region"
    )
    facts = DedupFact._get_collection()
    facts.create_index(
        [("province", ASCENDING), ("blocking_keys", ASCENDING)], name="dedup_candidates"
    )
    facts.create_index([("province", ASCENDING), ("received_at", DESCENDING)], name="clusters")
    # A named report's text search: earlier reports naming possibly the same person, and
    # (a partial index, so named reports add nothing to it) those naming nobody.
    facts.create_index(
        [("province", ASCENDING), ("person_keys", ASCENDING), ("received_at", ASCENDING)],
        name="dedup_people",
    )
    facts.create_index(
        [("province", ASCENDING), ("blocking_keys", ASCENDING), ("received_at", ASCENDING)],
        name="dedup_unnamed",
        partialFilterExpression={"named": False},
    )
    # Case states carry the case.assigned of a transferred case (see case_moves).
    for collection in (TriageDecision._get_collection(), LadderStepRecord._get_collection(), cases):
        outbox.ensure_indexes(collection)
