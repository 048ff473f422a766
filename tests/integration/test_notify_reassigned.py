"""A supervisor's reassignment reaches the new officer once, saying who moved it and why."""

from __future__ import annotations

from datetime import UTC, datetime

from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps, handle
from shared.contracts import CaseReassigned, new_envelope
from shared.settings import Settings
from tests.integration.test_notify_delivery import CASE_ID, ledger, notify_deps_for, officer
from tests.support.builders import plain_text


def test_the_new_officer_is_mailed_once_with_the_reason(
    settings: Settings, mail_sink: MailSink
) -> None:
    notify_deps: NotifyDeps = notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port})
    )
    maria = officer(officer_id="karo-bkpsdm-2", email="maria.ginting@karo.example")
    event = CaseReassigned(
        case_id=CASE_ID,
        tracking_code="K7QM-3XPA-9D2F-HT6W",
        title="ASN membagikan unggahan paslon",
        category="MEDSOS",
        priority="high",
        due_at=datetime(2024, 11, 29, 16, 59, tzinfo=UTC),
        unit="BKPSDM",
        assignee=maria,
        previous_officer_id="karo-bkpsdm-1",
        actor="Drs. Herman Karo-Karo",
        reason="Petugas sebelumnya cuti",
    )
    envelope = new_envelope(event, tenant="12.06", correlation_id="corr-7")
    for _ in range(2):  # a redelivery sends nothing more
        handle(envelope, event, notify_deps)
    mails = mail_sink.wait_for(1, timeout=5)
    assert len(mails) == 1
    assert mails[0]["To"] == "maria.ginting@karo.example"
    assert "dialihkan" in str(mails[0]["Subject"])
    text = plain_text(mails[0])
    assert "Petugas sebelumnya cuti" in text
    assert "Drs. Herman Karo-Karo" in text
    assert [(d["recipient_id"], d["status"]) for d in ledger()] == [("karo-bkpsdm-2", "sent")]
