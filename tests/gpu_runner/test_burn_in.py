"""The burn-in's pace and size on metric files written by hand, timed as the sampler saw them,
and memory-growth's verdicts on burn-ins that ended at their time cap or crashed.

test_memory_growth.py runs real burn-ins; these pin the arithmetic (the pace is the
second half's, start-up and warm-up left out; the size and time cap follow from it)
and the outcomes a real run reaches only slowly (a cap of 10 s and more).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlready.gpu_runner import burn_in
from mlready.gpu_runner.checks import memory_growth
from mlready.gpu_runner.config import from_table
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.memory import MemoryPeak
from mlready.gpu_runner.pace import Pace, steady_pace, timed_steps
from mlready.gpu_runner.plan import RUNS, RunSpec
from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.session import RunOutcome, Session

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


def judged_with_burn_in(tmp_path: Path, burn: RunOutcome | None,
                        timeout: float = 600.0) -> tuple[CheckResult, list[str]]:
    """memory-growth on a 20-record ref run (too short) and, cached as if it had run, the
    burn-in ``burn`` (None: the option is off); with the ids of the runs then made (a
    top-up would really run ``t.py``, which is not there: a failure, never a pass)."""
    cfg = from_table({"train": "{python} t.py", "memory-burn-in": burn is not None,
                      "timeout": timeout}, tmp_path / "pyproject.toml", tmp_path)
    session = Session(cfg, "cpu", tmp_path, Progress(0, enabled=False), needs_torch=False)
    session._runs["ref"] = finished(tmp_path, WARM_THEN_STEADY)
    if burn is not None:
        session._runs[burn_in.RUN_ID] = burn
    return memory_growth.check(session), [run.spec.id for run in session.finished()]


def burn_run(tmp_path: Path, problem: Problem | None, seconds: float = 40.0) -> RunOutcome:
    """A burn-in whose RSS is flat, sampled every 0.25 s, metrics from 0 to ``seconds``."""
    rss = tuple((0.25 * i, 100 * 2**20) for i in range(round(seconds / 0.25) + 1))
    memory = MemoryPeak(100 * 2**20, None, len(rss), 0.0, seconds, rss)
    proc = ProcessResult(("train",), Status.TIMEOUT if problem else Status.OK, None,
                         seconds + 1, tmp_path / "burn_in.log", "", memory)
    spec = RunSpec(burn_in.RUN_ID, burn_in.PURPOSE, steps=1601)
    return RunOutcome(spec, tmp_path / "burn_in", 1601, 0, proc, problem)


def test_a_burn_in_stopped_at_its_time_cap_is_judged_on_what_it_trained(
        tmp_path: Path) -> None:
    """The cap is a limit, not a verdict: 40 s sampled before the kill are 30 s after
    warm-up, enough to judge; the summary says it was stopped."""
    timeout = Problem(Outcome.FAIL, "timeout", "train run did not finish within 47s")
    result, made = judged_with_burn_in(tmp_path, burn_run(tmp_path, timeout))
    assert (result.outcome, result.metrics["run"]) == (Outcome.PASS, "burn_in")
    assert (result.metrics["burn_in_steps"], result.metrics["burn_in_s"],
            result.metrics["burn_in_trained_s"]) == (1601, 41.0, 30.0)
    assert (result.metrics["burn_in_runs"], made) == (1, ["ref", "burn_in"])
    assert re.search(r"; burn-in run: 1601 steps in 41\.0s \(stopped at its time cap of "
                     r"\d+s\), 30\.0s of training after warm-up \(paced on the ref run's "
                     r"10 ms per step\)$", result.summary), result.summary


def test_a_burn_in_stopped_short_at_its_cap_is_not_measured(tmp_path: Path) -> None:
    timeout = Problem(Outcome.FAIL, "timeout", "train run did not finish within 47s")
    result, made = judged_with_burn_in(tmp_path, burn_run(tmp_path, timeout, seconds=8.0))
    assert (result.outcome, result.reason) == (Outcome.NOT_MEASURED, "burn_in_too_short")
    assert result.summary.startswith("not measured: the burn-in run (stopped at its time "
                                     "cap) trained 6.0s after warm-up, under the 10s needed")
    # its cap stopped it: its pace was not misjudged, the run is just slow; no top-up
    assert (result.metrics["burn_in_runs"], made) == (1, ["ref", "burn_in"])


def test_a_burn_in_that_crashes_is_the_commands_failure(tmp_path: Path) -> None:
    """A crash at a length the short runs never reached (an OOM from the very leak) is the
    training's failure, said as the burn-in's."""
    crashed = Problem(Outcome.FAIL, "nonzero_exit", "train run exited with 137")
    result, made = judged_with_burn_in(tmp_path, burn_run(tmp_path, crashed))
    assert (result.outcome, result.reason, result.summary) == (
        Outcome.FAIL, "nonzero_exit", "burn-in run: train run exited with 137")
    assert made == ["ref", "burn_in"]  # a crash is no pace misjudged: no top-up


def test_with_the_option_off_no_burn_in_is_asked_for(tmp_path: Path) -> None:
    result, made = judged_with_burn_in(tmp_path, None)
    assert (result.outcome, result.reason) == (Outcome.NOT_MEASURED, "run_too_short")
    assert result.summary.endswith("(`memory-burn-in = true`)")
    assert made == ["ref"]


def short_burn_in(tmp_path: Path, first_metric_s: float) -> RunOutcome:
    """A burn-in that ended by itself after 40 records 0.1 s apart, the first written at
    ``first_metric_s`` (its start-up), its RSS flat: 3 s of training after warm-up."""
    times = [first_metric_s + 0.1 * k for k in range(40)]
    metrics = tmp_path / "burn_in.metrics.jsonl"
    lines = [json.dumps({"step": k + 1, "loss": 1.0}) + "\n" for k in range(len(times))]
    metrics.write_text("".join(lines))
    sizes = [sum(len(line) for line in lines[:k + 1]) for k in range(len(lines))]
    rss = tuple((0.05 * i, 100 * 2**20) for i in range(round(times[-1] / 0.05) + 1))
    memory = MemoryPeak(100 * 2**20, None, len(rss), times[0], times[-1], rss,
                        outputs=((metrics, tuple(zip(times, sizes, strict=True))),))
    proc = ProcessResult(("train",), Status.OK, 0, times[-1] + 0.5,
                         tmp_path / "burn_in.log", "", memory)
    spec = RunSpec(burn_in.RUN_ID, burn_in.PURPOSE, steps=40)
    return RunOutcome(spec, tmp_path / "burn_in", 40, 0, proc)


def test_no_top_up_when_it_would_not_fit_the_time_budget(tmp_path: Path) -> None:
    """The burn-in fell short, but its own start-up (30 s to its first metric) plus the
    16 s a top-up must train is 46 s, over 80% of a 50 s `timeout`: none is started, and
    the summary says why. (A 60 s `timeout` fits it: the top-up is tried, and ``t.py``,
    which is not there, fails it: the command's failure, said as the top-up's.)"""
    result, made = judged_with_burn_in(tmp_path, short_burn_in(tmp_path, 30.0), timeout=50)
    assert made == ["ref", "burn_in"]
    assert (result.outcome, result.reason) == (Outcome.NOT_MEASURED, "burn_in_too_short")
    assert result.metrics["burn_in_runs"] == 1
    assert result.summary == (
        "not measured: the burn-in run trained 2.9s after warm-up, under the 10s needed "
        "(`memory-min-seconds`): 40 steps sized on the ref run's pace of 10 ms per step were "
        "too few (no top-up: it would take about 46s, over 80% of `timeout` = 50s); raise "
        "`steps` for a longer run")
    (tmp_path / "fits").mkdir()
    result, made = judged_with_burn_in(tmp_path / "fits",
                                       short_burn_in(tmp_path / "fits", 30.0), timeout=60)
    assert made == ["ref", "burn_in", "burn_in_2"]
    assert result.outcome is Outcome.FAIL and result.summary.startswith(
        "top-up burn-in run: "), result.summary
