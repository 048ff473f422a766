"""The operators' pages in words: the sign-in log's events, parked reasons, the health
summary, and asking a part that hangs."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import Babel

from services.console.operate import health_words, probes
from services.console.operate.health import Answer, Health, Issue, Row, ServiceHealth
from services.console.operate.parked_words import REASON_LABELS, WHAT_TO_DO, reason_kind
from services.console.operate.sign_in_words import describe


@pytest.fixture(autouse=True)
def in_indonesian() -> Iterator[None]:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "id"
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("entry", "text", "alarming"),
    [
        ({"event": "signed_in"}, "masuk", False),
        (
            {"event": "signed_in", "detail": "second_factor"},
            "masuk (dengan kode verifikasi)",
            False,
        ),
        ({"event": "failed"}, "gagal masuk: e-mail atau kata sandi salah", True),
        ({"event": "throttled"}, "ditahan: terlalu banyak percobaan masuk", True),
        ({"event": "second_factor_failed"}, "gagal masuk: kode verifikasi salah", True),
        (
            {
                "event": "session_revoked",
                "by": {"name": "Kepala BKPSDM Karo", "role": "supervisor"},
            },
            "sesi diakhiri oleh Kepala BKPSDM Karo",
            False,
        ),
        ({"event": "session_revoked"}, "sesi diakhiri oleh orang lain", False),
        (
            {"event": "invitation_issued", "by": {"name": "tests"}},
            "undangan dibuat oleh tests",
            False,
        ),
        (
            {"event": "password_set", "detail": "invitation; 0 session(s) ended"},
            "kata sandi dibuat dari undangan",
            False,
        ),
        (
            {"event": "password_set", "detail": "reset; 2 session(s) ended"},
            "kata sandi diganti lewat tautan atur ulang",
            False,
        ),
        ({"event": "signed_out_everywhere"}, "keluar dari semua perangkat", False),
        ({"event": "something_new"}, "something_new", False),
    ],
)
def test_sign_in_events_read_as_plain_words(
    entry: dict[str, object], text: str, alarming: bool
) -> None:
    described = describe(entry)
    assert (described.text, described.alarming) == (text, alarming)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("invalid: body is not JSON", "invalid"),
        ("permanent: the event names no case", "permanent"),
        ("deferred too often: case not found yet", "deferred"),
        ("attempts exhausted: TimeoutError()", "exhausted"),
        ("dead-lettered by the broker: delivery_limit (from pantau.notify)", "dead_lettered"),
        ("unknown (no reason recorded)", "unknown"),
        (None, "unknown"),
    ],
)
def test_parked_reasons_have_a_meaning_and_a_next_step(reason: str | None, kind: str) -> None:
    assert reason_kind(reason) == kind
    assert str(REASON_LABELS[kind])
    assert str(WHAT_TO_DO[kind])


def test_the_summary_says_a_lost_service_once_with_what_to_do() -> None:
    lost = Issue("unreachable", "notify", "timeout")
    health = Health(
        (
            ServiceHealth("console", (Row("database", "ok"),)),
            ServiceHealth(
                "notify",
                (
                    Row("api", "unreachable", (lost,)),
                    Row("worker", "failing", (Issue("no_consumers", "notify", 4),)),
                    Row("outbox", "unreachable", (lost,)),
                    Row("parked", "failing", (Issue("parked", "notify", 2),), {"parked": 2}),
                ),
            ),
        )
    )
    problems = health_words.problems(health)
    assert [p.what for p in problems] == [
        "Tidak menjawab dalam batas waktu.",
        "Tidak ada pekerja yang mengambil antrean; 4 pesan menunggu.",
        "2 pesan menunggu tindakan operator.",
    ]
    assert problems[0].where == "Notifikasi · API"
    assert "pantau status" in problems[0].todo
    assert "Jalankan lagi pekerja Notifikasi" in problems[1].todo
    assert [p.parked_link for p in problems] == [False, False, True]
    [console, notify] = health_words.cards(health)
    assert (console.verdict, console.verdict_label) == ("ok", "Baik")
    assert (notify.verdict, notify.verdict_label) == ("failing", "Bermasalah")
    assert notify.rows[0].lines == ("Tidak menjawab dalam batas waktu.",)


@pytest.fixture
def hung_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_part_that_hangs_or_is_gone_becomes_an_answer_not_an_error(hung_server: str) -> None:
    assert probes.ask(f"{hung_server}/readyz", {}, (0.5, 0.5)) == Answer(error="timeout")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    gone = probes.ask(f"http://127.0.0.1:{port}/readyz", {}, (0.5, 0.5))
    assert gone == Answer(error="unreachable")
