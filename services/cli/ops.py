"""Operator commands: ``pantau status`` and ``pantau parked list|show|replay|purge``.

They talk to the running suite the way an operator's own tools would: the processes' /readyz
endpoints and the broker's queues. Nothing here reads a service's database.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterable, Sequence

import click
import requests

from services.cli.localmode import HTTP_SERVICES, WORKER_METRICS
from shared.broker import topology
from shared.broker.addresses import safe_url
from shared.broker.connection import CONNECTION_ERRORS
from shared.broker.parking import ParkedMessage, ParkingError, ParkingQueue
from shared.logs import mask_value
from shared.settings import Settings, get_settings
from shared.worker_health import read_levels, short_connection

SERVICES = tuple(topology.SUBSCRIPTIONS)


# --- pantau status -------------------------------------------------------------------------------


def _pairs(values: Iterable[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url:
            raise click.BadParameter(f"expected NAME=URL, got {value!r}", param_hint=option)
        pairs[name] = url.rstrip("/")
    return pairs


def probe(url: str, timeout: float) -> tuple[bool, str]:
    """Whether the process at ``url`` is ready, and what its /readyz said."""
    try:
        answer = requests.get(f"{url}/readyz", timeout=timeout)
    except requests.RequestException as exc:
        return False, f"unreachable ({type(exc).__name__})"
    try:
        checks = answer.json().get("checks", {})
    except ValueError:
        checks = {}
    detail = " ".join(f"{name}={state}" for name, state in checks.items())
    if answer.status_code == 200:
        return True, f"ready {detail}".strip()
    return False, f"NOT READY ({answer.status_code}) {detail}".strip()


def queue_report(settings: Settings, timeout: float) -> tuple[list[str], int]:
    """Lines describing every consuming queue, and how many need an operator's attention."""
    names = [spec.name for topo in topology.all_topologies(settings) for spec in topo.queues()]
    try:
        connection = short_connection(settings.amqp_url, name="pantau-status", timeout=timeout)
    except CONNECTION_ERRORS as exc:
        return [f"  broker unreachable: {exc!r}"], 1
    try:
        levels = read_levels(connection, names)
    finally:
        if connection.is_open:
            connection.close()
    lines = [f"  {'queue':<34} {'ready':>7} {'consumers':>10}"]
    attention = 0
    for topo in topology.all_topologies(settings):
        for spec in topo.queues():
            level = levels.get(spec.name)
            if level is None:
                lines.append(f"  {spec.name:<34} {'-':>7} {'-':>10}  ! not declared")
                attention += 1
                continue
            note = ""
            if spec.name == topo.queue and level.consumers == 0:
                note = "  ! no consumers: is the worker running?"
                attention += 1
            elif spec.name == topo.parking_queue and level.messages:
                note = f"  ! parked: pantau parked list --service {topo.service}"
                attention += 1
            lines.append(f"  {spec.name:<34} {level.messages:>7} {level.consumers:>10}{note}")
    return lines, attention


@click.command("status")
@click.option(
    "--http",
    "http_urls",
    multiple=True,
    metavar="NAME=URL",
    help="An HTTP app to check (default, when none is named: the local mode's ports).",
)
@click.option(
    "--worker",
    "worker_urls",
    multiple=True,
    metavar="NAME=URL",
    help="A worker's health port to check (default, when none is named: the local mode's ports).",
)
@click.option("--timeout", default=3.0, show_default=True, help="Seconds per check.")
def status(http_urls: Sequence[str], worker_urls: Sequence[str], timeout: float) -> None:
    """Health of every process and queue; exits 1 when something needs attention."""
    settings = get_settings()
    # Named processes replace the local mode's list rather than add to it: an
    # operator who names what runs should not be told a local port is down.
    local = not (http_urls or worker_urls)
    http = (
        {name: f"http://127.0.0.1:{port}" for name, port in HTTP_SERVICES.items()} if local else {}
    )
    http.update(_pairs(http_urls, "--http"))
    workers = (
        {name: f"http://127.0.0.1:{port}" for name, port in WORKER_METRICS.items()} if local else {}
    )
    workers.update(_pairs(worker_urls, "--worker"))
    attention = 0
    click.echo("Processes")
    for kind, urls in (("http", http), ("worker", workers)):
        for name, url in urls.items():
            ready, detail = probe(url, timeout)
            attention += 0 if ready else 1
            mark = " " if ready else "!"
            click.echo(f"{mark} {name:<8} {kind:<7} {url:<28} {detail}")
    click.echo(f"Queues ({safe_url(settings.amqp_url)})")
    lines, queue_attention = queue_report(settings, timeout)
    for line in lines:
        click.echo(line)
    attention += queue_attention
    click.echo("All healthy." if not attention else f"{attention} thing(s) need attention.")
    sys.exit(1 if attention else 0)


# --- pantau parked ... ---------------------------------------------------------------------------


