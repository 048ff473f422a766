"""A scrape while gunicorn replaces a worker: the new worker's value file exists before it is
sized, and the scrape must not fail on it."""

from __future__ import annotations

from pathlib import Path

import pytest

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
