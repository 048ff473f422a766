"""Notify's worker: turns assignment and escalation events into alerts, and sends digests."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence

from services.notify.bootstrap import SERVICE, bootstrap, deps, ensure_indexes
from services.notify.channels.base import Channel
from services.notify.digest import digest_loop
from services.notify.handlers import worker_table
from services.notify.outboxes import outbox_collections
from shared.settings import get_settings
from shared.worker_runtime import run_worker

log = logging.getLogger(__name__)


def session_reaper(
    channels: Sequence[Channel], keepalive_s: float
) -> Callable[[threading.Event], None]:
    """A background task closing the channels' connections once idle past their keep-alive
    (the e-mail channel keeps SMTP sessions between alerts)."""
    closers = [c for c in (getattr(ch, "close_idle", None) for ch in channels) if c is not None]
    interval = min(5.0, keepalive_s) if keepalive_s > 0 else 5.0

    def smtp_sessions(stop: threading.Event) -> None:
        while not stop.wait(interval):
            for close_idle in closers:
                try:
                    close_idle()
                except Exception:
                    log.exception("closing idle sessions failed")

    return smtp_sessions


def close_channels(channels: Sequence[Channel]) -> None:
    """Close what the channels keep open (at shutdown)."""
    for channel in channels:
        close = getattr(channel, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()


def main() -> None:
    settings = get_settings()
    bootstrap(settings)
    ensure_indexes()
    notify = deps(settings)
    single, alerts = worker_table(notify)
    try:
        run_worker(
            SERVICE,
            settings,
            handlers=single,
            batch=alerts,
            outbox_collections=outbox_collections(),
            background=[
                digest_loop(notify, settings.notify_digest_interval_s),
                session_reaper(notify.channels, settings.smtp_keepalive_s),
                notify.profiles.run,
            ],
            # An officer's profile changed before an alert's event (quiet hours, a new
            # number) is the one that alert follows.
            before_handling=[notify.profiles.catch_up],
            # Deliveries are recorded by this worker's handlers, which wake the relay; a digest
            # (the digest loop) and a test alert (the HTTP app) wait for its next look.
            watch_outbox=False,
        )
    finally:
        close_channels(notify.channels)


if __name__ == "__main__":
    main()
