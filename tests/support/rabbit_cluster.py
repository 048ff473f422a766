"""A three-node RabbitMQ cluster on one host, for the faults only a cluster has.

Three private nodes of the installed server (each with its own name, ports, data and logs, all
with one Erlang cookie) joined with ``rabbitmqctl join_cluster``, as an operator joins nodes
on three machines. Quorum queues declared once the cluster is formed have a member on every
node, so one node may stop, die or stall while the other two keep a majority.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from pathlib import Path

from services.cli.infra import InfraError
from tests.support.rabbit_node import RabbitNode


class RabbitCluster:
    """Three joined nodes; ``url`` is the list of all of them, as a deployment writes it."""

    def __init__(self, home: Path, size: int = 3) -> None:
        cookie = secrets.token_hex(20)
        self.nodes = [RabbitNode(home / f"node{i}", cookie=cookie) for i in range(size)]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def start(self, timeout: float = 180) -> None:
        try:
            for node in self.nodes:
                node.launch()
            for node in self.nodes:
                node.await_started(timeout)
            first = self.nodes[0]
            for node in self.nodes[1:]:
                node.ctl("stop_app")
                node.ctl("join_cluster", first.name)
                node.ctl("start_app")
            running = self.running_nodes(first)
            if running != {node.name for node in self.nodes}:
                raise InfraError(f"the cluster formed with {sorted(running)} only")
        except BaseException:
            self.stop()
            raise

    def running_nodes(self, asked: RabbitNode) -> set[str]:
        """The nodes ``asked`` sees running in its cluster."""
        status = asked.ctl("cluster_status", "--formatter", "json", timeout=60)
        return set(json.loads(status)["running_nodes"])

    def leaders(self) -> dict[str, str]:
        """Each quorum queue's leader node, as any running node reports it."""
        for node in self.nodes:
            if node.os_pid is None:
                continue
            with contextlib.suppress(InfraError):
                listing = node.ctl("list_queues", "name", "leader", "--no-table-headers")
                return {
                    parts[0]: parts[1]
                    for parts in (line.split() for line in listing.splitlines())
                    if len(parts) == 2
                }
        return {}

    def node_named(self, name: str) -> RabbitNode:
        return next(node for node in self.nodes if node.name == name)

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()
