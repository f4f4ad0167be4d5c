"""`memory_growth.check`'s verdicts on memory samples written by hand: which run is read,
which series leaks, the metrics, the curve and the exact summaries of each outcome.

test_memory_growth.py runs real leaking and steady subprocesses (seconds each); these are
the fast synthetic cases at each boundary. The samples are handed to a real `Session` as
finished runs. Written against the surviving mutants of ``bench/mutation.py`` on
checks/memory_growth.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mlready.gpu_runner.checks import memory_growth
from mlready.gpu_runner.checks._common import fmt
from mlready.gpu_runner.checks.memory_growth import _metric_lines, training_span
from mlready.gpu_runner.config import from_table
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.growth import Criteria, Growth, detect
from mlready.gpu_runner.memory import MemoryPeak
from mlready.gpu_runner.metrics import MAX_MATCH_CHARS
from mlready.gpu_runner.plan import RUNS
from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.session import RunOutcome, Session

MIB = 2**20
Points = tuple[tuple[float, int], ...]


def climb(mib_per_s: float, start_mib: float = 100.0, seconds: float = 40.0,
          every: float = 0.25) -> Points:
    """A sample every ``every`` s from 0 to ``seconds``, rising linearly from ``start_mib``."""
    count = round(seconds / every)
    return tuple((i * every, int((start_mib + mib_per_s * i * every) * MIB))
                 for i in range(count + 1))


def outcome(tmp_path: Path, run_id: str, rss: Points, gpu: Points = (), wall_s: float = 41.0,
            problem: Problem | None = None, first: float | None = 0.0,
            last: float | None = 40.0) -> RunOutcome:
    log = tmp_path / f"{run_id}.log"
    memory = MemoryPeak(max((v for _, v in rss), default=None), None, len(rss), first, last,
                        rss, gpu)
    proc = ProcessResult(("train",), Status.OK, 0, wall_s, log, "", memory)
    return RunOutcome(RUNS[run_id], tmp_path / run_id, 4, 0, proc, problem=problem,
                      log_path=log)


def judged(tmp_path: Path, runs: dict[str, RunOutcome], *, smoke: bool = True,
           min_seconds: float = 10.0, **table: Any) -> CheckResult:
    cfg = from_table({"train": "{python} t.py", "memory-min-seconds": min_seconds, **table},
                     tmp_path / "pyproject.toml", tmp_path)
    session = Session(cfg, "cpu", tmp_path, Progress(0, enabled=False), smoke_selected=smoke,
                      needs_torch=False)
    session._runs.update(runs)  # finished, as `Session.run` caches them
    return memory_growth.check(session)


def grown(points: Points, min_seconds: float = 10.0, first: float = 0.0,
          last: float = 40.0) -> Growth:
    return detect(points, first_output_s=first, last_output_s=last,
                  criteria=Criteria(min_duration_s=min_seconds))


def leak_text(name: str, run: str, g: Growth) -> str:
    return (f"probable leak: {name} of the {run} run climbs steadily, +{fmt(g.growth_bytes / MIB)}"
            f" MiB from {fmt(g.start_bytes / MIB)} MiB over {g.duration_s:.1f}s "
            f"({fmt(g.slope_bytes_per_s * 60 / MIB)} MiB/min; rising in {g.rising_fraction:.0%} "
            "of windows): tensors kept with their graph (loss instead of loss.item()), an "
            "unbounded buffer or cache?")


def test_steady_rss_passes_with_its_figures(tmp_path: Path) -> None:
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", climb(0.0))})
    assert (result.check, result.outcome, result.reason) == ("memory-growth", Outcome.PASS,
                                                             None)
    assert result.summary == ("RSS of the ref run holds steady over 30.0s of training "
                              "(0 MiB, 0 MiB/min)")
    assert result.metrics == {
        "run": "ref", "analysed_s": 30.0, "samples": 121, "rss_slope_mb_per_min": 0.0,
        "rss_growth_mb": 0.0, "rss_rising_fraction": 0.0, "gpu_slope_mb_per_min": None,
        "gpu_growth_mb": None, "burn_in_runs": None, "burn_in_steps": None,
        "burn_in_s": None,
        "burn_in_trained_s": None}


def test_the_curve_is_every_sample_in_mib_by_millisecond(tmp_path: Path) -> None:
    rss = climb(0.5, seconds=2.0, every=0.5)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss)})
    assert result.series == {"rss_mb": [[0.0, 100.0], [500.0, 100.25], [1000.0, 100.5],
                                        [1500.0, 100.75], [2000.0, 101.0]]}


def test_a_climbing_rss_is_a_probable_leak(tmp_path: Path) -> None:
    rss = climb(1.5)
    g = grown(rss)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss)})
    assert (result.check, result.outcome, result.reason) == (
        "memory-growth", Outcome.FAIL, "probable_leak")
    assert result.summary == leak_text("RSS", "ref", g)
    assert result.metrics == {
        "run": "ref", "analysed_s": 30.0, "samples": 121,
        "rss_slope_mb_per_min": round(g.slope_bytes_per_s * 60 / MIB, 3),
        "rss_growth_mb": round(int(g.growth_bytes) / MIB, 1), "rss_rising_fraction": 1.0,
        "gpu_slope_mb_per_min": None, "gpu_growth_mb": None, "burn_in_runs": None,
        "burn_in_steps": None,
        "burn_in_s": None, "burn_in_trained_s": None}
    assert result.metrics["rss_slope_mb_per_min"] == pytest.approx(90.0, abs=0.01)
    assert result.series["rss_mb"][-1] == [40000.0, 160.0]


def test_a_slope_keeps_three_decimals(tmp_path: Path) -> None:
    rss = climb(0.00123)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss)})
    g = grown(rss)
    assert result.metrics["rss_slope_mb_per_min"] == round(g.slope_bytes_per_s * 60 / MIB, 3)
    assert result.metrics["rss_slope_mb_per_min"] != round(g.slope_bytes_per_s * 60 / MIB, 4)


def test_a_rising_fraction_keeps_three_decimals(tmp_path: Path) -> None:
    # flat, then one step up in the fifth of eight windows: 1 rise in 7
    rss = tuple((t, v + (MIB if t >= 26 else 0)) for t, v in climb(0.0))
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss)})
    assert result.metrics["rss_rising_fraction"] == 0.143
    assert result.metrics["rss_growth_mb"] == 1.0


def test_a_climbing_gpu_memory_beside_steady_rss_is_named(tmp_path: Path) -> None:
    gpu = climb(2.0, start_mib=500.0)
    g = grown(gpu)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", climb(0.0), gpu)})
    assert (result.outcome, result.reason) == (Outcome.FAIL, "probable_leak")
    assert result.summary == leak_text("GPU memory", "ref", g)
    assert result.metrics["gpu_slope_mb_per_min"] == round(g.slope_bytes_per_s * 60 / MIB, 3)
    assert result.metrics["gpu_growth_mb"] == round(int(g.growth_bytes) / MIB, 1)
    assert result.metrics["rss_growth_mb"] == 0.0


def test_when_both_climb_rss_is_named_first(tmp_path: Path) -> None:
    rss, gpu = climb(1.0), climb(3.0, start_mib=500.0)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss, gpu)})
    assert result.summary == leak_text("RSS", "ref", grown(rss))


def test_steady_gpu_memory_is_said(tmp_path: Path) -> None:
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", climb(0.0),
                                              climb(0.0, start_mib=500.0))})
    assert result.outcome is Outcome.PASS
    assert result.summary == ("RSS of the ref run holds steady over 30.0s of training "
                              "(0 MiB, 0 MiB/min); GPU memory steady")
    assert (result.metrics["gpu_slope_mb_per_min"], result.metrics["gpu_growth_mb"]) == (
        0.0, 0.0)


def test_gpu_memory_sampled_too_sparsely_is_not_measured(tmp_path: Path) -> None:
    gpu = climb(0.0, start_mib=500.0, every=4.0)  # 11 samples, 8 after warm-up
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", climb(0.0), gpu)})
    assert result.outcome is Outcome.PASS
    assert result.summary.endswith("; GPU memory not measured (8 memory samples after "
                                   "warm-up, under 24)")
    assert (result.metrics["gpu_slope_mb_per_min"], result.metrics["gpu_growth_mb"]) == (
        None, None)


def test_the_minimum_seconds_come_from_the_option(tmp_path: Path) -> None:
    runs = {"ref": outcome(tmp_path, "ref", climb(1.5))}
    assert judged(tmp_path, runs, min_seconds=30.0).outcome is Outcome.FAIL
    short = judged(tmp_path, runs, min_seconds=30.5, **{"memory-burn-in": False})
    assert (short.check, short.outcome, short.reason) == (
        "memory-growth", Outcome.NOT_MEASURED, "run_too_short")
    assert short.summary == ("not measured: the ref run gave 30.0s of training after "
                             "warm-up, under 30.5s (`memory-min-seconds`); raise `steps`, or "
                             "let memory-growth train a burn-in run (`memory-burn-in = true`)")
    assert short.metrics == {
        "run": "ref", "analysed_s": 30.0, "samples": 121, "rss_slope_mb_per_min": None,
        "rss_growth_mb": None, "rss_rising_fraction": None, "gpu_slope_mb_per_min": None,
        "gpu_growth_mb": None, "burn_in_runs": None, "burn_in_steps": None,
        "burn_in_s": None,
        "burn_in_trained_s": None}
    assert len(short.series["rss_mb"]) == 161


def test_no_samples_is_not_measured(tmp_path: Path) -> None:
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", ())})
    assert (result.check, result.outcome, result.reason, result.summary) == (
        "memory-growth", Outcome.NOT_MEASURED, "not_sampled",
        "not measured: no memory samples of the ref run (psutil could not read its process "
        "tree)")


@pytest.mark.parametrize("smoke", [True, False])
def test_a_failed_first_run_is_a_prerequisite(tmp_path: Path, smoke: bool) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    runs = {"ref": RunOutcome(RUNS["ref"], tmp_path, 4, 0, problem=broken)}
    result = judged(tmp_path, runs, smoke=smoke)
    expected = ((Outcome.SKIPPED, "prerequisite_failed") if smoke
                else (Outcome.FAIL, "train_failed"))
    assert (result.check, result.outcome, result.reason) == ("memory-growth", *expected)


def test_the_longest_successful_training_run_is_read(tmp_path: Path) -> None:
    broken = Problem(Outcome.FAIL, "train_failed", "training exited with 1")
    runs = {
        "ref": outcome(tmp_path, "ref", climb(0.0), wall_s=10.0),
        "repeat": outcome(tmp_path, "repeat", climb(1.5), wall_s=10.0),  # as long: not it
        "other_seed": RunOutcome(RUNS["other_seed"], tmp_path, 4, 1),  # no process
        "long": outcome(tmp_path, "long", climb(0.0, seconds=80.0), wall_s=20.0,
                        last=80.0),
        "resumed": outcome(tmp_path, "resumed", climb(1.5), wall_s=90.0, problem=broken),
        "eval": outcome(tmp_path, "eval", climb(1.5), wall_s=95.0),
    }
    result = judged(tmp_path, runs)
    assert (result.outcome, result.metrics["run"], result.metrics["analysed_s"]) == (
        Outcome.PASS, "long", 60.0)
    assert result.summary.startswith("RSS of the long run holds steady over 60.0s")


def test_a_longer_run_is_preferred_over_ref(tmp_path: Path) -> None:
    runs = {"ref": outcome(tmp_path, "ref", climb(0.0), wall_s=10.0),
            "repeat": outcome(tmp_path, "repeat", climb(1.5), wall_s=10.5)}
    result = judged(tmp_path, runs)
    assert (result.outcome, result.metrics["run"]) == (Outcome.FAIL, "repeat")
    assert result.summary.startswith("probable leak: RSS of the repeat run climbs")


def test_a_regex_config_reads_the_span_from_the_metric_lines(tmp_path: Path) -> None:
    """The metric lines were written from 20 s to 40 s: the part analysed is 25 .. 40 s."""
    log = tmp_path / "ref.log"
    lines = [b"loading\n", b"step 1 loss 1.0\n", b"step 2 loss 0.5\n"]
    log.write_bytes(b"".join(lines))
    sizes = [8, 8 + 16, 8 + 32]
    run = outcome(tmp_path, "ref", climb(0.0), first=0.0, last=40.0)
    assert run.process is not None
    memory = MemoryPeak(1, None, 1, 0.0, 40.0, run.process.memory.rss_series,
                        outputs=((log, ((0.0, sizes[0]), (20.0, sizes[1]), (40.0, sizes[2]))),))
    run = RunOutcome(RUNS["ref"], tmp_path, 4, 0,
                     ProcessResult(("train",), Status.OK, 0, 41.0, log, "", memory),
                     log_path=log)
    result = judged(tmp_path, {"ref": run}, metrics=r"step (?P<step>\d+) loss (?P<loss>\S+)")
    assert result.metrics["analysed_s"] == 15.0


# -- the span of the training part ---------------------------------------------------------

def test_metric_lines_are_the_byte_offsets_of_the_first_and_last_match(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"hello\nstep 1\nnoise \xff\nstep 2\nbye\n")
    assert _metric_lines(log, re.compile(r"step \d")) == (6, 21)
    assert _metric_lines(log, re.compile(r"bye")) == (28, 28)
    assert _metric_lines(log, re.compile(r"never")) is None
    assert _metric_lines(tmp_path / "missing.log", re.compile(r"step")) is None
    # an undecodable byte is replaced, not an error: the line still matches
    assert _metric_lines(log, re.compile("noise \ufffd")) == (13, 13)


def test_metric_lines_are_read_in_bounded_pieces(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"x" * MAX_MATCH_CHARS + b"step 1\n")
    # the line is read as two pieces, the match in the second one
    assert _metric_lines(log, re.compile(r"step \d")) == (MAX_MATCH_CHARS, MAX_MATCH_CHARS)


def test_jsonl_span_is_the_metrics_file_not_the_log(tmp_path: Path) -> None:
    log, metrics, other = tmp_path / "ref.log", tmp_path / "m.jsonl", tmp_path / "o.txt"
    memory = MemoryPeak(1, None, 1, 0.1, 50.0, (), outputs=(
        (log, ((0.1, 5), (50.0, 9))), (other, ()), (metrics, ((3.0, 1), (7.0, 2), (9.0, 3))),
    ))
    run = RunOutcome(RUNS["ref"], tmp_path, 2, 0,
                     ProcessResult(("t",), Status.OK, 0, 51.0, log, "", memory), log_path=log)
    assert training_span(run, None) == (3.0, 9.0)
    # with no other watched file that grew, the first and last growth of any
    bare = RunOutcome(RUNS["ref"], tmp_path, 2, 0, ProcessResult(
        ("t",), Status.OK, 0, 51.0, log, "", MemoryPeak(1, None, 1, 0.1, 50.0, (),
                                                        outputs=((log, ((0.1, 5),)),))),
        log_path=log)
    assert training_span(bare, None) == (0.1, 50.0)


def test_a_regex_over_a_log_that_never_grew_falls_back(tmp_path: Path) -> None:
    log = tmp_path / "ref.log"
    log.write_bytes(b"step 1 loss 1\n")
    memory = MemoryPeak(1, None, 1, 2.0, 8.0, (), outputs=((log, ()),))
    run = RunOutcome(RUNS["ref"], tmp_path, 2, 0,
                     ProcessResult(("t",), Status.OK, 0, 9.0, log, "", memory), log_path=log)
    assert training_span(run, re.compile(r"step")) == (2.0, 8.0)
    unlogged = RunOutcome(RUNS["ref"], tmp_path, 2, 0,
                          ProcessResult(("t",), Status.OK, 0, 9.0, log, "", memory))
    assert training_span(unlogged, re.compile(r"step")) == (2.0, 8.0)


def test_a_run_as_long_as_ref_does_not_replace_it(tmp_path: Path) -> None:
    runs = {"ref": outcome(tmp_path, "ref", climb(0.0), wall_s=10.0),
            "repeat": outcome(tmp_path, "repeat", climb(1.5), wall_s=10.0)}
    result = judged(tmp_path, runs)
    assert (result.outcome, result.metrics["run"]) == (Outcome.PASS, "ref")


def test_a_small_rise_passes_with_its_figures_and_curve(tmp_path: Path) -> None:
    rss = climb(0.1)  # +3 MiB over the part analysed: under the 16 MiB of a leak
    g = grown(rss)
    assert g.measured and not g.climbing and g.growth_bytes > 2 * MIB
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss)})
    assert result.outcome is Outcome.PASS
    assert result.summary == (
        f"RSS of the ref run holds steady over 30.0s of training "
        f"({fmt(g.growth_bytes / MIB)} MiB, {fmt(g.slope_bytes_per_s * 60 / MIB)} MiB/min)")
    assert result.summary.endswith("(2.638 MiB, 6 MiB/min)")  # medians of first and last window
    assert result.series == {"rss_mb": [[t * 1000, v / MIB] for t, v in rss]}


def test_the_analysed_seconds_keep_two_decimals(tmp_path: Path) -> None:
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", climb(0.0, every=0.2501))})
    assert result.metrics["analysed_s"] == 29.76
    assert result.summary.startswith("RSS of the ref run holds steady over 29.8s")


def test_both_series_are_cut_to_the_training_part(tmp_path: Path) -> None:
    """Samples go on past the last metric (shutdown, saving); GPU samples start late (NVML
    came up late). Both series are judged between the first and the last metric, and the
    GPU series by the configured minimum too: 18 s of it is under 20 s."""
    rss = climb(0.0, seconds=60.0)
    gpu = tuple(p for p in climb(0.0, start_mib=500.0, seconds=60.0) if p[0] >= 22.0)
    result = judged(tmp_path, {"ref": outcome(tmp_path, "ref", rss, gpu, first=0.0,
                                              last=40.0)}, min_seconds=20.0)
    assert result.outcome is Outcome.PASS
    assert result.metrics["analysed_s"] == 30.0  # 10 .. 40 s, not up to 60 s
    assert result.summary.endswith("; GPU memory not measured (18.0s of training after "
                                   "warm-up, under 20s)")
