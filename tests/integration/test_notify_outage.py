"""A 60-second SMTP outage: alerts wait in the broker's retry path and each is delivered once.

The one long test of the suite: the mail server really is absent for 60 seconds while the
real consumer keeps retrying with growing delays (1 s, 5 s, 15 s, then 30 s).
"""

from __future__ import annotations

import time
from collections import Counter

from services.cli.infra import free_port
from services.cli.mailbox import MailSink
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, ledger, notify_deps_for, officer
from tests.integration.test_notify_worker import consumer, publish
from tests.support.broker import depth, running
from tests.support.waiting import eventually

OUTAGE_S = 60
ALERTS = 25


def test_sixty_second_smtp_outage_ends_with_every_alert_delivered_once(settings: Settings) -> None:
    port = free_port()  # the mail server's address; nothing answers there during the outage
    configured = settings.model_copy(
        update={
            "smtp_port": port,
            "smtp_timeout_s": 2.0,
            "retry_delays_ms": "1000,5000,15000,30000",
            # Enough attempts to outlast the outage: 1+5+15+30+30+30+30 s of waiting.
            "max_attempts": 8,
        }
    )
    nd = notify_deps_for(configured)
    envelopes = [
        assigned(officer(officer_id=f"kukar-officer-{i % 4}"), case_id=f"out-{i:03d}")[0]
        for i in range(ALERTS)
    ]
    queues = [
        "pantau.notify",
        *(f"pantau.notify.retry.{d}ms" for d in (1000, 5000, 15000, 30000)),
    ]
    with running(consumer(configured, nd)):
        publish(configured, envelopes)
        started = time.monotonic()
        eventually(lambda: len(ledger()) == ALERTS, timeout=20)
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
        # Sixty seconds on: nothing was sent, nothing was parked, every alert is waiting.
        docs = ledger()
        assert all(d["status"] in ("pending", "sending") for d in docs)
        assert all(len(d["attempts"]) >= 3 for d in docs)
        assert depth(configured, "pantau.notify.parking") == 0
        sink = MailSink("127.0.0.1", port)
        sink.start()
        try:
            eventually(lambda: len(sink.messages) >= ALERTS, timeout=90, interval=1.0)
            eventually(lambda: all(depth(configured, q) == 0 for q in queues), timeout=30)
            mails = sink.messages
        finally:
            sink.stop()
    per_key = Counter(str(m["X-Pantau-Notification"]) for m in mails)
    assert len(per_key) == ALERTS
    assert set(per_key.values()) == {1}
    assert depth(configured, "pantau.notify.parking") == 0
    for doc in ledger():
        results = [a["result"] for a in doc["attempts"]]
        assert doc["status"] == "sent"
        assert results[-1] == "sent"
        assert set(results[:-1]) == {"retry"}
        assert all("Connection refused" in a["error"] for a in doc["attempts"][:-1])
