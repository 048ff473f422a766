"""The whole pipeline, intake to SMTP, under load, with the ceilings of its parts, in one run.

    python -m bench.pipeline_throughput [--seconds 60] [--threads 8] [--rate 50] [--paced 20]
                                         [--lone 20]

A fresh mongod, a fresh RabbitMQ vhost and a local aiosmtpd sink; the three HTTP services
under gunicorn and the three workers, started exactly as the local mode starts them.

(a) sustained: several threads submit distinct cases from five regencies as fast as intake
    takes them for ``--seconds``; then the run waits until every case has its alert at the
    sink and counts, per case, lost and doubled alerts. CPU of every process (and of the
    workers' relay threads) is read from /proc before the load and after the last alert:
    milliseconds of CPU per delivered case, Pantau's own processes against the engines,
    and what mongod did per case over the same stretch (documents, commands by name).
(b) latency: ``--rate`` cases/s, paced, for ``--paced`` seconds; time from the POST to the
    mail's arrival at the sink, p50/p99, the machine's busy share while it lasted and the
    messages waiting in each queue at its end; then a lone case a second for ``--lone``
    seconds.
Then a line per goal of the work per case, met or not by this run (``bench/pipeline_goals.py``).
(c) resident memory of every process at the end.
(d) ceilings on the same machine in the same run: raw pika publish (blocking confirms, one
    at a time), raw consume-and-ack with prefetch 50, raw MongoDB inserts with majority
    write concern from as many threads as intake serves requests.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import re
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pika
import urllib3
from pymongo import MongoClient, WriteConcern

from bench import cpu
from bench.database_work import COLUMNS as DATABASE_COLUMNS
from bench.database_work import DatabaseWork
from bench.harness import Servers, real_servers, say
from bench.pipeline_goals import PacedRun, goal_lines
from bench.yardstick import yardstick_ms
from services.cli.infra import free_port
from services.cli.localmode import Child, build_children, wait_until_ready
from services.cli.mailbox import MailSink
from services.intake.access.vault import new_key
from shared.broker.topology import all_topologies
from shared.settings import Settings
from tests.support.builders import case_payload

# Five regencies of the shipped roster: alerts spread over several officers and units.
REGIONS = ("12.06", "17.71", "19.02", "64.02", "64.08")
_CODE = re.compile(r"\b[A-HJKMNP-TV-Z2-9]{4}(?:-[A-HJKMNP-TV-Z2-9]{4}){3}\b")
# Words to make every case's text its own: triage must not fold them as duplicates.
_WORDS = (
    "rapat",
    "musyawarah",
    "kantor",
    "kecamatan",
    "sekolah",
    "puskesmas",
    "pasar",
    "terminal",
    "balai",
    "desa",
    "kelurahan",
    "lapangan",
    "masjid",
    "gereja",
    "gedung",
    "aula",
    "dinas",
    "badan",
    "kantor",
    "camat",
    "lurah",
    "kepala",
    "seksi",
    "staf",
    "guru",
    "bidan",
    "perawat",
    "penyuluh",
    "operator",
    "bendahara",
    "sekretaris",
    "pengawas",
    "koordinator",
)


@dataclass
class Arrivals:
    """When each alert reached the sink, keyed by the tracking codes it names."""

    known: set[str] = field(default_factory=set)
    times: dict[str, list[float]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    total: int = 0

    def record(self, raw: bytes, at: float) -> None:
        # The standard library's parser with its older policy (no header objects): a seventh
        # of the full policy's cost, which the sink's thread pays on the pipeline's cores.
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        plain = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
        payload = plain.get_payload(decode=True) if plain is not None else None
        text = (payload if isinstance(payload, bytes) else raw).decode("utf-8", "replace")
        with self.lock:
            self.total += 1
            for code in set(_CODE.findall(text)):
                self.times.setdefault(code, []).append(at)
                self.keys.setdefault(code, []).append(str(message["X-Pantau-Notification"]))

    def count(self) -> int:
        with self.lock:
            return self.total


def timed_sink(arrivals: Arrivals) -> MailSink:
    """The local mode's sink, noting each mail's arrival time as it is accepted (polling the
    list would add its own interval to every latency)."""
    return MailSink(
        "127.0.0.1", free_port(), on_mail=lambda raw: arrivals.record(raw, time.monotonic())
    )


def distinct_case(n: int) -> dict[str, Any]:
    """A case no other in the run resembles: its own place, person, words and link."""
    tag = uuid.uuid4().hex[:10]
    words = " ".join(_WORDS[(n * 7 + k * 13) % len(_WORDS)] for k in range(6))
    place = f"Desa {tag.upper()}"
    return case_payload(
        title=f"Pegawai {tag} di {place} mengajak warga memilih paslon nomor {n % 5 + 1}",
        description=(
            f"Pada kegiatan {words} di {place}, pegawai bernama Pegawai {tag} mengarahkan "
            f"hadirin agar memilih pasangan calon nomor {n % 5 + 1} (laporan {n})."
        ),
        location={"text": place},
        accused=[{"name": f"Pegawai {tag}", "employment_type": "PPPK"}],
        evidence_urls=[f"https://www.instagram.com/p/{tag}{n}/"],
    )


class Submitter:
    """Posts cases to intake and remembers when each tracking code was submitted.

    The load runs on the cores the pipeline runs on, so it is sent with urllib3 (what
    requests is built on): about a third of requests' CPU a call, measured beside it.
    """

    def __init__(self, url: str, keys: list[str]) -> None:
        self.url = f"{url}/v1/cases"
        self.keys = keys
        self.sent: dict[str, float] = {}
        self.failures = 0
        self.counter = 0
        self.lock = threading.Lock()
        self.pool = urllib3.PoolManager(maxsize=16, retries=False)

    def submit_one(self) -> None:
        with self.lock:
            n = self.counter
            self.counter += 1
        key = self.keys[n % len(self.keys)]
        body = json.dumps(distinct_case(n)).encode()
        started = time.monotonic()
        try:
            answer = self.pool.request(
                "POST",
                self.url,
                body=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                timeout=30,
            )
        except urllib3.exceptions.HTTPError:
            answer = None
        with self.lock:
            if answer is not None and answer.status in (200, 201):
                self.sent[json.loads(answer.data)["tracking_code"]] = started
            else:
                self.failures += 1


def sustained(submitter: Submitter, seconds: float, threads: int) -> float:
    """Submit from ``threads`` threads until ``seconds`` pass; accepted cases per second."""
    deadline = time.monotonic() + seconds
    before = len(submitter.sent)

    def loop() -> None:
        while time.monotonic() < deadline:
            submitter.submit_one()

    started = time.monotonic()
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for t in workers:
        t.start()
    while any(t.is_alive() for t in workers):
        time.sleep(1.0)
        say(f"sustained: {len(submitter.sent) - before} cases accepted")
    for t in workers:
        t.join()
    return (len(submitter.sent) - before) / (time.monotonic() - started)


def paced(submitter: Submitter, rate: float, seconds: float) -> list[str]:
    """Submit ``rate`` cases a second on a fixed schedule; the codes accepted."""
    count = int(rate * seconds)
    before = set(submitter.sent)
    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(submitter.submit_one)
            if i and i % int(rate * 5) == 0:
                say(f"paced: {i}/{count} submitted")
    return [c for c in submitter.sent if c not in before]


def drain(arrivals: Arrivals, codes: list[str], label: str, timeout: float) -> float:
    """Wait until every code has an alert (or nothing arrives for a long time); seconds."""
    started = time.monotonic()
    last_total, last_change = -1, started
    while time.monotonic() - started < timeout:
        with arrivals.lock:
            missing = sum(1 for c in codes if c not in arrivals.times)
        if not missing:
            break
        total = arrivals.count()
        if total != last_total:
            last_total, last_change = total, time.monotonic()
        elif time.monotonic() - last_change > 30:
            say(f"{label}: no mail for 30 s, {missing} cases still without an alert")
            break
        say(f"{label}: {len(codes) - missing}/{len(codes)} alerted")
        time.sleep(1.0)
    return time.monotonic() - started


# --- ceilings ----------------------------------------------------------------------------------


def _queue(channel: Any, name: str) -> None:
    # Quorum, as Pantau's own queues are.
    channel.queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})


def ceiling_publish(amqp_url: str, count: int, body: bytes) -> float:
    """Persistent publishes, each waiting for its confirm (pika's BlockingConnection)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    _queue(channel, "bench.publish")
    channel.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    started = time.monotonic()
    for _ in range(count):
        channel.basic_publish("", "bench.publish", body, properties=props)
    rate = count / (time.monotonic() - started)
    channel.queue_delete("bench.publish")
    connection.close()
    return rate


def waiting(amqp_url: str, settings: Settings) -> dict[str, int]:
    """Messages ready in each service's queue (prefetched ones not counted): where a backlog
    stands says which stage fell behind."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        return {
            t.service: channel.queue_declare(t.queue, passive=True).method.message_count
            for t in all_topologies(settings)
        }
    finally:
        connection.close()


def ceiling_consume(amqp_url: str, count: int, body: bytes) -> float:
    """Consume and ack one by one with prefetch 50, from a queue filled beforehand."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    _queue(channel, "bench.consume")
    channel.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=2)
    for _ in range(count):
        channel.basic_publish("", "bench.consume", body, properties=props, mandatory=False)
    channel.basic_qos(prefetch_count=50)
    got = 0
    started = time.monotonic()
    for method, _props, _body in channel.consume("bench.consume", inactivity_timeout=10):
        if method is None:
            break
        channel.basic_ack(method.delivery_tag)
        got += 1
        if got >= count:
            break
    rate = got / (time.monotonic() - started)
    channel.cancel()
    channel.queue_delete("bench.consume")
    connection.close()
    return rate


