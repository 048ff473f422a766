"""The copy of a regency's open loads kept for routing new cases."""

from __future__ import annotations

from services.triage.storage.open_load import RecentLoads


class Reads:
    """A stand-in for the aggregation: counts its calls and answers what it is told."""

    def __init__(self) -> None:
        self.loads: dict[str, dict[str, int]] = {"12.06": {"a": 2, "b": 1}, "12.07": {"c": 5}}
        self.calls: list[str] = []
        self.during: list[RecentLoads] = []

    def __call__(self, tenant: str) -> dict[str, int]:
        self.calls.append(tenant)
        for copy in self.during:
            copy.forget()
        return dict(self.loads[tenant])


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_young_copy_answers_and_an_old_one_is_read_again() -> None:
    reads, ticks = Reads(), Ticks()
    loads = RecentLoads(reads, max_age=1.0, clock=ticks)
    assert loads.current("12.06") == {"a": 2, "b": 1}
    ticks.now += 0.9
    reads.loads["12.06"] = {"a": 9}
    assert loads.current("12.06") == {"a": 2, "b": 1}
    ticks.now += 0.1
    assert loads.current("12.06") == {"a": 9}
    assert reads.calls == ["12.06", "12.06"]


def test_each_regency_has_its_own_copy() -> None:
    reads = Reads()
    loads = RecentLoads(reads, clock=Ticks())
    assert loads.current("12.06") == {"a": 2, "b": 1}
    assert loads.current("12.07") == {"c": 5}
    assert loads.current("12.06") == {"a": 2, "b": 1}
    assert reads.calls == ["12.06", "12.07"]


def test_new_assignments_are_added_to_the_copy_of_their_regency_only() -> None:
    reads = Reads()
    loads = RecentLoads(reads, clock=Ticks())
    loads.current("12.06")
    loads.current("12.07")
    loads.assigned("12.06", "b")
    loads.assigned("12.06", "d")
    assert loads.current("12.06") == {"a": 2, "b": 2, "d": 1}
    assert loads.current("12.07") == {"c": 5}
    # A regency with no copy has nothing to add to: its next read counts the case.
    loads.assigned("12.08", "e")
    reads.loads["12.08"] = {"e": 1}
    assert loads.current("12.08") == {"e": 1}


def test_what_the_caller_does_with_an_answer_does_not_change_the_copy() -> None:
    loads = RecentLoads(Reads(), clock=Ticks())
    loads.current("12.06")["a"] = 100
    assert loads.current("12.06")["a"] == 2
    loads.current("12.06")["a"] = 100
    assert loads.current("12.06")["a"] == 2


def test_forgetting_drops_every_copy() -> None:
    reads = Reads()
    loads = RecentLoads(reads, clock=Ticks())
    loads.current("12.06")
    loads.current("12.07")
    loads.forget()
    loads.current("12.06")
    loads.current("12.07")
    assert reads.calls == ["12.06", "12.07", "12.06", "12.07"]


def test_a_read_that_raced_a_change_is_used_once_and_not_kept() -> None:
    reads = Reads()
    loads = RecentLoads(reads, clock=Ticks())
    reads.during.append(loads)  # another thread's write commits while the read is out
    assert loads.current("12.06") == {"a": 2, "b": 1}
    reads.during.clear()
    loads.current("12.06")
    assert reads.calls == ["12.06", "12.06"]
