"""What the benchmarks read from ``/proc``: CPU time of processes and threads (for CPU-per-case
figures), their memory, and the machine's load average.

A process's CPU is ``utime + stime`` of ``/proc/<pid>/stat`` (fields 14 and 15); a parent's
``cutime + cstime`` (16 and 17) holds what its children used before it reaped them, so a
gunicorn master's own figure plus its children's plus its live workers' counts a worker that
was replaced during the run. A thread's CPU is the same pair in ``/proc/<pid>/task/<tid>/stat``
and its name is ``/proc/<pid>/task/<tid>/comm`` (what the worker runtime names its threads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


@dataclass(frozen=True)
class Stat:
    """The CPU fields of one ``stat`` line, in seconds."""

    comm: str
    ppid: int
    own: float
    children: float


def parse_stat(line: str, tick: int = TICK) -> Stat:
    """Parse a ``/proc/<pid>/stat`` line. The command name sits in parentheses and may hold
    spaces and parentheses itself, so the fields are counted from the last ``)``."""
    head, _, tail = line.rpartition(")")
    comm = head.partition("(")[2]
    fields = tail.split()
    # tail starts at field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return Stat(
        comm=comm,
        ppid=int(fields[1]),
        own=(utime + stime) / tick,
        children=(cutime + cstime) / tick,
    )


def read_stat(pid: int, tid: int | None = None) -> Stat | None:
    """The stat of a process (or one of its threads); None once it is gone."""
    path = PROC / str(pid) / "stat" if tid is None else PROC / str(pid) / "task" / str(tid) / "stat"
    try:
        return parse_stat(path.read_text())
    except (OSError, ValueError, IndexError):
        return None


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` list)."""
    out: list[int] = []
    for task in (PROC / str(pid) / "task").glob("*/children"):
        try:
            out += [int(k) for k in task.read_text().split()]
        except OSError:
            continue
    return out


def thread_names(pid: int) -> dict[int, str]:
    """Thread id -> thread name (``comm``) of a live process."""
    names: dict[int, str] = {}
    for comm in (PROC / str(pid) / "task").glob("*/comm"):
        try:
            names[int(comm.parent.name)] = comm.read_text().strip()
        except (OSError, ValueError):
            continue
    return names


def find_process(comm: str) -> list[int]:
    """Pids of the processes named ``comm`` (e.g. RabbitMQ's ``beam.smp``)."""
    found: list[int] = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat is not None and stat.comm == comm:
                found.append(int(entry.name))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live descendants and the children it has reaped."""
    stat = read_stat(pid)
    if stat is None:
        return 0.0
    return stat.own + stat.children + sum(tree_cpu(kid) for kid in children_of(pid))


def threads_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of a live process's threads, summed per thread name."""
    out: dict[str, float] = {}
    for tid, name in thread_names(pid).items():
        stat = read_stat(pid, tid)
        if stat is not None:
            out[name] = out.get(name, 0.0) + stat.own
    return out


def difference(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """``after - before`` per key; a key only in ``after`` (a thread started since) counts whole."""
    return {key: after[key] - before.get(key, 0.0) for key in after}


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid``, children first."""
    out: list[int] = []
    for kid in children_of(pid):
        out += [kid, *descendants(kid)]
    return out


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (``VmRSS``); 0 once it is gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages as ``/proc/loadavg`` says them ("?" without it)."""
    try:
        return " ".join((PROC / "loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine_ticks() -> tuple[int, int]:
    """Ticks of all cores since boot from ``/proc/stat``: (busy, total). Idle and I/O wait are
    the ones not busy; two readings give the share of the machine used between them."""
    fields = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    total = sum(fields)
    return total - fields[3] - fields[4], total


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of every core busy between two :func:`machine_ticks` readings, 0..1."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0