def _queues(service: str | None) -> list[ParkingQueue]:
    settings = get_settings()
    return [ParkingQueue(settings, name) for name in ((service,) if service else SERVICES)]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _line(message: ParkedMessage) -> str:
    when = message.parked_at.strftime("%Y-%m-%d %H:%M:%SZ") if message.parked_at else "-"
    reason = message.reason if len(message.reason) <= 90 else message.reason[:89] + "…"
    return (
        f"{message.service:<7} {message.id:<36} {message.type or '-':<24} "
        f"{message.tenant or '-':<7} {when:<20} {message.attempts:>3}  {reason}"
    )


def _header() -> str:
    return (
        f"{'service':<7} {'id':<36} {'type':<24} {'tenant':<7} {'parked at':<20} {'try':>3}  reason"
    )


def _select(queue: ParkingQueue, ids: Sequence[str], everything: bool) -> list[ParkedMessage]:
    messages = queue.browse()
    wanted = set(ids)
    return messages if everything else [m for m in messages if m.id in wanted]


service_option = click.option(
    "--service",
    type=click.Choice(SERVICES),
    default=None,
    help="Only this service's parking queue (default: all).",
)


@click.group()
def parked() -> None:
    """Messages parked after failing: list them, see why, replay or purge them."""


@parked.command("list")
@service_option
@click.option("--limit", default=100, show_default=True, help="At most this many per service.")
def parked_list(service: str | None, limit: int) -> None:
    """List parked messages with the reason each was parked (nothing is removed)."""
    try:
        rows = [(q, q.depth(), q.browse(limit=limit)) for q in _queues(service)]
    except ParkingError as exc:
        _fail(str(exc))
        return
    click.echo(_header())
    for queue, depth, messages in rows:
        for message in messages:
            click.echo(_line(message))
        if depth > len(messages):
            click.echo(f"{queue.service:<7} … {depth - len(messages)} more (raise --limit)")
    total = sum(depth for _, depth, _ in rows)
    click.echo(f"{total} parked message(s).")


@parked.command("show")
@click.argument("ident")
@service_option
def parked_show(ident: str, service: str | None) -> None:
    """Everything about one parked message: why, when, how often tried, and its envelope
    (phone numbers and e-mail addresses masked)."""
    try:
        found = [m for q in _queues(service) if (m := q.find(ident)) is not None]
    except ParkingError as exc:
        _fail(str(exc))
        return
    if not found:
        _fail(f"no parked message {ident}")
        return
    message = found[0]
    click.echo(f"id:             {message.id}")
    click.echo(f"service:        {message.service} (queue pantau.{message.service}.parking)")
    click.echo(f"type:           {message.type or '-'}")
    click.echo(f"tenant:         {message.tenant or '-'}")
    click.echo(f"case:           {message.case_id or '-'}")
    click.echo(f"correlation id: {message.correlation_id or '-'}")
    click.echo(f"parked at:      {message.parked_at.isoformat() if message.parked_at else '-'}")
    click.echo(f"attempts:       {message.attempts}")
    click.echo(f"reason:         {message.reason}")
    envelope = message.envelope()
    if envelope is None:
        click.echo("body (not a JSON envelope, first 500 bytes):")
        click.echo(mask_value(message.body[:500].decode(errors="replace")))
    else:
        click.echo("envelope:")
        click.echo(json.dumps(mask_value(envelope), indent=2, ensure_ascii=False, default=str))


def _confirm_and_apply(
    action: str,
    ids: Sequence[str],
    everything: bool,
    service: str | None,
    yes: bool,
    apply: Callable[[ParkingQueue, list[str]], list[ParkedMessage]],
) -> None:
    if bool(ids) == everything:
        _fail("name the messages to act on, or pass --all")
        return
    try:
        plan = [(q, _select(q, ids, everything)) for q in _queues(service)]
    except ParkingError as exc:
        _fail(str(exc))
        return
    chosen = [(q, msgs) for q, msgs in plan if msgs]
    count = sum(len(msgs) for _, msgs in chosen)
    if not count:
        _fail("no such parked message")
        return
    click.echo(_header())
    for _, msgs in chosen:
        for message in msgs:
            click.echo(_line(message))
    if not yes:
        click.confirm(f"{action.capitalize()} these {count} message(s)?", abort=True)
    done = 0
    try:
        for queue, msgs in chosen:
            done += len(apply(queue, [m.id for m in msgs]))
    except ParkingError as exc:
        _fail(f"{exc} ({done} of {count} done)")
        return
    past = "replayed" if action == "replay" else "purged"
    click.echo(f"{done} message(s) {past}.")
    if done < count:
        click.echo(f"{count - done} were no longer parked (another operator acted first).")


@parked.command("replay")
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every parked message.")
@service_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def parked_replay(ids: Sequence[str], everything: bool, service: str | None, yes: bool) -> None:
    """Send parked messages back to their service's queue, with their attempts reset."""
    actor = f"cli ({getpass.getuser()})"
    _confirm_and_apply(
        "replay", ids, everything, service, yes, lambda q, named: q.replay(named, actor)
    )


@parked.command("purge")
@click.argument("ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every parked message.")
@service_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def parked_purge(ids: Sequence[str], everything: bool, service: str | None, yes: bool) -> None:
    """Delete parked messages for good (only those listed and confirmed)."""
    _confirm_and_apply("purge", ids, everything, service, yes, lambda q, named: q.purge(named))
