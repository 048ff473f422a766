"""The broker's addresses: one URL, or one per node of a RabbitMQ cluster.

``PANTAU_AMQP_URL`` holds a single URL for one node, or several separated by commas for a
cluster (``amqp://u:p@rmq-0:5672/pantau,amqp://u:p@rmq-1:5672/pantau,...``). A client tries
them in turn and takes the first that answers, so a node that is stopped, killed or cut off
costs a reconnect, not an outage. Every process starts from a different node (the list is
shuffled per call), so the replicas of a service spread over the cluster instead of all
landing on its first node; quorum queues are reachable through any node, whichever holds
their leader.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import pika

SCHEMES = ("amqp", "amqps")


def broker_urls(setting: str) -> list[str]:
    """The URLs a setting names, in the order written; at least one, each amqp(s)://.

    Raises ValueError naming the part that is not a broker URL, so a typo in a deployment's
    configuration stops the process at start with a message instead of at the first publish.
    """
    urls = [part.strip() for part in setting.split(",") if part.strip()]
    if not urls:
        raise ValueError("no broker URL given")
    vhosts = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(f"not a broker URL (amqp://host:port/vhost): {safe_url(url)}")
        vhosts.add(parts.path)
    # Nodes of one cluster serve the same virtual hosts; two different ones in the list would
    # put a service's messages in two places depending on which node answered.
    if len(vhosts) > 1:
        raise ValueError("the broker URLs name different virtual hosts")
    return urls


def connection_parameters(
    setting: str, configure: Callable[[pika.URLParameters], None]
) -> list[pika.URLParameters]:
    """pika's parameters for every URL of the setting, each set up by ``configure``, in an
    order of this call's own so that replicas do not all crowd onto the first node."""
    urls = broker_urls(setting)
    random.shuffle(urls)
    parameters = []
    for url in urls:
        params = pika.URLParameters(url)
        configure(params)
        parameters.append(params)
    return parameters


def first_url(setting: str) -> str:
    """The first URL as written: where the local mode starts its one node, and the node
    operator commands talk to."""
    return broker_urls(setting)[0]


def safe_url(url: str) -> str:
    """A broker URL (or a list of them) without passwords, for logs and printed status."""
    shown = []
    for one in url.split(","):
        parts = urlsplit(one.strip())
        if parts.password is None:
            shown.append(one.strip())
            continue
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        shown.append(urlunsplit(parts._replace(netloc=netloc)))
    return ",".join(shown)
