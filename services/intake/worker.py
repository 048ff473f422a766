"""Intake's worker: publishes the outbox, records triage and notify events on cases, and
seeds a fresh officer directory from the roster file."""

from __future__ import annotations

from services.intake.access.service_keys import register_configured
from services.intake.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.intake.cases.models import Case
from services.intake.directory.seeding import seeder
from services.intake.exports.runner import ExportRunner
from services.intake.handlers import worker_table
from services.intake.operations.outboxes import outbox_collections
from shared import mongo
from shared.settings import get_settings
from shared.worker_runtime import run_worker


def main() -> None:
    settings = get_settings()
    bootstrap(settings)
    ensure_indexes()
    register_configured(settings)
    cases = Case._get_collection()
    handlers, batch = worker_table(cases)
    run_worker(
        SERVICE,
        settings,
        handlers=handlers,
        batch=batch,
        outbox_collections=outbox_collections(),
        # Submissions are written by the HTTP processes: a change stream wakes the relay for
        # each, so a case leaves for triage at once without the relay looking 60 times a second.
        watch_outbox=True,
        background=[
            # CSV exports are written here, off the web workers (see export_runner).
            ExportRunner.from_settings(mongo.database(SERVICE), settings).run,
            # A fresh directory starts with the roster file's officers (once, by one worker).
            seeder(settings.roster_file),
        ],
    )


if __name__ == "__main__":
    main()
