"""Notify's own metrics. Labels stay bounded: channels, results, reasons, never ids."""

from prometheus_client import Counter, Gauge, Histogram

NOTIFICATIONS = Counter(
    "pantau_notifications_total",
    "Notifications by channel and result (sent, retry, failed, parked, duplicate, held, "
    "skipped, unreachable, invalid, template_error, no_recipient; sign-in links: link_sent, "
    "link_failed, link_parked, link_expired, link_no_address).",
    ["channel", "result"],
)
DELIVERY_SECONDS = Histogram(
    "pantau_notification_send_seconds",
    "Time one channel took to accept (or refuse) a message.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HELD = Counter(
    "pantau_notifications_held_total",
    "Alerts held for a digest, by channel and reason (quiet_hours, rate_limit).",
    ["channel", "reason"],
)
DIGESTS = Counter(
    "pantau_notification_digests_total",
    "Digest messages by channel and result (sent, retry, failed, parked).",
    ["channel", "result"],
)
FALLBACKS = Counter(
    "pantau_notification_fallbacks_total",
    "Urgent alerts sent on another channel after theirs gave up, by channels and result.",
    ["from_channel", "to_channel", "result"],
)
HELD_NOW = Gauge(
    "pantau_notifications_waiting",
    "Alerts held now for a digest (quiet hours or rate limit), as last counted.",
    multiprocess_mode="max",
)
PARKED_DIGESTS = Gauge(
    "pantau_notification_digests_parked",
    "Digests that gave up and wait for an operator's replay, as last counted.",
    multiprocess_mode="max",
)
