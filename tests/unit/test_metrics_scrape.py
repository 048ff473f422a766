"""A scrape while gunicorn replaces a worker: the new worker's value file exists before it is
sized, and the old worker's live gauges are removed; neither may fail the scrape."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from shared import metrics
from shared.metrics import render


def test_a_value_file_not_yet_sized_does_not_fail_the_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "counter_4242.db").touch()  # created, not yet sized by its worker
    body, content_type = render()
    assert content_type.startswith("text/plain")
    assert b"Traceback" not in body
    assert body == b""  # no file holds a value yet


def _write_value(path: Path, metric: str, value: float) -> None:
    """A value file as a worker leaves it: the library's own file format and key."""
    values = MmapedDict(str(path))  # type: ignore[no-untyped-call]
    values.write_value(mmap_key(metric, metric, [], [], "help"), value, 0.0)  # type: ignore[no-untyped-call]
    values.close()  # type: ignore[no-untyped-call]


def test_a_dead_workers_live_gauge_removed_mid_scrape_does_not_fail_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn's child_exit hook removes a dead worker's live gauge files; one removed after
    the scrape listed the folder and before it read the file must cost that file only."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    _write_value(tmp_path / "counter_4242.db", "pantau_cases_total", 7.0)
    dying = tmp_path / "gauge_livesum_4243.db"
    _write_value(dying, "pantau_in_flight", 1.0)
    listed = metrics._has_header

    def listed_then_removed(path: str) -> bool:
        seen = listed(path)
        if path == str(dying):
            multiprocess.mark_process_dead(4243, str(tmp_path))  # type: ignore[no-untyped-call]
        return seen

    monkeypatch.setattr(metrics, "_has_header", listed_then_removed)
    body, _ = render()
    assert not dying.exists()  # the removal happened inside the scrape
    assert b"pantau_cases_total 7.0" in body
    assert b"pantau_in_flight" not in body
