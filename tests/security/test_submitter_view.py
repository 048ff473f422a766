"""A submitter key (an office system that files cases) against the running suite: it reads the
cases it filed as the reporter would, and nothing of anyone else's.

Real keys, the three gunicorn apps and their workers, the real broker: the case is triaged and
routed before it is read, so the deadline and the officer's name exist to be kept out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from bson import ObjectId

from tests.support.builders import case_payload
from tests.support.suite import Suite, running_suite
from tests.support.waiting import eventually

NIP = "198609262015051001"
WITNESS_PHONE = "081260004321"
WITNESS_E164 = "+6281260004321"
INTERNAL = "Terlapor ternyata ipar kepala bidang; jangan hubungi lewat kantor."
FOR_REPORTER = "Terima kasih, laporan Anda sedang kami periksa."


@pytest.fixture(scope="module")
def suite(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("suite")) as started:
        yield started


def _get(suite: Suite, key: str, path: str, service: str = "intake") -> requests.Response:
    return requests.get(
        f"{suite.urls[service]}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )


def _post(suite: Suite, key: str, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{suite.urls['intake']}{path}",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def _without_request(answer: requests.Response) -> Any:
    body = answer.json()
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("request_id", "instance")}
    return body


@pytest.fixture(scope="module")
def worked(suite: Suite) -> dict[str, Any]:
    """Karo's monitoring system files a case with an accused's NIP and a witness's phone;
    triage routes it, and the supervisor writes one internal note and one for the reporter."""
    filer, neighbour = suite.key("12.06", "submitter"), suite.key("12.06", "submitter")
    supervisor = suite.key("12.06", "supervisor")
    payload = case_payload(
        source="monitoring",
        source_ref="medsos-karo-0042",
        witnesses=[{"name": "Sari Br Sembiring", "phone": WITNESS_PHONE}],
        reporter={"anonymous": False, "name": "Siti Rahmawati", "phone": "0812-6000-1234"},
    )
    created = suite.submit(filer, payload)
    case_id = created["id"]

    def routed() -> dict[str, Any] | None:
        case = suite.case(supervisor, case_id)
        return case if (case.get("triage") or {}).get("assignee") else None

    case = eventually(routed, timeout=60)
    for text, visibility in ((INTERNAL, "internal"), (FOR_REPORTER, "reporter")):
        answer = _post(
            suite,
            supervisor,
            f"/v1/cases/{case_id}/comments",
            {"version": case["version"], "text": text, "visibility": visibility},
        )
        assert answer.status_code == 200, answer.text
        case = suite.case(supervisor, case_id)
    other = suite.submit(neighbour, case_payload(source_ref="pengaduan-karo-7"))
    return {
        "filer": filer,
        "neighbour": neighbour,
        "supervisor": supervisor,
        "case_id": case_id,
        "tracking_code": created["tracking_code"],
        "officer": case["triage"]["assignee"]["name"],
        "due_at": case["triage"]["due_at"],
        "other_id": other["id"],
        "payload": payload,
    }


def test_a_submitter_reads_its_own_case_without_the_people_in_it(
    suite: Suite, worked: dict[str, Any]
) -> None:
    answer = _get(suite, worked["filer"], f"/v1/cases/{worked['case_id']}")
    assert answer.status_code == 200, answer.text
    text = answer.text
    for secret in (NIP, WITNESS_E164, WITNESS_PHONE, "Sari Br Sembiring", INTERNAL):
        assert secret not in text, secret
    assert worked["officer"] not in text  # who works the case is the office's business
    assert "Rudi Ginting" not in text
    assert "Siti Rahmawati" not in text
    body = answer.json()
    assert body["tracking_code"] == worked["tracking_code"]
    assert body["status"] == "received"
    assert body["due_at"] == worked["due_at"]
    assert body["source_ref"] == "medsos-karo-0042"
    assert [m["text"] for m in body["messages"]] == [FOR_REPORTER]
    assert body["steps"][0]["status"] == "received"
    for hidden in ("accused", "witnesses", "triage", "timeline", "comments", "description"):
        assert hidden not in body, hidden
    # The supervisor reads the same case whole.
    full = suite.case(worked["supervisor"], worked["case_id"])
    assert full["accused"][0]["nip"] == NIP
    assert INTERNAL in json.dumps(full)


def test_another_submitters_case_is_a_404_like_a_missing_one(
    suite: Suite, worked: dict[str, Any]
) -> None:
    neighbour = worked["neighbour"]
    theirs = _get(suite, neighbour, f"/v1/cases/{worked['case_id']}")
    missing = _get(suite, neighbour, f"/v1/cases/{ObjectId()}")
    assert theirs.status_code == missing.status_code == 404
    assert _without_request(theirs) == _without_request(missing)
    assert worked["tracking_code"] not in theirs.text
    # Open311's view of it, and an evidence upload to it, alike.
    geo = _get(suite, neighbour, f"/open311/v2/requests/{worked['case_id']}.json")
    assert geo.status_code == 404
    assert worked["tracking_code"] not in geo.text
    upload = requests.post(
        f"{suite.urls['intake']}/v1/cases/{worked['case_id']}/evidence",
        files={"file": ("bukti.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers={"Authorization": f"Bearer {neighbour}"},
        timeout=10,
    )
    assert upload.status_code == 404


def test_a_submitters_list_and_count_hold_only_its_own_cases(
    suite: Suite, worked: dict[str, Any]
) -> None:
    mine = _get(suite, worked["filer"], "/v1/cases").json()
    assert [item["id"] for item in mine["items"]] == [worked["case_id"]]
    assert mine["count"] == 1
    assert NIP not in json.dumps(mine)
    theirs = _get(suite, worked["neighbour"], "/v1/cases").json()
    assert [item["id"] for item in theirs["items"]] == [worked["other_id"]]
    everyone = _get(suite, worked["supervisor"], "/v1/cases").json()
    assert {worked["case_id"], worked["other_id"]} <= {i["id"] for i in everyone["items"]}
    # Open311's search, the same.
    geo = _get(suite, worked["filer"], "/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in geo] == [worked["case_id"]]
    assert geo[0]["description"] is None
    assert geo[0]["address"] is None


def test_a_submitter_cannot_ask_its_list_what_its_view_leaves_out(
    suite: Suite, worked: dict[str, Any]
) -> None:
    answer = _get(suite, worked["filer"], "/v1/cases?category=MEDSOS&officer=karo-bkpsdm-1")
    assert answer.status_code == 403
    assert [e["field"] for e in answer.json()["errors"]] == ["category", "officer"]
    assert _get(suite, worked["filer"], "/v1/cases?status=received").status_code == 200


def test_another_systems_source_reference_is_refused_without_its_case(
    suite: Suite, worked: dict[str, Any]
) -> None:
    again = _post(suite, worked["neighbour"], "/v1/cases", worked["payload"])
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "source_ref"
    assert worked["case_id"] not in again.text
    assert worked["tracking_code"] not in again.text
    # The filer's own retry still answers its case.
    mine = _post(suite, worked["filer"], "/v1/cases", worked["payload"])
    assert mine.status_code == 200
    assert mine.json()["id"] == worked["case_id"]


def test_a_submitter_has_no_dry_run_of_triage(suite: Suite, worked: dict[str, Any]) -> None:
    answer = requests.post(
        f"{suite.urls['triage']}/v1/triage/dry-run",
        json={"region_code": "12.06", "title": worked["payload"]["title"]},
        headers={"Authorization": f"Bearer {worked['filer']}"},
        timeout=10,
    )
    assert answer.status_code == 403