def ceiling_mongo(mongo_url: str, seconds: float, threads: int, doc: dict[str, Any]) -> float:
    """Single-document inserts, w=majority and journaled, from ``threads`` threads."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_url)
    collection = client["bench_ceiling"].get_collection(
        "cases", write_concern=WriteConcern(w="majority", j=True)
    )
    done = [0] * threads
    deadline = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < deadline:
            collection.insert_one(dict(doc))
            done[i] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    rate = sum(done) / (time.monotonic() - started)
    client.drop_database("bench_ceiling")
    client.close()
    return rate


# --- CPU per process ----------------------------------------------------------------------------

# Threads of a worker process that belong to its outbox relay (see shared.worker_runtime): the
# relay, its publisher's I/O loop and, in intake's worker, the change stream that wakes it.
RELAY_THREADS = ("outbox-relay", "publisher", "outbox-watch")


def cpu_snapshot(children: list[Child], mongod_pid: int | None, sink: MailSink) -> dict[str, float]:
    """CPU seconds so far of every process of the run, by label. A gunicorn master's reaped
    workers count with its live ones; a worker is split into its relay threads and the rest
    (the consumer and its handlers, the driver's and pymongo's threads)."""
    out: dict[str, float] = {}
    for child in children:
        if child.process is None:
            continue
        pid = child.process.pid
        total = cpu.tree_cpu(pid)
        if child.name.endswith("-http"):
            master = cpu.read_stat(pid)
            master_own = master.own if master is not None else 0.0
            out[f"{child.name} master"] = master_own
            out[f"{child.name} workers"] = total - master_own
        else:
            threads = cpu.threads_cpu(pid)
            relay = sum(threads.get(name, 0.0) for name in RELAY_THREADS)
            out[f"{child.name} relay"] = relay
            out[f"{child.name} consumer+rest"] = total - relay
            for name, seconds in threads.items():
                if name not in RELAY_THREADS:
                    out[f"  {child.name} thread {name}"] = seconds
    if mongod_pid is not None:
        out["mongod"] = cpu.tree_cpu(mongod_pid)
    out["RabbitMQ (beam.smp, whole node)"] = sum(
        cpu.tree_cpu(pid) for pid in cpu.find_process("beam.smp")
    )
    thread = getattr(sink.controller, "_thread", None)
    sink_tid = thread.native_id if thread is not None else None
    sink_stat = cpu.read_stat(os.getpid(), sink_tid) if sink_tid else None
    sink_cpu = sink_stat.own if sink_stat is not None else 0.0
    out["SMTP sink (aiosmtpd thread)"] = sink_cpu
    own = cpu.read_stat(os.getpid())
    out["load generator (bench driver)"] = (own.own if own is not None else 0.0) - sink_cpu
    return out


def cpu_report(used: dict[str, float], cases: int, seconds: float) -> list[str]:
    """Milliseconds of CPU per delivered case for each process, then the groups' totals."""
    per = max(cases, 1)
    # Rows starting with a space detail a worker's threads ("python": the consumer's main
    # thread and every unnamed one, pymongo's monitors among them); they are not summed.
    detail = {k: v for k, v in used.items() if k.startswith(" ")}
    used = {k: v for k, v in used.items() if not k.startswith(" ")}
    lines = [f"    {'process':<40}{'CPU s':>8}{'ms/case':>10}{'cores':>7}"]
    for label, value in [*used.items(), *detail.items()]:
        if label in used or value * 1000 / per >= 0.01:
            lines.append(
                f"    {label:<40}{value:8.2f}{value * 1000 / per:10.2f}{value / seconds:7.2f}"
            )
    pantau, engines = cpu_total(used, "pantau"), cpu_total(used, "engines")
    rest = sum(v for k, v in used.items() if not k.startswith(" ")) - pantau - engines
    for label, value in (
        ("Pantau's own processes", pantau),
        ("engines (mongod + RabbitMQ)", engines),
        ("SMTP sink + load generator", rest),
    ):
        lines.append(f"    {label:<40}{value:8.2f}{value * 1000 / per:10.2f}{value / seconds:7.2f}")
    return lines


