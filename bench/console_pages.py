"""The console against its budgets: what each page costs a phone on first load, and how fast
the queue and the case page answer with 20 signed-in officers working at once.

    .venv/bin/python -m bench.console_pages [--seconds 30] [--officers 20] [--cases 100]

Starts the whole suite with the console as real processes (gunicorn, workers, mongod,
RabbitMQ, an SMTP sink), fills a regency with cases, then:

1. Page weight: Debian's Chromium (Playwright) opens every page family in a fresh profile
   (an empty cache: a first load) and adds up what crossed the wire per page (encoded bytes:
   the HTML, CSS, JS and images the page needs), against the budgets (150 kB in all, JS
   30 kB, CSS 20 kB).
2. Latency: ``--officers`` people, each in their own thread with their own session, read the
   queue and open cases for ``--seconds``; p50/p95/p99 per page, against the 300 ms budget.

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.harness import real_servers, say
from services.cli.infra import CHROMIUM
from tests.support.builders import case_payload
from tests.support.pages import PageClient
from tests.support.suite import Suite, running_suite

BUDGET_TOTAL = 150_000
BUDGET_JS = 30_000
BUDGET_CSS = 20_000
BUDGET_P95_MS = 300.0
PASSWORD = "rumah panggung di tepi danau"  # noqa: S105 (a bench person's password)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def fill(suite: Suite, cases: int) -> list[str]:
    key = suite.key("12.06", "submitter")
    ids = []
    for n in range(cases):
        payload = case_payload(
            title=f"Kasus uji beban {n}: ASN {n} membagikan unggahan paslon",
            description=f"Pegawai nomor {n} di kantor {n * 7 % 13} membagikan unggahan tim "
            f"pemenangan pasangan calon dan menulis komentar dukungan nomor {n}.",
            accused=[{"name": f"Pegawai {n}", "employment_type": "PNS"}],
            evidence_urls=[f"https://www.facebook.com/share/p/load{n}/"],
        )
        ids.append(suite.submit(key, payload)["id"])
    return ids


def sign_in(suite: Suite, officer_id: str) -> PageClient:
    suite.person(officer_id)
    person = PageClient(suite.urls["console"])
    person.accept_invitation(suite.invitation(officer_id), PASSWORD)
    return person


def page_weight(page: Page, url: str) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(url, wait_until="load")
    for request in requests:
        measured = request.sizes()
        wire = measured["responseBodySize"] + measured["responseHeadersSize"]
        kind = request.resource_type
        sizes["total"] += wire
        sizes[kind] += wire
        sizes["requests"] += 1
    return dict(sizes)


def weights(suite: Suite, case_id: str) -> list[tuple[str, dict[str, int]]]:
    base = suite.urls["console"]
    suite.person("bench-weigher")
    link = suite.invitation("bench-weigher")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        signed_out = ["/masuk", "/masuk/lupa", "/lapor", "/lacak"]
        for path in signed_out:
            context = browser.new_context(viewport={"width": 360, "height": 740})
            rows.append((path, page_weight(context.new_page(), base + path)))
            context.close()
        # Signed in: each page measured in a profile with the session cookie and nothing cached.
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(link)
        page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
        page.wait_for_load_state()
        cookies = context.cookies()
        context.close()
        for path in ["/kasus", "/kasus?sort=priority", f"/kasus/{case_id}", "/akun"]:
            fresh = browser.new_context(viewport={"width": 360, "height": 740})
            fresh.add_cookies(cookies)  # type: ignore[arg-type]
            rows.append((path, page_weight(fresh.new_page(), base + path)))
            fresh.close()
        browser.close()
    return rows


def latency(
    people: list[PageClient], case_ids: list[str], seconds: float, think: float = 0.0
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(person: PageClient, seed: int) -> None:
        rng = random.Random(seed)
        # People do not all click in the same instant: each starts within one reading time.
        time.sleep(think * rng.random())
        while time.monotonic() < stop:
            for name, path in (
                ("queue", "/kasus?sort=due"),
                ("case", f"/kasus/{rng.choice(case_ids)}"),
            ):
                started = time.perf_counter()
                answer = person.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings[name if answer.status_code == 200 else f"{name} (error)"].append(
                        elapsed
                    )
                # A person reads the page before the next click (0: as fast as they can).
                time.sleep(think * rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=work, args=(p, n)) for n, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="seconds a person reads a page before the next click (averaged; 0: no pause)",
    )
    args = parser.parse_args()
    with (
        real_servers() as servers,
        running_suite(
            servers.mongo_url,
            Path(tempfile.mkdtemp(prefix="pantau-console-bench-")),
            amqp_url=servers.amqp_url,
            console=True,
        ) as suite,
    ):
        say(f"filling Kabupaten Karo with {args.cases} cases")
        ids = fill(suite, args.cases)
        time.sleep(5)  # let triage route them (figures below do not depend on it)
        say("measuring page weight in Chromium")
        rows = weights(suite, ids[0])
        print("\nPage weight on first load (bytes on the wire, empty cache), budget 150 kB:")
        print(
            f"  {'page':<24}{'total':>9}{'html':>9}{'css':>8}{'js':>8}{'img':>8}{'reqs':>6}  "
            "of budget"
        )
        for path, sizes in rows:
            total = sizes.get("total", 0)
            print(
                f"  {path:<24}{total:>9}{sizes.get('document', 0):>9}"
                f"{sizes.get('stylesheet', 0):>8}{sizes.get('script', 0):>8}"
                f"{sizes.get('image', 0):>8}{sizes.get('requests', 0):>6}  "
                f"{total / BUDGET_TOTAL:.2f} (js {sizes.get('script', 0) / BUDGET_JS:.2f}, "
                f"css {sizes.get('stylesheet', 0) / BUDGET_CSS:.2f})"
            )
        say(f"signing in {args.officers} officers")
        people = [sign_in(suite, f"bench-officer-{n}") for n in range(args.officers)]
        for think in (args.think, 0.0):
            say(
                f"{args.officers} officers reading queues and cases for {args.seconds:.0f} s, "
                f"{think:.1f} s per page read"
            )
            timings = latency(people, ids, args.seconds, think)
            rate = sum(len(v) for v in timings.values()) / args.seconds
            print(
                f"\nLatency with {args.officers} officers at once, each reading a page "
                f"{think:.1f} s on average before the next ({args.seconds:.0f} s, "
                f"{rate:.1f} pages/s), budget p95 {BUDGET_P95_MS:.0f} ms:"
            )
            for name, values in sorted(timings.items()):
                print(
                    f"  {name:<14} n={len(values):>5}  p50 {statistics.median(values):7.1f} ms"
                    f"  p95 {percentile(values, 0.95):7.1f} ms"
                    f"  p99 {percentile(values, 0.99):7.1f} ms"
                    f"  p95/budget {percentile(values, 0.95) / BUDGET_P95_MS:.2f}"
                )


if __name__ == "__main__":
    main()
