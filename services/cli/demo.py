"""A short demonstration: realistic cases from five regencies, and the alerts they produce."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import requests
from bson import ObjectId

from shared.settings import get_settings


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


DEMO_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "12.06",
        {
            "source": "monitoring",
            "source_ref": "demo-karo-001",
            "title": "Camat membagikan unggahan paslon di Facebook",
            "description": (
                "Akun Facebook pribadi seorang camat di Kabupaten Karo membagikan unggahan "
                "tim pemenangan pasangan calon nomor urut 2 dan menulis komentar 'lanjutkan!'. "
                "Unggahan dibagikan ulang ratusan kali."
            ),
            "occurred_at": _days_ago(2),
            "known_at": _days_ago(1),
            "location": {"text": "Kabanjahe", "district": "Kabanjahe"},
            "accused": [
                {
                    "name": "Budi Sembiring",
                    "employment_type": "PNS",
                    "agency": "Kecamatan Kabanjahe",
                    "position": "Camat",
                }
            ],
            "evidence_urls": ["https://www.facebook.com/share/p/demo123/?mibextid=abc"],
        },
    ),
    (
        "17.71",
        {
            "source": "public_report",
            # Every demo case has a reference, so a second run finds it already filed.
            "source_ref": "demo-bengkulu-002",
            "title": "Guru berfoto pose dua jari dengan calon wali kota",
            "description": (
                "Seorang guru SD negeri di Kota Bengkulu berfoto bersama calon wali kota "
                "dengan pose salam dua jari, lalu foto itu diunggah ke Instagram sekolah."
            ),
            "occurred_at": _days_ago(3),
            "known_at": _days_ago(1),
            "location": {"text": "SD Negeri 12 Kota Bengkulu"},
            "accused": [
                {"name": "Sri Wahyuni", "employment_type": "PPPK", "position": "Guru SD Negeri"}
            ],
            "reporter": {"anonymous": True},
        },
    ),
    (
        "19.02",
        {
            "source": "internal",
            # Every demo case has a reference, so a second run finds it already filed.
            "source_ref": "demo-belitung-003",
            "title": "Mobil dinas plat merah dipakai mengangkut atribut kampanye",
            "description": (
                "Mobil dinas berpelat merah milik Dinas PUPR Belitung terlihat mengangkut "
                "spanduk dan baliho pasangan calon pada jam dinas."
            ),
            "occurred_at": _days_ago(1),
            "known_at": _days_ago(1),
            "location": {"text": "Tanjung Pandan"},
            "accused": [{"name": "Andi Pratama", "employment_type": "PNS", "agency": "Dinas PUPR"}],
        },
    ),
    (
        "64.02",
        {
            "source": "monitoring",
            "source_ref": "demo-kukar-777",
            "title": "Hoaks video editan tentang surat suara tercoblos",
            "description": (
                "Beredar video editan di TikTok dan grup WA yang mengklaim ribuan surat suara "
                "sudah tercoblos di Tenggarong. KPU menyatakan informasi itu tidak benar."
            ),
            "occurred_at": _days_ago(1),
            "known_at": _days_ago(0),
            "location": {"text": "Tenggarong"},
            "accused": [{"name": "Tidak diketahui", "employment_type": "NON_ASN"}],
            "evidence_urls": ["https://vt.tiktok.com/ZSdemo777/"],
        },
    ),
    (
        "64.08",
        {
            "source": "bawaslu_referral",
            # Every demo case has a reference, so a second run finds it already filed.
            "source_ref": "demo-kutim-005",
            "title": "Kepala dinas mengarahkan pegawai memilih paslon",
            "description": (
                "Dalam rapat internal, seorang kepala dinas di Kutai Timur mengajak dan "
                "mengarahkan seluruh pegawai untuk mencoblos nomor urut 1, disertai voice note "
                "yang beredar di grup WA kantor."
            ),
            "occurred_at": _days_ago(4),
            "known_at": _days_ago(2),
            "location": {"text": "Sangatta"},
            "accused": [
                {
                    "name": "Hendra Saputra",
                    "employment_type": "PNS",
                    "agency": "Dinas Pendidikan Kutai Timur",
                    "position": "Kepala Dinas",
                }
            ],
        },
    ),
]


def _keys(kept: Path) -> dict[str, str]:
    """The demo's keys, made once and kept in ``kept`` while they still work: a second run
    files with the same keys, so intake answers its cases as already filed instead of as
    another office system's references."""
    from services.intake.access.keys import authenticate, create_key
    from services.intake.bootstrap import bootstrap, ensure_indexes

    bootstrap(get_settings())
    ensure_indexes()
    # The supervisor's key works the last demo case through the API; the first is left for
    # the officer it was routed to, to work in the console from their alert.
    last = DEMO_CASES[-1][0]
    wanted = {region: (f"Demo {region}", region, "submitter") for region, _ in DEMO_CASES}
    wanted["supervisor"] = (f"Demo supervisor {last}", last, "supervisor")
    known: dict[str, str] = json.loads(kept.read_text()) if kept.exists() else {}
    keys: dict[str, str] = {}
    for name, (label, region, role) in wanted.items():
        token = known.get(name)
        if token is None or authenticate(token) is None:  # new, revoked or database reset
            token = create_key(name=label, region=region, role=role)[0]
        keys[name] = token
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(keys))
    kept.chmod(0o600)
    return keys


