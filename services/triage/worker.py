"""Triage's worker: triages every case event, and runs the escalation ladder and the refresher
of the quality gauges beside it."""

from __future__ import annotations

from services.triage import deps as triage_deps
from services.triage.bootstrap import SERVICE, backfill_stored_fields, bootstrap, ensure_indexes
from services.triage.handlers import worker_table
from services.triage.ladder_scheduler import LadderScheduler
from services.triage.quality_gauges import QualityGauges
from shared.settings import get_settings
from shared.worker_runtime import run_worker


def main() -> None:
    settings = get_settings()
    bootstrap(settings)
    ensure_indexes()
    backfill_stored_fields()
    triage = triage_deps.build(settings)
    ladder = LadderScheduler(triage, interval=settings.triage_ladder_interval_s)
    handlers, batch = worker_table(triage)
    run_worker(
        SERVICE,
        settings,
        handlers=handlers,
        batch=batch,
        outbox_collections=triage.outbox_collections(),
        # The heads' stream spares each case a read of its regency's configuration head.
        background=[ladder.run, QualityGauges(triage).run, triage.config.head_cache.run],
        # A configuration saved before a case's event is in force for that case.
        before_handling=[triage.config.head_cache.catch_up],
        # Nearly every event triage emits is written by this worker's handlers, which wake the
        # relay; a supervisor's override (the HTTP app) and an escalation wait for its next
        # look, a quarter second at most: not worth a change stream's cost on every write.
        watch_outbox=False,
    )


if __name__ == "__main__":
    main()
