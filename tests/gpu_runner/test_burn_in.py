"""The burn-in's pace and size on metric files written by hand, timed as the sampler saw them.

test_memory_growth.py runs real burn-ins; these pin the arithmetic: the pace is the
second half's, start-up and warm-up left out, and the size and time cap follow from it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlready.gpu_runner import burn_in
from mlready.gpu_runner.memory import MemoryPeak
from mlready.gpu_runner.pace import Pace, steady_pace, timed_steps
from mlready.gpu_runner.plan import RUNS
from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.session import RunOutcome

REGEX = re.compile(r"step (?P<step>\d+) loss (?P<loss>\S+)")


def finished(tmp_path: Path, times: list[float], *, jsonl: bool = True,
             first_step: int = 1) -> RunOutcome:
    """A ref run whose record k was seen written at ``times[k]`` (one sample per record)."""
    log = tmp_path / "ref.log"
    metrics = tmp_path / "ref.metrics.jsonl"
    lines = [(json.dumps({"step": first_step + k, "loss": 1.0}) if jsonl
              else f"step {first_step + k} loss 1.0") + "\n" for k in range(len(times))]
    target = metrics if jsonl else log
    target.write_text("".join(lines))
    sizes = [sum(len(line) for line in lines[:k + 1]) for k in range(len(lines))]
    grew = tuple(zip(times, sizes, strict=True))
    outputs = ((metrics, grew if jsonl else ()), (log, () if jsonl else grew))
    memory = MemoryPeak(1, None, 1, times[0], times[-1], ((0.0, 1),), outputs=outputs)
    proc = ProcessResult(("train",), Status.OK, 0, times[-1] + 0.5, log, "", memory)
    return RunOutcome(RUNS["ref"], tmp_path, len(times), 0, proc, log_path=log)


# 3 s of start-up, then 10 warm-up steps of 0.2 s and 10 steady ones of 0.01 s
WARM_THEN_STEADY = [3.0 + 0.2 * k for k in range(10)] + [4.8 + 0.01 * k for k in range(1, 11)]


@pytest.mark.parametrize("jsonl", [True, False])
def test_the_pace_is_the_second_half_of_the_records(tmp_path: Path, jsonl: bool) -> None:
    run = finished(tmp_path, WARM_THEN_STEADY, jsonl=jsonl)
    pattern = None if jsonl else REGEX
    assert [step for step, _ in timed_steps(run, pattern)] == list(range(1, 21))
    pace = steady_pace(run, pattern)
    assert pace is not None and pace.run == "ref" and pace.first_metric_s == 3.0
    assert pace.s_per_step == pytest.approx(0.01)  # not (4.9 - 3.0) / 19, nor wall / 20


def test_a_resumed_runs_steps_are_its_own(tmp_path: Path) -> None:
    run = finished(tmp_path, [1.0 + 0.05 * k for k in range(8)], first_step=21)
    assert timed_steps(run, None)[0] == (21, 1.0)
    pace = steady_pace(run, None)
    assert pace is not None and pace.s_per_step == pytest.approx(0.05)


@pytest.mark.parametrize("times", [
    [1.0, 1.1, 1.2, 1.3],  # 2 records in the second half: too few to fit
    [1.0, 1.0, 2.0, 2.0, 2.0, 2.0],  # written at once: no time between the records
])
def test_no_pace_without_records_timed_apart(tmp_path: Path, times: list[float]) -> None:
    assert steady_pace(finished(tmp_path, times), None) is None


def test_the_burn_in_spans_the_minimum_over_the_kept_share_with_the_margin() -> None:
    sizing = burn_in.size(Pace("long", 0.004, 2.5), min_seconds=10.0, warmup_fraction=0.25,
                          timeout=600.0)
    assert sizing.training_s == pytest.approx(10.0 / 0.75 * burn_in.MARGIN)
    assert sizing.steps == 4001  # 16 s at 4 ms, and n records span n - 1 steps
    assert sizing.expected_s == pytest.approx(2.5 + 16.0)
    assert sizing.cap_s == pytest.approx(2 * 18.5 + 10)  # its own limit, under `timeout`
    spec = sizing.spec()
    assert (spec.id, spec.steps, spec.timeout_s, spec.seed_offset) == (
        "burn_in", 4001, sizing.cap_s, 0)
    assert burn_in.fits(sizing, 600.0)


def test_the_time_cap_never_exceeds_timeout_and_a_burn_in_must_fit_it() -> None:
    sizing = burn_in.size(Pace("ref", 0.1, 1.0), min_seconds=30.0, warmup_fraction=0.25,
                          timeout=60.0)
    assert sizing.cap_s == 60.0
    assert sizing.expected_s == pytest.approx(49.0)
    assert burn_in.fits(sizing, 62.0) and not burn_in.fits(sizing, 61.0)  # 80% of timeout
