"""The benchmarks' /proc reader: the CPU fields of a stat line, whatever the command name holds;
a process tree, its memory and the load average."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from bench.cpu import (
    descendants,
    difference,
    loadavg,
    parse_stat,
    read_stat,
    rss_kib,
    thread_names,
    tree_cpu,
)
from bench.pipeline_throughput import cpu_total

# A real line's shape: pid (comm) state ppid ... utime stime cutime cstime ...
_LINE = (
    "4242 ({comm}) S 17 4242 4242 0 -1 4194560 1200 0 0 0 "
    "250 50 30 20 20 0 3 0 135664 3133440 389 18446744073709551615 0 0"
)


def test_cpu_fields_are_counted_after_the_command_name() -> None:
    stat = parse_stat(_LINE.format(comm="python"), tick=100)
    assert stat.comm == "python"
    assert stat.ppid == 17
    assert stat.own == 3.0  # (250 + 50) / 100
    assert stat.children == 0.5  # (30 + 20) / 100


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() -> None:
    stat = parse_stat(_LINE.format(comm="gunicorn: (worker) 2"), tick=100)
    assert stat.comm == "gunicorn: (worker) 2"
    assert stat.ppid == 17
    assert stat.own == 3.0
    assert stat.children == 0.5


def test_own_process_and_threads_are_read_from_proc() -> None:
    stat = read_stat(os.getpid())
    assert stat is not None
    assert stat.ppid == os.getppid()
    assert tree_cpu(os.getpid()) >= stat.own
    seen: dict[int, str] = {}
    ready = threading.Event()
    done = threading.Event()

    def run() -> None:
        seen.update(thread_names(os.getpid()))
        ready.set()
        done.wait(5)

    thread = threading.Thread(target=run)
    thread.start()
    ready.wait(5)
    done.set()
    thread.join()
    assert threading.get_native_id() in seen
    assert len(seen) >= 2


def test_a_gone_process_reads_as_none() -> None:
    assert read_stat(2**22 + 1) is None


def test_descendants_include_grandchildren_and_memory_is_read_per_process() -> None:
    # A child that starts a grandchild and waits on it.
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'input()'])"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        below: list[int] = []
        for _ in range(200):
            below = descendants(child.pid)
            if below:
                break
            threading.Event().wait(0.05)
        # The test process may have other children (the suite's servers): ours is among them,
        # its child right after it.
        ours = descendants(os.getpid())
        assert ours[ours.index(child.pid) + 1] == below[0]
        grandchild = read_stat(below[0])
        assert grandchild is not None
        assert grandchild.ppid == child.pid
        assert rss_kib(child.pid) > 0
    finally:
        child.communicate(b"\n", timeout=10)
    assert rss_kib(child.pid) == 0  # gone


def test_the_load_average_is_three_figures() -> None:
    figures = loadavg().split()
    assert len(figures) == 3
    assert all(float(f) >= 0 for f in figures)


def test_difference_counts_new_keys_whole() -> None:
    assert difference({"a": 1.0}, {"a": 1.5, "b": 0.25}) == {"a": 0.5, "b": 0.25}


def test_the_groups_add_the_processes_not_their_thread_details() -> None:
    used = {
        "intake-http workers": 2.0,
        "triage-worker relay": 1.0,
        "triage-worker consumer+rest": 3.0,
        "  triage-worker thread python": 2.5,
        "mongod": 4.0,
        "RabbitMQ (beam.smp, whole node)": 0.5,
        "SMTP sink (aiosmtpd thread)": 0.25,
    }
    assert cpu_total(used, "pantau") == 6.0
    assert cpu_total(used, "engines") == 4.5
    assert cpu_total(used, "mongod") == 4.0
