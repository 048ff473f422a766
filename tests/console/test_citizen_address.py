"""A citizen who reports an official may fear that official: where they wrote from is kept
nowhere, and the contact they gave for their tracking code is readable only in the vault's
sealed record and in the mail they receive. Their report and lookups pass through the
console, intake, triage and notify as real processes, and afterwards no document of any
service's database, and no entry the database's replication log took meanwhile, holds their
address or their contact; the limits still count them apart from another citizen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bson
import pymongo

from shared.client_stand_ins import is_stand_in
from tests.support.builders import plain_text
from tests.support.public_forms import citizen_at, report_fields, send_report, tracking_code
from tests.support.suite import Suite
from tests.support.waiting import eventually

ADDRESS = "127.0.0.61"
OTHER = "127.0.0.62"
EMAIL = "warga.takut.61@contoh.id"
PHONE = "0812-7777-6161"
# The contact in the forms it could be stored in (the number is kept as +6281277776161).
CONTACT_FORMS = ("warga.takut.61", "77776161", "7777-6161")


def _latest_oplog_time(client: pymongo.MongoClient[dict[str, Any]]) -> Any:
    latest = client.local["oplog.rs"].find().sort("$natural", -1).limit(1)
    return next(iter(latest))["ts"]


def _written_since(
    client: pymongo.MongoClient[dict[str, Any]], since: Any
) -> Iterator[dict[str, Any]]:
    yield from client.local["oplog.rs"].find({"ts": {"$gt": since}})


def _documents(client: pymongo.MongoClient[dict[str, Any]], prefix: str) -> Iterator[Any]:
    for name in client.list_database_names():
        if name.startswith(f"{prefix}_"):
            for collection in client[name].list_collection_names():
                yield from client[name][collection].find()


def _limit_keys(client: pymongo.MongoClient[dict[str, Any]], suite: Suite) -> list[str]:
    """The console's and intake's limit windows ("<limit>:<sender>:<window start>")."""
    return [
        str(window["_id"])
        for service in ("console", "intake")
        for window in client[suite.settings.database_name(service)]["rate_limits"].find()
    ]


def test_no_database_keeps_a_citizen_s_address_nor_their_contact_readable(
    console_suite: Suite,
) -> None:
    settings = console_suite.settings
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(settings.mongo_url)
    since = _latest_oplog_time(client)

    citizen = citizen_at(console_suite.urls["console"], ADDRESS)
    sent = send_report(
        citizen,
        report_fields(
            "Kepala desa membagikan stiker pasangan calon di balai desa saat rapat warga.",
            reporter_email=EMAIL,
            reporter_phone=PHONE,
        ),
    )
    code = tracking_code(sent)
    # The receipt reached the contact: sealed by intake, opened by notify's worker.
    mails = console_suite.mail
    eventually(lambda: any(m["To"] == EMAIL and code in plain_text(m) for m in mails.messages), 30)
    assert citizen.get(f"/lacak/{code}").status_code == 200
    assert citizen.get("/lacak/AAAA-BBBB-CCCC-DDDD").status_code == 404
    other = citizen_at(console_suite.urls["console"], OTHER)
    assert other.get(f"/lacak/{code}").status_code == 200

    needles = [ADDRESS.encode(), *(form.encode() for form in CONTACT_FORMS)]
    stored = [bson.encode(d) for d in _documents(client, settings.db_prefix)]
    written = [bson.encode(e) for e in _written_since(client, since)]
    assert written, "the report wrote nothing?"
    for needle in needles:
        assert not [d for d in stored if needle in d], needle
        assert not [e for e in written if needle in e], needle

    # What the limits count instead: stand-ins, one per citizen, in both databases.
    keys = _limit_keys(client, console_suite)
    senders = {k.split(":")[1] for k in keys if k.startswith(("public-report:", "track:"))}
    assert senders, keys
    assert all(is_stand_in(s) for s in senders), senders
    tracked = {k.split(":")[1] for k in keys if k.startswith("track:")}
    assert len(tracked) >= 2  # the two citizens' lookups are counted apart
