"""The broker topology, declared by every process at start and exported as definitions.

One topic exchange carries every event (routing key = event type). Each consuming service has
a durable quorum queue bound to the types it needs, a retry queue per delay (messages wait out
their TTL there and dead-letter back to the main queue) and a parking queue for messages that
can never be processed. Declaring the whole topology from every process means no event is
dropped because its consumer has not started yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.settings import Settings

# Which event types each consuming service needs. This is the only place bindings are written.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "intake": (
        "case.triaged",
        "case.assigned",
        "case.escalated",
        "case.duplicate_detected",
        "notification.sent",
        "notification.failed",
    ),
    "triage": (
        "case.submitted",
        "case.updated",
        "case.status_changed",
        "case.reassigned",
        "case.transferred",
        "officer.changed",
    ),
    "notify": (
        "case.assigned",
        "case.escalated",
        "case.status_changed",
        "case.reassigned",
        "case.information_received",
        "case.deadline_moved",
        "case.receipt_requested",
        "officer.changed",
        "account.link_issued",
    ),
}


@dataclass(frozen=True)
class QueueSpec:
    """A queue with its arguments, as both pika and the definitions file need it."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ConsumerTopology:
    """The queues of one consuming service."""

    service: str
    exchange: str
    bindings: tuple[str, ...]
    retry_delays_ms: tuple[int, ...]
    delivery_limit: int

    @property
    def queue(self) -> str:
        return f"pantau.{self.service}"

    @property
    def parking_queue(self) -> str:
        return f"pantau.{self.service}.parking"

    def retry_queue(self, attempt: int) -> str:
        """The retry queue for a message that has failed ``attempt`` times (delays grow)."""
        delay = self.retry_delays_ms[min(attempt, len(self.retry_delays_ms)) - 1]
        return f"pantau.{self.service}.retry.{delay}ms"

    def queues(self) -> list[QueueSpec]:
        main = QueueSpec(
            self.queue,
            {
                "x-queue-type": "quorum",
                # Without a limit (the default before RabbitMQ 4) a message that kills its
                # worker every time would be redelivered forever and block the queue.
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.parking_queue,
            },
        )
        retries = [
            QueueSpec(
                f"pantau.{self.service}.retry.{delay}ms",
                {
                    "x-queue-type": "classic",
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.queue,
                },
            )
            for delay in self.retry_delays_ms
        ]
        parking = QueueSpec(self.parking_queue, {"x-queue-type": "quorum"})
        return [main, *retries, parking]


def consumer_topology(settings: Settings, service: str) -> ConsumerTopology:
    """The topology of ``service`` under the given settings."""
    return ConsumerTopology(
        service=service,
        exchange=settings.exchange,
        bindings=SUBSCRIPTIONS[service],
        retry_delays_ms=tuple(settings.retry_delays()),
        delivery_limit=settings.delivery_limit,
    )


def all_topologies(settings: Settings) -> list[ConsumerTopology]:
    """Every consuming service's topology."""
    return [consumer_topology(settings, service) for service in SUBSCRIPTIONS]


def declare(channel: Any, settings: Settings) -> None:
    """Declare the exchange and every queue and binding on a pika channel (idempotent)."""
    channel.exchange_declare(exchange=settings.exchange, exchange_type="topic", durable=True)
    for topo in all_topologies(settings):
        for spec in topo.queues():
            channel.queue_declare(queue=spec.name, durable=True, arguments=spec.arguments)
        for key in topo.bindings:
            channel.queue_bind(queue=topo.queue, exchange=topo.exchange, routing_key=key)


def definitions(settings: Settings, vhost: str = "/") -> dict[str, Any]:
    """The topology as a RabbitMQ definitions document (for ``deploy/rabbitmq``)."""
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for topo in all_topologies(settings):
        for spec in topo.queues():
            queues.append(
                {
                    "name": spec.name,
                    "vhost": vhost,
                    "durable": True,
                    "auto_delete": False,
                    "arguments": spec.arguments,
                }
            )
        for key in topo.bindings:
            bindings.append(
                {
                    "source": topo.exchange,
                    "vhost": vhost,
                    "destination": topo.queue,
                    "destination_type": "queue",
                    "routing_key": key,
                    "arguments": {},
                }
            )
    return {
        "vhosts": [{"name": vhost}],
        "exchanges": [
            {
                "name": settings.exchange,
                "vhost": vhost,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "queues": queues,
        "bindings": bindings,
    }