SERVICES = ("intake", "triage", "notify")


def cpu_total(used: dict[str, float], group: str) -> float:
    """CPU seconds of a group of processes: Pantau's own, the engines, or mongod alone."""
    rows = {k: v for k, v in used.items() if not k.startswith(" ")}
    if group == "pantau":
        return sum(v for k, v in rows.items() if k.split()[0].split("-")[0] in SERVICES)
    if group == "engines":
        return sum(v for k, v in rows.items() if k.startswith(("mongod", "RabbitMQ")))
    return sum(v for k, v in rows.items() if k.startswith(group))


# --- the run -----------------------------------------------------------------------------------


def start_suite(
    servers: Servers, sink: MailSink, *, triage_workers: int = 1
) -> tuple[list[Child], dict[str, int], Settings]:
    http_ports = {svc: free_port() for svc in ("intake", "triage", "notify")}
    metrics_ports = {svc: free_port() for svc in ("intake", "triage", "notify")}
    more_triage = {"triage": [free_port() for _ in range(triage_workers - 1)]}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        {
            "PANTAU_MONGO_URL": servers.mongo_url,
            "PANTAU_DB_PREFIX": f"bench{os.getpid()}",
            "PANTAU_AMQP_URL": f"{servers.amqp_url}?heartbeat=30",
            "PANTAU_SMTP_PORT": str(sink.port),
            "PANTAU_INTAKE_URL": f"http://127.0.0.1:{http_ports['intake']}",
            "PANTAU_VAULT_KEY": new_key(),
            # The per-key limit protects production from a runaway client and the per-officer
            # limit turns bursts into digests; here both would measure the limiters instead
            # of the pipeline and hide lost alerts inside digests.
            "PANTAU_SUBMIT_RATE_PER_MINUTE": "100000000",
            "PANTAU_NOTIFY_RATE_LIMIT": "0",
            "PANTAU_LOG_LEVEL": "WARNING",
        }
    )
    children = build_children(
        servers.home,
        env,
        http_ports=http_ports,
        metrics_ports=metrics_ports,
        replica_metrics_ports=more_triage,
    )
    for child in children:
        child.start()
    replicas = {f"triage-{n}": port for n, port in enumerate(more_triage["triage"], start=2)}
    wait_until_ready(children, http_ports, 90, worker_ports={**metrics_ports, **replicas})
    settings = Settings(
        mongo_url=servers.mongo_url, db_prefix=env["PANTAU_DB_PREFIX"], amqp_url=servers.amqp_url
    )
    return children, http_ports, settings


