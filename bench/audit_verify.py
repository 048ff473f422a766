"""How long `pantau audit verify` takes for a province's cases, and what its reads cost.

    python -m bench.audit_verify [--cases 20000] [--entries 4] [--rounds 3]

A fresh mongod holds ``--cases`` cases of one province, each with a trail of ``--entries``
chained entries (as intake writes them). Each round times the check as the command runs it
(``verify_all``: the trails read a thousand cases at a time) and, as the yardstick measured
in the same run, the same check with each case's trail read by a query of its own (how the
check read them until the seventeenth round of work per case). Prints each round's seconds,
cases per second and the ratio, and their medians.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from statistics import median

from bson import ObjectId

from bench.harness import real_servers, say
from services.intake.actions import audit, audit_reads
from services.intake.actions.audit_models import AuditEntry
from services.intake.bootstrap import bootstrap
from services.intake.cases.models import Case
from shared.settings import Settings

_REGENCIES = ("12.06", "12.07", "12.08", "12.09")
_ACTOR = {"kind": "key", "id": "k0", "name": "Kabid BKPSDM", "role": "supervisor"}


def fill(cases: int, entries: int) -> None:
    """``cases`` cases with their chains, inserted in batches."""
    at = datetime(2024, 11, 8, tzinfo=UTC)
    for start in range(0, cases, 1000):
        case_docs, trail = [], []
        for n in range(start, min(start + 1000, cases)):
            case_id, tenant, prev = ObjectId(), _REGENCIES[n % len(_REGENCIES)], audit.GENESIS
            for seq in range(1, entries + 1):
                entry = audit.new_entry(
                    case_id=str(case_id),
                    seq=seq,
                    tenant=tenant,
                    at=at + timedelta(minutes=n + seq),
                    actor=_ACTOR,
                    action="comment",
                    changed=[{"field": "comments", "before": seq - 1, "after": seq}],
                    request_id=None,
                    prev=prev,
                )
                trail.append(entry)
                prev = entry["hash"]
            head = {"seq": entries, "hash": prev}
            case_docs.append({"_id": case_id, "tenant": tenant, "audit_head": head})
        Case._get_collection().insert_many(case_docs)
        AuditEntry._get_collection().insert_many(trail)


def one_query_each() -> list[audit.Verdict]:
    """The yardstick: the same check with a query per case for its trail."""
    query = {"audit_head": {"$exists": True}}
    return [
        audit.verify(str(doc["_id"]), audit_reads.trail_of(str(doc["_id"])), doc["audit_head"])
        for doc in Case._get_collection().find(query, {"audit_head": 1}).sort("_id", 1)
    ]


def timed(check: Callable[[], list[audit.Verdict]]) -> tuple[float, int]:
    """Seconds the check took and how many cases it checked (every chain must verify)."""
    started = time.perf_counter()
    verdicts = check()
    elapsed = time.perf_counter() - started
    if not all(v.intact for v in verdicts):
        raise SystemExit("a generated chain did not verify: the bench is wrong")
    return elapsed, len(verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with real_servers() as servers:
        bootstrap(Settings(mongo_url=servers.mongo_url, amqp_url=servers.amqp_url))
        AuditEntry.ensure_indexes()  # the index the check reads trails by
        say(f"writing {args.cases} cases with {args.entries} entries each")
        fill(args.cases, args.entries)
        ratios = []
        for n in range(1, args.rounds + 1):
            # Alternating which goes first, so a warm cache favours neither.
            order = [("verify_all", audit_reads.verify_all), ("a query each", one_query_each)]
            times = {}
            for name, check in order if n % 2 else reversed(order):
                seconds, checked = timed(check)
                if checked != args.cases:
                    raise SystemExit(f"{name} checked {checked} cases of {args.cases}")
                times[name] = seconds
            ratio = times["a query each"] / times["verify_all"]
            ratios.append(ratio)
            print(
                f"round {n}: verify_all {times['verify_all']:.2f} s"
                f" ({args.cases / times['verify_all']:,.0f} cases/s); a query each"
                f" {times['a query each']:.2f} s ({args.cases / times['a query each']:,.0f}"
                f" cases/s); {ratio:.1f} times faster"
            )
        print(f"median: {median(ratios):.1f} times faster than a query per case")


if __name__ == "__main__":
    main()