def _work_a_case(url: str, case_id: str, key: str) -> None:
    """A supervisor acknowledges and verifies a case, then reads its audit trail."""
    headers = {"Authorization": f"Bearer {key}"}
    click.echo("A supervisor works the last demo case through the API:")
    steps = [("acknowledge", {}), ("status", {"status": "verified"})]
    for version, (action, body) in enumerate(steps, start=1):
        answer = requests.post(
            f"{url}/v1/cases/{case_id}/{action}",
            json={"version": version, **body},
            headers=headers,
            timeout=10,
        )
        if answer.status_code != 200:
            click.echo(f"  {action}: refused ({answer.status_code}): {answer.text}")
            return
        case = answer.json()
        click.echo(
            f"  {action}: status {case['status']}, version {case['version']}, "
            f"next: {', '.join(case['allowed_statuses'])}"
        )
    trail = requests.get(f"{url}/v1/cases/{case_id}/audit", headers=headers, timeout=10).json()
    state = "intact" if trail["intact"] else "BROKEN"
    click.echo(f"  audit trail: {len(trail['items'])} entries, hash chain {state}")


def run_demo(url: str, maildir: str, timeout: float = 30.0) -> str | None:
    """Submit the demo cases and print the alerts they produced; the first case's id (the
    one left for an officer to work in the console). Its keys are kept beside the maildir."""
    box = mailbox.Maildir(Path(maildir), create=True)
    before = set(box.iterkeys())
    keys = _keys(Path(maildir).parent / "demo-keys.json")
    click.echo(f"Submitting {len(DEMO_CASES)} demo cases to {url} ...")
    submitted = 0
    first_id: str | None = None
    last_id: str | None = None
    for region, case in DEMO_CASES:
        answer = requests.post(
            f"{url}/v1/cases",
            json=case,
            headers={"Authorization": f"Bearer {keys[region]}"},
            timeout=10,
        )
        if answer.status_code not in (200, 201):
            click.echo(f"  {region}: refused ({answer.status_code}): {answer.text}")
            continue
        body = answer.json()
        first_id = first_id or body["id"]
        last_id = body["id"] if body.get("created") else last_id
        submitted += 1 if body.get("created") else 0
        state = "new" if body.get("created") else "already filed"
        click.echo(f"  {region}  {body['tracking_code']}  {state}  {case['title']}")
    if submitted == 0:
        # Every case was filed by an earlier run: its alerts went out then, once.
        click.echo(f"The demo cases were filed by an earlier run; their e-mails are in {maildir}.")
        return first_id
    click.echo("Waiting for the officers' e-mails ...")
    deadline = time.monotonic() + timeout
    fresh: list[str] = []
    while time.monotonic() < deadline:
        box = mailbox.Maildir(Path(maildir), create=True)
        fresh = [k for k in box.iterkeys() if k not in before]
        if len(fresh) >= submitted:
            break
        time.sleep(0.5)
    for key in fresh:
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        click.echo(f"  to {msg['To']}: {msg['Subject']}")
    click.echo(f"{len(fresh)} e-mail(s) arrived; open them in {Path(maildir).resolve()}/new")
    if last_id is not None:
        _work_a_case(url, last_id, keys["supervisor"])
    return first_id


def sign_in_links(first_case_id: str | None, console_url: str, timeout: float = 30.0) -> None:
    """Print one-time sign-in links for the officer the first demo case was routed to and for
    their regency's supervisor, so a newcomer clicks once and works a real case."""
    from services.intake.access.invitations import issue_link
    from services.intake.cases.models import Case
    from services.intake.directory import officers

    assignee: str | None = None
    deadline = time.monotonic() + timeout
    while first_case_id is not None and assignee is None and time.monotonic() < deadline:
        case = Case._get_collection().find_one({"_id": ObjectId(first_case_id)}, {"triage": 1})
        assignee = (((case or {}).get("triage") or {}).get("assignee") or {}).get("officer_id")
        if assignee is None:
            time.sleep(0.5)
    region = DEMO_CASES[0][0]
    people = [officers.lookup(assignee)] if assignee else []
    people += [
        entry
        for entry in officers.list_officers(region=region, active=True)
        if entry["role"] == "supervisor"
    ][:1]
    now = datetime.now(UTC)
    click.echo("")
    click.echo("Sign in to the console (one-time links, valid 30 minutes; open one per browser):")
    for person in people:
        if person is None:
            continue
        link = issue_link(
            person,
            "invitation",
            issued_by={"name": "pantau run --demo"},
            console_url=console_url,
            now=now,
            send=False,
        )
        if person["_id"] == assignee and first_case_id is not None:
            # The officer lands on the case of their alert, as the alert's link would take them.
            link += f"?next=/kasus/{first_case_id}"
        what = "officer of the first demo case" if person["_id"] == assignee else "supervisor"
        click.echo(f"  {person['name']} ({what}):")
        click.echo(f"    {link}")
    if first_case_id is not None:
        click.echo(f"  the case: {console_url}/kasus/{first_case_id}")
