"""`mlready.log_metrics`: the JSONL lines the runner reads, and silence outside mlready."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mlready


class FakeTensor:
    """Anything with ``.item()`` (torch and numpy scalars) is logged as its number."""

    def __init__(self, value: float) -> None:
        self.value = value

    def item(self) -> float:
        return self.value


def test_appends_one_json_line_per_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("MLREADY_METRICS_FILE", str(target))
    monkeypatch.delenv("RANK", raising=False)
    mlready.log_metrics(step=1, loss=FakeTensor(0.5), note="warm-up")
    mlready.log_metrics(step=2, loss=float("nan"), acc=float("inf"), done=True)
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines == [{"step": 1, "loss": 0.5, "note": "warm-up"},
                     {"step": 2, "loss": "nan", "acc": "inf", "done": True}]


def test_records_the_torchrun_rank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("MLREADY_METRICS_FILE", str(target))
    monkeypatch.setenv("RANK", "1")
    mlready.log_metrics(step=3, loss=1.25)
    assert json.loads(target.read_text()) == {"step": 3, "rank": 1, "loss": 1.25}


def test_is_a_no_op_outside_mlready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLREADY_METRICS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    mlready.log_metrics(step=1, loss=0.1)
    assert list(tmp_path.iterdir()) == []
