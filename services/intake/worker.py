"""Intake's worker: publishes the outbox, records triage and notify events on cases, and
seeds a fresh officer directory from the roster file."""

from __future__ import annotations

from services.intake.access.account_models import SignInLink
from services.intake.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.intake.cases.models import Case
from services.intake.directory.models import OfficerEntry
from services.intake.directory.seeding import seeder
from services.intake.exports.runner import ExportRunner
from services.intake.handlers import event_handlers
from shared import mongo
from shared.settings import get_settings
from shared.worker_runtime import run_worker


def main() -> None:
    settings = get_settings()
    bootstrap(settings)
    ensure_indexes()
    cases = Case._get_collection()
    run_worker(
        SERVICE,
        settings,
        handlers=event_handlers(cases),
        # Sign-in links carry the event that mails them (account.link_issued).
        outbox_collections=[cases, OfficerEntry._get_collection(), SignInLink._get_collection()],
        background=[
            # CSV exports are written here, off the web workers (see export_runner).
            ExportRunner.from_settings(mongo.database(SERVICE), settings).run,
            # A fresh directory starts with the roster file's officers (once, by one worker).
            seeder(settings.roster_file),
        ],
    )


if __name__ == "__main__":
    main()
