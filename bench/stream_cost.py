"""What an idle change stream costs mongod for every write, waiting or asked.

    python -m bench.stream_cost [--streams 2] [--rounds 4] [--seconds 6]

Eight threads insert case-sized documents (journaled, majority) into one collection while
``--streams`` change streams follow another collection, where nothing is written: first none,
then streams whose getMore waits in the database for a change (how ``shared.followed`` reads
a followed collection), then streams asked every quarter second without waiting (the
alternative tried in the twelfth round of work per case and withdrawn: docs/benchmarks.md).
The three alternate for ``--rounds`` rounds, so the machine's drift shows as spread, not as a
difference. Prints mongod's CPU per insert (``/proc``) and the insert rate of each.
"""

from __future__ import annotations

import argparse
import threading
import time
from statistics import median

from bson import ObjectId
from pymongo import MongoClient, WriteConcern
from pymongo.collection import Collection

from bench import cpu
from bench.harness import real_servers, say

MODES = ("no stream", "waiting", "asked every 0.25 s")
_DOCUMENT = {"title": "t" * 80, "description": "d" * 1200, "location": {"text": "Kabanjahe"}}


def follow(url: str, waiting: bool, stop: threading.Event) -> None:
    """One process's follower of a collection nobody writes to."""
    client: MongoClient[dict[str, object]]
    with MongoClient(url) as client:
        keys: Collection[dict[str, object]] = client.bench_streams.keys
        with keys.watch(max_await_time_ms=500 if waiting else 1) as stream:
            while not stop.is_set():
                if stream.try_next() is None and not waiting:
                    stop.wait(0.25)


def insert_load(url: str, mongod_pid: int, seconds: float) -> tuple[float, float]:
    """Eight inserting threads for ``seconds``: (mongod's ms of CPU per insert, inserts/s)."""
    client: MongoClient[dict[str, object]] = MongoClient(url)
    cases = client.bench_streams.get_collection(
        "cases", write_concern=WriteConcern(w="majority", j=True)
    )
    counts: list[int] = []
    end = time.monotonic() + seconds

    def insert() -> None:
        n = 0
        while time.monotonic() < end:
            cases.insert_one({**_DOCUMENT, "_id": ObjectId()})
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=insert) for _ in range(8)]
    before = cpu.tree_cpu(mongod_pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = cpu.tree_cpu(mongod_pid) - before
    client.close()
    return used * 1000 / sum(counts), sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=2, help="followers of the idle collection")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=6, help="length of each insert load")
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    with real_servers() as servers:
        assert servers.mongod_pid is not None
        setup: MongoClient[dict[str, object]] = MongoClient(servers.mongo_url)
        setup.bench_streams.keys.insert_one({"_id": "created"})
        setup.close()
        insert_load(servers.mongo_url, servers.mongod_pid, 2)  # warm up
        for n in range(args.rounds):
            for mode in MODES:
                stop = threading.Event()
                followers = [
                    threading.Thread(
                        target=follow, args=(servers.mongo_url, mode == "waiting", stop)
                    )
                    for _ in range(args.streams if mode != "no stream" else 0)
                ]
                for follower in followers:
                    follower.start()
                time.sleep(1)  # the streams open
                say(f"round {n + 1} of {args.rounds}: {mode}")
                figures[mode].append(
                    insert_load(servers.mongo_url, servers.mongod_pid, args.seconds)
                )
                stop.set()
                for follower in followers:
                    follower.join()
    print(
        f"mongod's CPU per insert with {args.streams} change streams on an idle collection "
        f"({args.rounds} rounds alternating, {args.seconds:.0f} s each; median, range)"
    )
    base = median(ms for ms, _ in figures["no stream"])
    for mode in MODES:
        ms = [m for m, _ in figures[mode]]
        rates = [r for _, r in figures[mode]]
        print(
            f"  {mode:<22}{median(ms):7.3f} ms ({min(ms):.3f}-{max(ms):.3f})"
            f"   {median(ms) - base:+7.3f} ms   {median(rates):6.0f} inserts/s"
        )


if __name__ == "__main__":
    main()
