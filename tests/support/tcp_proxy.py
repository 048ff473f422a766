"""A TCP proxy for fault tests: put it between the suite and a server, then misbehave.

The machines have no toxiproxy and no netem, so the faults a real network produces are made
here, on loopback, with real sockets:

- ``pass_through()``: bytes flow unchanged;
- ``delay(seconds)``: every chunk is held that long in each direction (a slow link: the delay
  adds to each round trip, chunks stay in order and keep flowing behind each other, so it is
  latency, not a bandwidth cap);
- ``stall()``: nothing moves and new connections are accepted but never connected upstream: a
  half-dead link, where the peer's TCP still answers but nothing gets through. When the link
  comes back what was held goes through, as TCP retransmission would deliver it;
- ``reset()``: every open connection is closed with RST (SO_LINGER 0), and while the mode
  lasts new ones are reset as soon as they are accepted (a firewall or a load balancer
  dropping its state); ``reset_all()`` resets the open ones once and leaves the mode alone.

The mode can change at any moment from the test's thread; the proxy runs its own asyncio loop
on a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

Mode = Literal["pass", "delay", "stall", "reset"]
T = TypeVar("T")

_CHUNK = 65536


@dataclass
class ProxyStats:
    """What the proxy saw, so a test can prove its fault landed."""

    accepted: int = 0
    reset: int = 0  # connections closed with RST by the proxy
    closed: int = 0  # connections that ended any other way
    bytes_up: int = 0
    bytes_down: int = 0


@dataclass(eq=False)  # kept in a set: identity is what matters
class _Link:
    """One client connection and, once the link flows, its upstream connection."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class TcpProxy:
    """Listens on 127.0.0.1 (a free port unless given) and forwards to ``upstream``."""

    def __init__(self, upstream_host: str, upstream_port: int, *, port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._requested_port = port
        self.port = 0
        self.stats = ProxyStats()
        self._mode: Mode = "pass"
        self._latency = 0.0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._flowing: asyncio.Event | None = None

    # --- life ------------------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- faults, from the test's thread ----------------------------------------------------

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def connections(self) -> int:
        return len(self._links)

    def pass_through(self) -> None:
        self._set_mode("pass", 0.0)

    def delay(self, seconds: float) -> None:
        self._set_mode("delay", seconds)

    def stall(self) -> None:
        self._set_mode("stall", 0.0)

    def reset(self) -> None:
        """RST every open connection and every new one until the mode changes."""
        self._set_mode("reset", 0.0)

    def reset_all(self) -> int:
        """RST every open connection now, keep the mode; how many were reset."""
        return self._call(self._reset_all())

    def _set_mode(self, mode: Mode, latency: float) -> None:
        async def apply() -> None:
            self._mode, self._latency = mode, latency
            assert self._flowing is not None
            if mode == "stall":
                self._flowing.clear()
            else:
                self._flowing.set()
            if mode == "reset":
                await self._reset_all()

        self._call(apply())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(15)

    # --- the loop's side -------------------------------------------------------------------

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self._requested_port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [task for link in self._links for task in link.tasks]
        for link in list(self._links):
            self._abort(link, rst=False)
        await asyncio.gather(*tasks, return_exceptions=True)
        # Connections held by a stall wake up, find themselves closed and end.
        if self._flowing is not None:
            self._flowing.set()
            await asyncio.sleep(0)

    async def _reset_all(self) -> int:
        links = list(self._links)
        for link in links:
            self._abort(link, rst=True)
        return len(links)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.accepted += 1
        link = _Link(client=writer)
        self._links.add(link)
        if self._mode == "reset":
            self._abort(link, rst=True)
            return
        assert self._flowing is not None
        # A stalled link answers the TCP handshake (the kernel does) and then nothing.
        await self._flowing.wait()
        if link not in self._links:  # reset while it waited
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            self._abort(link, rst=True)
            return
        if link not in self._links:  # reset while it connected
            up_writer.transport.abort()
            return
        link.upstream = up_writer
        link.tasks = [
            asyncio.create_task(self._pump(link, reader, up_writer, up=True)),
            asyncio.create_task(self._pump(link, up_reader, writer, up=False)),
        ]

    async def _pump(
        self,
        link: _Link,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        *,
        up: bool,
    ) -> None:
        """Copy one direction. Reading and writing are separate tasks joined by a queue, so a
        delay holds each chunk for its own time while later chunks keep arriving behind it."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        delivery = asyncio.create_task(self._deliver(queue, sink, up=up))
        assert self._flowing is not None
        try:
            while not delivery.done():
                await self._flowing.wait()
                data = await source.read(_CHUNK)
                if not data:
                    break
                due = time.monotonic() + (self._latency if self._mode == "delay" else 0.0)
                await queue.put((due, data))
            await queue.put((0.0, b""))  # EOF, after what is still queued
            await delivery
        except OSError:
            pass
        finally:
            delivery.cancel()
            # One side has gone: so has the connection (AMQP and MongoDB never half-close).
            if link in self._links:
                self.stats.closed += 1
                self._abort(link, rst=False)

    async def _deliver(
        self, queue: asyncio.Queue[tuple[float, bytes]], sink: asyncio.StreamWriter, *, up: bool
    ) -> None:
        assert self._flowing is not None
        while True:
            due, data = await queue.get()
            if not data:
                return
            pause = due - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            await self._flowing.wait()
            if up:
                self.stats.bytes_up += len(data)
            else:
                self.stats.bytes_down += len(data)
            sink.write(data)
            await sink.drain()

    def _abort(self, link: _Link, *, rst: bool) -> None:
        """Close both sides at once: with ``rst`` the peers get a RST and whatever is still
        buffered is dropped; without, what was written is flushed, then a FIN."""
        if link not in self._links:
            return
        self._links.discard(link)
        if rst:
            self.stats.reset += 1
        for writer in (link.client, link.upstream):
            if writer is None:
                continue
            if rst:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                writer.transport.abort()
            else:
                writer.close()
        current = asyncio.current_task()
        for task in link.tasks:
            if task is not current:
                task.cancel()