def stop_suite(children: list[Child]) -> None:
    for child in children:
        child.stop()
    for child in children:
        child.wait(20)


def database_report(work: DatabaseWork, cases: int) -> list[str]:
    """What mongod did per delivered case over the same stretch as the CPU figures."""
    per_case = work.per_request(cases)
    documents = ", ".join(f"{name} {per_case[name]:.2f}" for name in DATABASE_COLUMNS)
    commands = ", ".join(f"{name} {n:.2f}" for name, n in work.commands_per_request(cases))
    lines = [
        f"    MongoDB's work per delivered case (serverStatus, every client): {documents}",
        f"      commands per case, most first: {commands}",
        "      collections by mongod's time on them (top), per case:",
    ]
    for name, ms, operations in work.collections_per_request(cases):
        ops = ", ".join(f"{op} {n:.2f}" for op, n in operations.items())
        lines.append(f"        {name:<34} {ms:6.3f} ms   {ops}")
    return lines


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="length of the sustained load")
    parser.add_argument("--threads", type=int, default=8, help="submitting threads")
    parser.add_argument("--rate", type=float, default=50, help="offered cases/s for latency")
    parser.add_argument("--paced", type=float, default=20, help="length of the paced load")
    parser.add_argument("--lone", type=float, default=20, help="seconds of one case a second")
    parser.add_argument(
        "--triage-workers",
        type=int,
        default=1,
        help="triage worker replicas (a regency's filings still run one at a time)",
    )
    parser.add_argument("--drain-timeout", type=float, default=900, help="give up after this")
    args = parser.parse_args()
    arrivals = Arrivals()
    report: list[str] = []
    with real_servers() as servers:
        sink = timed_sink(arrivals)
        sink.start()
        children: list[Child] = []
        try:
            say("starting intake, triage and notify (HTTP and workers)")
            children, http_ports, settings = start_suite(
                servers, sink, triage_workers=args.triage_workers
            )
            from services.intake.access.keys import create_key
            from services.intake.bootstrap import bootstrap, ensure_indexes

            bootstrap(settings)
            ensure_indexes()
            keys = [create_key(name=f"bench {r}", region=r, role="submitter")[0] for r in REGIONS]
            submitter = Submitter(f"http://127.0.0.1:{http_ports['intake']}", keys)

            say("yardstick: a fixed piece of Python work, before the load")
            yardstick_before = yardstick_ms(distinct_case(0))

            # (a) sustained
            say(f"(a) sustained load: {args.threads} threads for {args.seconds:.0f} s")
            mails_before = arrivals.count()
            load_before = cpu.loadavg()
            cpu_before = cpu_snapshot(children, servers.mongod_pid, sink)
            database = DatabaseWork(MongoClient(servers.mongo_url))
            load_started = time.monotonic()
            accepted_rate = sustained(submitter, args.seconds, args.threads)
            load_seconds = time.monotonic() - load_started
            alerts_during = (arrivals.count() - mails_before) / load_seconds
            codes_a = list(submitter.sent)
            drained = drain(arrivals, codes_a, "(a) draining", args.drain_timeout)
            cpu_after = cpu_snapshot(children, servers.mongod_pid, sink)
            database.stop()
            database.client.close()
            cpu_seconds = time.monotonic() - load_started
            load_after = cpu.loadavg()
            with arrivals.lock:
                got = [arrivals.times[c] for c in codes_a if c in arrivals.times]
                per_case = {c: arrivals.keys.get(c, []) for c in codes_a}
                last_arrival = max((t for ts in got for t in ts), default=load_started)
                first_arrival = min((t for ts in got for t in ts), default=load_started)
            # Checked case by case: a case is lost without a mail naming its tracking code,
            # doubled when one notification (X-Pantau-Notification) reached the sink twice.
            lost = sum(1 for keys in per_case.values() if not keys)
            doubled = sum(1 for keys in per_case.values() if len(keys) != len(set(keys)))
            duplicated = sum(len(keys) - len(set(keys)) for keys in per_case.values())
            extra_alerts = sum(max(0, len(set(keys)) - 1) for keys in per_case.values())
            span = max(1e-9, last_arrival - first_arrival)
            cpu_used = cpu.difference(cpu_before, cpu_after)
            yardstick_after = yardstick_ms(distinct_case(0))

            # (b) latency at a fixed offered load
            say(f"(b) paced load: {args.rate:.0f} cases/s for {args.paced:.0f} s")
            ticks_before = cpu.machine_ticks()
            codes_b = paced(submitter, args.rate, args.paced)
            busy_b = cpu.busy_share(ticks_before, cpu.machine_ticks())
            waiting_b = waiting(servers.amqp_url, settings)
            drain(arrivals, codes_b, "(b) draining", args.drain_timeout)
            with arrivals.lock:
                latencies = [
                    (min(arrivals.times[c]) - submitter.sent[c]) * 1000
                    for c in codes_b
                    if c in arrivals.times
                ]
                per_case_b = {c: arrivals.keys.get(c, []) for c in codes_b}
                times_b = [t for c in codes_b for t in arrivals.times.get(c, [])]
            lost_b = len(codes_b) - len(latencies)
            doubled_b = sum(1 for keys in per_case_b.values() if len(keys) != len(set(keys)))
            # The rate the sink kept while the paced load lasted: the offered rate when the
            # pipeline keeps up (the latencies say whether it did).
            span_b = max(times_b) - min(times_b) if len(times_b) > 1 else 0.0
            rate_b = len(latencies) / span_b if span_b > 0 else 0.0

            say(f"(b) lone cases: 1 case/s for {args.lone:.0f} s")
            codes_lone = paced(submitter, 1.0, args.lone)
            drain(arrivals, codes_lone, "(b) lone draining", args.drain_timeout)
            with arrivals.lock:
                lone = [
                    (min(arrivals.times[c]) - submitter.sent[c]) * 1000
                    for c in codes_lone
                    if c in arrivals.times
                ]

            # (c) memory
            memory: list[tuple[str, int]] = []
            for child in children:
                if child.process is None:
                    continue
                pids = [child.process.pid, *cpu.descendants(child.process.pid)]
                rss = sum(cpu.rss_kib(p) for p in pids)
                memory.append((f"{child.name} ({len(pids)} proc)", rss))
            stop_suite(children)
            children = []
            memory.append(("bench driver (this process)", cpu.rss_kib(os.getpid())))

            # (d) ceilings, with the suite stopped so they have the machine to themselves
            say("(d) ceilings: pika publish, consume-and-ack, MongoDB inserts")
            body = distinct_case(0)
            raw = json.dumps(body).encode()
            publish = ceiling_publish(servers.amqp_url, 3000, raw)
            consume = ceiling_consume(servers.amqp_url, 10000, raw)
            inserts = ceiling_mongo(servers.mongo_url, 5, 8, body)
        finally:
            stop_suite(children)
            sink.stop()

    report.append(
        "Pantau pipeline: intake -> RabbitMQ -> triage -> notify -> SMTP (one run"
        + (f", {args.triage_workers} triage workers)" if args.triage_workers > 1 else ")")
    )
    report.append(
        f"(a) sustained, {args.threads} threads for {load_seconds:.1f} s, "
        f"{len(REGIONS)} regencies, digests off"
    )
    report.append(
        f"    cases accepted         {accepted_rate:8.1f} /s   "
        f"({len(codes_a)} cases, {submitter.failures} refused or failed)"
    )
    report.append(f"    alerts at SMTP (load)  {alerts_during:8.1f} /s   during the load")
    report.append(
        f"    alerts at SMTP (all)   {len(got) / span:8.1f} /s   first to last alert ({span:.1f} s)"
    )
    report.append(f"    drained                {drained:8.1f} s    after the load stopped")
    report.append(
        f"    checked per case at the sink: lost {lost}, doubled {doubled} "
        f"({duplicated} repeated mails), other alerts on the same cases {extra_alerts}"
    )
    report.append(
        f"    CPU per delivered case, from the load's start to the last alert "
        f"({cpu_seconds:.1f} s, {len(got)} cases; load average {load_before} -> {load_after})"
    )
    report.extend(cpu_report(cpu_used, len(got), cpu_seconds))
    report.extend(database_report(database, len(got)))
    yardstick = (yardstick_before + yardstick_after) / 2
    pantau_ms = cpu_total(cpu_used, "pantau") * 1000 / max(len(got), 1)
    report.append(
        f"    yardstick (bench/yardstick.py), CPU ms before / after the load: "
        f"{yardstick_before:.0f} / {yardstick_after:.0f}; per case in yardsticks: "
        f"Pantau {pantau_ms / yardstick:.4f}, "
        f"mongod {cpu_total(cpu_used, 'mongod') * 1000 / max(len(got), 1) / yardstick:.4f}"
    )
    if latencies:
        report.append(
            f"(b) time to alert at {args.rate:.0f} cases/s offered for {args.paced:.0f} s "
            f"({len(latencies)} cases, {lost_b} without alert, {doubled_b} doubled)"
        )
        report.append(f"    alerts at SMTP, first to last: {rate_b:.1f} /s")
        report.append(
            f"    machine busy while it was offered: {busy_b:.0%} of {os.cpu_count()} cores; "
            "ready in the queues at its end: "
            + ", ".join(f"{service} {count}" for service, count in waiting_b.items())
        )
        report.append(
            f"    p50 {statistics.median(latencies):7.0f} ms   "
            f"p99 {percentile(latencies, 0.99):7.0f} ms   max {max(latencies):7.0f} ms"
        )
    if lone:
        report.append(
            f"    lone cases, 1 case/s for {args.lone:.0f} s ({len(lone)} of "
            f"{len(codes_lone)} alerted): p50 {statistics.median(lone):.0f} ms   "
            f"p99 {percentile(lone, 0.99):.0f} ms"
        )
    # No paced load (--paced 0): nothing to judge goal 2 by.
    paced_run = (
        PacedRun(
            offered=args.rate,
            seconds=args.paced,
            delivered=rate_b,
            waiting=waiting_b.get("triage", 0) + waiting_b.get("notify", 0),
            lost=lost_b,
            doubled=doubled_b,
            p99_ms=percentile(latencies, 0.99) if latencies else float("inf"),
        )
        if codes_b
        else None
    )
    report.append("goals of the work per case (docs/benchmarks.md)")
    report.extend(f"    {line}" for line in goal_lines(pantau_ms, paced_run))
    report.append("(c) resident memory at the end (VmRSS, gunicorn masters with their workers)")
    for name, kib in memory:
        report.append(f"    {name:<32}{kib / 1024:8.1f} MiB")
    report.append("(d) ceilings on this machine, same run, suite stopped")
    rows: list[tuple[str, float, str, float]] = [
        ("pika publish, blocking confirm", publish, "cases accepted", accepted_rate),
        ("consume + ack, prefetch 50", consume, "alerts at SMTP", len(got) / span),
        ("MongoDB insert w=majority, 8 thr", inserts, "cases accepted", accepted_rate),
    ]
    for label, ceiling, what, pantau in rows:
        report.append(
            f"    {label:<34}{ceiling:9.0f} /s   Pantau {what} {pantau:7.1f} /s   "
            f"ratio {pantau / ceiling:5.3f}"
        )
    print("\n".join(report))


if __name__ == "__main__":
    main()
