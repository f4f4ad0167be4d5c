"""Metric parsing (JSONL, regex) and trajectory comparison tiers."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest

from mlready.gpu_runner.metrics import (
    MAX_MATCH_CHARS,
    Record,
    RegexTooSlow,
    Trajectory,
    comparable,
    compare,
    parse_jsonl,
    parse_regex,
)


def traj(*losses: float, start: int = 1) -> Trajectory:
    return Trajectory(tuple(Record(start + i, {"loss": v}) for i, v in enumerate(losses)))


def test_jsonl_nonfinite_ranks_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"step": 1, "loss": 0.5, "lr": 0.1}\n'
                    '{"step": 1, "loss": 9.0, "rank": 1}\n'
                    'not json\n'
                    '{"step": 2, "loss": "nan", "note": "x"}\n'
                    '{"step": 3, "lo')  # cut by a kill
    t = parse_jsonl(path)
    assert [r.step for r in t.records] == [1, 2]
    assert t.other_rank_records == 1 and t.bad_lines == 3
    bad = t.first_nonfinite()
    assert bad is not None and bad[0] == 2 and bad[1] == "loss" and math.isnan(bad[2])
    assert parse_jsonl(tmp_path / "missing.jsonl").records == ()


def test_regex_over_output(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("epoch 0\nstep 1 loss 0.9\nwarning\nstep 2 loss 0.7 time 0.1\n")
    t = parse_regex(log, re.compile(r"step (?P<step>\d+) loss (?P<loss>\S+)"))
    assert t.series("loss") == [(1, 0.9), (2, 0.7)]


def test_compare_tiers() -> None:
    a = traj(1.0, 0.5, 0.25)
    assert compare(a, traj(1.0, 0.5, 0.25), ["loss"], 1e-6).bitwise
    close = compare(a, traj(1.0, 0.5, 0.25 + 1e-9), ["loss"], 1e-6)
    assert not close.bitwise and close.within_tolerance and close.first_step is None
    far = compare(a, traj(1.0, 0.6, 0.3), ["loss"], 1e-6)
    assert far.first_step == 2 and far.first_metric == "loss"
    assert far.first_diff is not None and abs(far.first_diff - 0.1) < 1e-12
    window = compare(a, traj(9.0, 0.5, 0.25), ["loss"], 1e-6, steps=(2, 3))
    assert window.bitwise and window.compared_points == 2


def test_timing_metrics_are_not_compared() -> None:
    a = Trajectory((Record(1, {"loss": 1.0, "step_time_s": 0.1, "lr": 0.1}),))
    assert comparable(a, a, ()) == ["loss", "lr"]
    assert comparable(a, a, ("step_time_s",)) == ["step_time_s"]


def test_jsonl_lines_python_cannot_read_are_bad_lines_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"step": 1, "loss": 0.5}\n'
                    '{"step": 2, "loss": ' + "9" * 5000 + "}\n"   # over 4,300 digits
                    '{"step": 3, "loss": ' + "9" * 400 + "}\n"    # beyond a float
                    + "[" * 100_000 + "]" * 100_000 + "\n"        # nested too deep
                    + '{"step": 4, "loss": 0.25}\n')
    t = parse_jsonl(path)
    assert [r.step for r in t.records] == [1, 4]
    assert t.bad_lines == 2  # the 400-digit record is a step with no numeric value


def test_regex_sees_only_the_head_of_a_huge_line(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("step 1 loss 0.5 " + "x" * (MAX_MATCH_CHARS * 3) + " step 9 loss 9\n"
                    "step 2 loss 0.25\n")
    t = parse_regex(path, re.compile(r"step (?P<step>\d+) loss (?P<loss>[\d.]+)"))
    assert [(r.step, r.values["loss"]) for r in t.records] == [(1, 0.5), (2, 0.25)]


def test_catastrophic_regex_is_stopped_by_its_budget(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text("a" * 40 + "b\n")
    began = time.monotonic()
    with pytest.raises(RegexTooSlow) as caught:
        parse_regex(path, re.compile(r"(?P<loss>(a+)+)$"), budget_s=0.3)
    assert time.monotonic() - began < 2
    assert caught.value.line_no == 1


def test_records_without_a_step_are_counted_as_unnumbered(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text("step 1 loss 0.9\nstep 2 loss 0.7\n")
    stepless = parse_regex(log, re.compile(r"loss (?P<loss>\S+)"))
    assert stepless.series("loss") == [(1, 0.9), (2, 0.7)] and stepless.unnumbered == 2
    with_step = parse_regex(log, re.compile(r"step (?P<step>\d+) loss (?P<loss>\S+)"))
    assert with_step.unnumbered == 0
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text('{"step": 5, "loss": 0.5}\n{"loss": 0.4}\n')
    assert parse_jsonl(jsonl).unnumbered == 1
