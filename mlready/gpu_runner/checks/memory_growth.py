"""memory-growth: memory holds steady through the training instead of climbing (a burn-in test).

Reads the samples the runner already takes of every training process tree (RSS summed
over the tree every 50 ms; GPU memory through NVML where a GPU is) and asks
`mlready.gpu_runner.growth` whether they climb steadily between the first and the last
metric the run wrote (`training_span`), after warm-up. It reads the longest successful
training run this ``mlready run`` made (``ref``, or the 2N-step ``long`` run of resume
when that ran too), since a leak shows best over the longest stretch. When that run's
training part is shorter than `tool.mlready.runner.memory-min-seconds` (a smoke config
of a few steps), it trains one run of its own, the *burn-in* (`mlready.gpu_runner.burn_in`):
as many steps as the steady pace of the fastest run made says are enough, under a time
cap, and when that one still trains too little, one top-up sized on its own pace.
``memory-burn-in = false`` turns that off. A run, burn-in included, that trains
less than `memory-min-seconds` is *not measured*, never a pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from mlready.gpu_runner import burn_in
from mlready.gpu_runner.burn_in import Sizing
from mlready.gpu_runner.checks._common import fmt, mb, prerequisite, series
from mlready.gpu_runner.checks._declaration import DerivedRuns, Option, Reason
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.growth import Criteria, Growth, detect, when
from mlready.gpu_runner.metrics import MAX_MATCH_CHARS
from mlready.gpu_runner.pace import Pace, steady_pace
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session

ID = "memory-growth"
TITLE = "memory holds steady over the training run (no steady climb)"
ORDER = 55
NEEDS = ("ref",)
CATEGORY = "performance"  # burn-in: memory stays bounded over a long run
LOADS_CHECKPOINTS = False
OPTIONS = {
    "memory-min-seconds": Option(float, 10.0, "seconds of training after warm-up needed to "
                                              "judge memory growth", minimum=0.5),
    "memory-burn-in": Option(bool, True, "when no run trains `memory-min-seconds`, train "
                                         "one burn-in run long enough; false: not measured"),
}
REASONS = {
    "probable_leak": Reason(Outcome.FAIL, "RSS or GPU memory climbs steadily through the run"),
    "run_too_short": Reason(Outcome.NOT_MEASURED, "the training part is shorter than "
                                                "`memory-min-seconds`, and no burn-in ran "
                                                "(`memory-burn-in = false`, no pace to size "
                                                "it from, or it would not fit in `timeout`)"),
    "burn_in_too_short": Reason(Outcome.NOT_MEASURED, "the burn-in run (and its top-up, "
                                                      "when one ran) trained less than "
                                                      "`memory-min-seconds` (its pace was "
                                                      "misjudged), or was sampled too "
                                                      "sparsely"),
    "not_sampled": Reason(Outcome.NOT_MEASURED, "no memory samples"),
}
VERDICT = (
    "the longest successful training run (`ref`, or `long` when resume ran), or, when that "
    "trains under `memory-min-seconds`, the `burn_in` run sized to train that long (steps "
    "from the fastest run's pace over its second half of metrics, x1.2; under a time cap "
    "of twice its expected time + 10 s, at most `timeout`; when it trains too little, one "
    "top-up `burn_in_2` sized the same way on the burn-in's own pace, and the longer of the "
    "two is read): from its first to its last "
    "metric written, less a 25% warm-up, cut into 8 time windows; a *steady climb* is "
    "window medians rising in at least 6 of 7 steps, a positive least-squares slope and a "
    "rise of at least 16 MiB and 10%. RSS and, under NVML, GPU memory; shorter than "
    "`memory-min-seconds` is not measured, never a pass.")
METRICS = {
    "run": "the training run read", "analysed_s": "training part after warm-up", "samples": "",
    "rss_slope_mb_per_min": "least squares", "rss_growth_mb": "last window's median minus "
    "the first's", "rss_rising_fraction": "share of windows whose median rises",
    "gpu_slope_mb_per_min": "`null` = not measured", "gpu_growth_mb": "",
    "burn_in_runs": "burn-in runs trained: 1, or 2 with a top-up; `null` = none ran",
    "burn_in_steps": "steps of the burn-in run read; `null` = none ran",
    "burn_in_s": "its wall time", "burn_in_trained_s": "its training part after warm-up",
}


def _burn_in_spec(config: RunnerConfig) -> tuple[RunSpec, ...]:
    """The burn-in this config allows (its steps are sized when it starts)."""
    if not config.option("memory-burn-in"):
        return ()
    return (RunSpec(burn_in.RUN_ID, burn_in.PURPOSE),
            RunSpec(burn_in.TOP_UP_ID, burn_in.TOP_UP_PURPOSE))


DERIVED_RUNS = DerivedRuns(
    _burn_in_spec, "`burn_in`, `burn_in_2`", "seed, sized from the pace of the fastest run "
    "(`burn_in_2`: of `burn_in`)", "memory-growth burn-in, only when no run trains "
    "`memory-min-seconds` (`memory-burn-in`); `burn_in_2` only when `burn_in` trained too "
    "little", "1 burn-in when no run trains `memory-min-seconds` (2 when the first trains "
    "too little)", measured=True)


def _longest(session: Session) -> RunOutcome:
    """The successful training run with the most wall time among those that ran."""
    ref = session.run("ref")
    best = ref
    for run_id, spec in session.runs.items():
        run = session.cached(run_id)
        if run is None or spec.is_eval or run.problem is not None or run.process is None:
            continue
        assert best.process is not None
        if run.process.wall_s > best.process.wall_s:
            best = run
    return best


def _metric_lines(log: Path, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """Byte offsets of the first and the last line of ``log`` that ``pattern`` matches.

    The session already ran the same regex over the same log within its time budget, so
    a second pass costs no more; lines are bounded as there (`MAX_MATCH_CHARS`).
    """
    first: int | None = None
    last = 0
    offset = 0
    try:
        with log.open("rb") as handle:
            while line := handle.readline(MAX_MATCH_CHARS):
                if pattern.search(line.decode("utf-8", errors="replace")):
                    first = offset if first is None else first
                    last = offset
                offset += len(line)
    except OSError:
        return None
    return None if first is None else (first, last)


def training_span(run: RunOutcome, pattern: re.Pattern[str] | None) -> tuple[
        float | None, float | None]:
    """When the run wrote its first and last metric (seconds after start), if known.

    JSONL metrics: the metrics file (the watched file that is not the log) first and
    last grew. A regex over the output: when the log reached the first and the last
    matching line. Otherwise the first and last growth of any watched file.
    """
    assert run.process is not None
    memory = run.process.memory
    grew = dict(memory.outputs)
    if pattern is None:
        for path, points in grew.items():
            if path != run.log_path and points:
                return points[0][0], points[-1][0]
    elif run.log_path is not None and grew.get(run.log_path):
        span = _metric_lines(run.log_path, pattern)
        if span is not None:
            points = grew[run.log_path]
            return when(points, span[0]), when(points, span[1])
    return memory.first_output_s, memory.last_output_s


def _mb_per_min(growth: Growth) -> float:
    return round(growth.slope_bytes_per_s * 60 / 2**20, 3)


def _fastest_pace(session: Session) -> Pace | None:
    """The steady pace of the fastest successful training run made so far."""
    paces = [pace for run in session.finished()
             if not run.spec.is_eval and run.problem is None and run.process is not None
             and (pace := steady_pace(run, session.config.metrics_regex)) is not None]
    return min(paces, key=lambda p: p.s_per_step, default=None)


def _measure(run: RunOutcome, session: Session, criteria: Criteria) -> tuple[
        Growth, Growth | None, dict[str, Scalar], dict[str, list[list[float]]]]:
    """RSS and GPU growth of ``run`` with the metrics and curve every result carries."""
    assert run.process is not None
    memory = run.process.memory
    first_s, last_s = training_span(run, session.config.metrics_regex)
    rss = detect(memory.rss_series, first_output_s=first_s, last_output_s=last_s,
                 criteria=criteria)
    gpu = detect(memory.gpu_series, first_output_s=first_s, last_output_s=last_s,
                 criteria=criteria) if memory.gpu_series else None
    metrics: dict[str, Scalar] = {
        "run": run.spec.id, "analysed_s": round(rss.duration_s, 2), "samples": rss.samples,
        "rss_slope_mb_per_min": _mb_per_min(rss) if rss.measured else None,
        "rss_growth_mb": mb(int(rss.growth_bytes)) if rss.measured else None,
        "rss_rising_fraction": round(rss.rising_fraction, 3) if rss.measured else None,
        "gpu_slope_mb_per_min": _mb_per_min(gpu) if gpu is not None and gpu.measured else None,
        "gpu_growth_mb": mb(int(gpu.growth_bytes)) if gpu is not None and gpu.measured
        else None,
        "burn_in_runs": None, "burn_in_steps": None, "burn_in_s": None,
        "burn_in_trained_s": None,
    }
    curves = {"rss_mb": series([(round(t * 1000), v / 2**20) for t, v in memory.rss_series])}
    return rss, gpu, metrics, curves


def _not_sampled(run: RunOutcome) -> CheckResult:
    return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED, reason="not_sampled",
                       summary=f"not measured: no memory samples of the {run.spec.id} run "
                               "(psutil could not read its process tree)")


def _too_short(run: RunOutcome, rss: Growth, metrics: dict[str, Scalar],
               curves: dict[str, list[list[float]]], why_no_burn_in: str) -> CheckResult:
    return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED, reason="run_too_short",
                       metrics=metrics, series=curves,
                       summary=f"not measured: the {run.spec.id} run gave {rss.why} "
                               f"(`memory-min-seconds`); {why_no_burn_in}")


def _why_no_burn_in(session: Session, criteria: Criteria) -> str | Sizing:
    """The burn-in to train, or why none is trained (the end of the summary)."""
    cfg = session.config
    if not cfg.option("memory-burn-in"):
        return ("raise `steps`, or let memory-growth train a burn-in run "
                "(`memory-burn-in = true`)")
    pace = _fastest_pace(session)
    if pace is None:
        return ("no run wrote enough timed metric records to size a burn-in run from; "
                "raise `steps` for a burn-in")
    sizing = _sized(session, pace, criteria, burn_in.RUN_ID)
    if isinstance(sizing, str):
        return f"a burn-in run {sizing}; raise `timeout`, or `steps` for a burn-in"
    return sizing


def _sized(session: Session, pace: Pace, criteria: Criteria, run_id: str) -> Sizing | str:
    """The run ``run_id`` sized on ``pace``, or, when it would not fit in `timeout`, how
    long it would take (the burn-in and its top-up have the same bound)."""
    timeout = session.config.timeout
    sizing = burn_in.size(pace, criteria.min_duration_s, criteria.warmup_fraction, timeout,
                          run_id)
    if not burn_in.fits(sizing, timeout):
        return (f"would take about {sizing.expected_s:.0f}s, over "
                f"{burn_in.TIMEOUT_SHARE:.0%} of `timeout` = {timeout:g}s")
    return sizing


class Trained(NamedTuple):
    """A burn-in run and what `_measure` read of it."""

    run: RunOutcome
    rss: Growth
    gpu: Growth | None
    metrics: dict[str, Scalar]
    curves: dict[str, list[list[float]]]


Made = tuple[Sizing, Trained]  # a burn-in: how it was sized, what it trained


def _train(session: Session, sizing: Sizing, criteria: Criteria,
           label: str) -> CheckResult | Trained:
    """Start the burn-in ``sizing`` describes and measure it; a crash is the command's."""
    run = session.run_extra(sizing.spec(), planned=False)
    if run.problem is not None and run.problem.reason != "timeout":
        return run.problem.result(ID, label)
    if run.process is None or not run.process.memory.rss_series:
        return _not_sampled(run)
    # A burn-in stopped at its time cap still leaves every sample up to then.
    return Trained(run, *_measure(run, session, criteria))


def _top_up(session: Session, first: RunOutcome, criteria: Criteria) -> Sizing | str:
    """The top-up after a burn-in that trained too little, or why none is trained: sized
    on the burn-in's own pace, thousands of steps where the first was sized on a few."""
    pace = steady_pace(first, session.config.metrics_regex)
    if pace is None:
        return f"no top-up: the {first.spec.id} run's records were too few to pace one"
    sizing = _sized(session, pace, criteria, burn_in.TOP_UP_ID)
    return f"no top-up: it {sizing}" if isinstance(sizing, str) else sizing


def _burn_in(session: Session, planned: Sizing,
             criteria: Criteria) -> CheckResult | tuple[Trained, str]:
    """Train the burn-in, and one top-up when it trains too little without hitting its cap:
    the longer of the two with the summary's note on them, or the verdict when neither
    can be judged."""
    first = _train(session, planned, criteria, "burn-in run: ")
    if isinstance(first, CheckResult):
        return first
    made: list[Made] = [(planned, first)]
    no_top_up = ""
    if first.rss.duration_s < criteria.min_duration_s and first.run.problem is None:
        top_up = _top_up(session, first.run, criteria)
        if isinstance(top_up, str):
            no_top_up = top_up
        else:
            second = _train(session, top_up, criteria, "top-up burn-in run: ")
            if isinstance(second, CheckResult):
                return second
            made.append((top_up, second))
    sizing, judged = max(made, key=lambda m: m[1].rss.duration_s)
    run, rss, _, metrics, _ = judged
    assert run.process is not None
    metrics.update(burn_in_runs=len(made), burn_in_steps=run.steps,
                   burn_in_s=round(run.process.wall_s, 2),
                   burn_in_trained_s=round(rss.duration_s, 2))
    if not rss.measured:
        return _burn_in_short(made, judged, criteria, no_top_up)
    return judged, _burn_in_note(made, sizing, judged, criteria)


def _paced(sizing: Sizing, run: RunOutcome) -> str:
    return (f"{run.steps} steps sized on the {sizing.pace.run} run's pace of "
            f"{sizing.pace.s_per_step * 1000:.3g} ms per step")


def _burn_in_note(made: list[Made], sizing: Sizing, judged: Trained,
                  criteria: Criteria) -> str:
    run, rss = judged.run, judged.rss
    assert run.process is not None
    stopped = f" (stopped at its time cap of {sizing.cap_s:.0f}s)" if run.problem else ""
    what = (f"{run.steps} steps in {run.process.wall_s:.1f}s{stopped}, "
            f"{rss.duration_s:.1f}s of training after warm-up (paced on the "
            f"{sizing.pace.run} run's {sizing.pace.s_per_step * 1000:.3g} ms per step)")
    if len(made) == 1:
        return "; burn-in run: " + what
    first = made[0][1]
    return (f"; a top-up burn-in ran ({first.run.spec.id} trained {first.rss.duration_s:.1f}s, "
            f"under the {criteria.min_duration_s:g}s needed), {run.spec.id} read: {what}")


def _burn_in_short(made: list[Made], judged: Trained, criteria: Criteria,
                   no_top_up: str) -> CheckResult:
    """The burn-in(s) trained too little (or were sampled too sparsely) to judge: never a
    pass. The summary names each run's seconds and the pace it was sized on."""
    run, rss, _, metrics, curves = judged
    need = f"the {criteria.min_duration_s:g}s needed (`memory-min-seconds`)"
    stopped = [" (stopped at its time cap)" if r.problem is not None else ""
               for _, (r, *_) in made]
    if rss.duration_s >= criteria.min_duration_s:
        said = f"the {run.spec.id} run{stopped[-1]} gave {rss.why} (`memory-min-seconds`)"
    elif len(made) == 1:
        said = (f"the burn-in run{stopped[0]} trained {rss.duration_s:.1f}s after warm-up, "
                f"under {need}: {_paced(made[0][0], run)} were too few"
                + (f" ({no_top_up})" if no_top_up else ""))
    else:
        (s1, (r1, g1, *_)), (s2, (r2, g2, *_)) = made
        said = (f"the burn-in run trained {g1.duration_s:.1f}s after warm-up "
                f"({_paced(s1, r1)}), then its top-up{stopped[1]} {g2.duration_s:.1f}s "
                f"({_paced(s2, r2)}), both under {need}")
    return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED, reason="burn_in_too_short",
                       metrics=metrics, series=curves,
                       summary=f"not measured: {said}; raise `steps` for a longer run")


def check(session: Session) -> CheckResult:
    blocked = prerequisite(ID, session.run("ref"), session.smoke_selected)
    if blocked is not None:
        return blocked
    run = _longest(session)
    assert run.process is not None
    criteria = Criteria(min_duration_s=float(session.config.option("memory-min-seconds")))
    if not run.process.memory.rss_series:
        return _not_sampled(run)
    rss, gpu, metrics, curves = _measure(run, session, criteria)
    note = ""
    if not rss.measured and rss.duration_s < criteria.min_duration_s:
        planned = _why_no_burn_in(session, criteria)
        if isinstance(planned, str):
            return _too_short(run, rss, metrics, curves, planned)
        burnt = _burn_in(session, planned, criteria)
        if isinstance(burnt, CheckResult):
            return burnt
        (run, rss, gpu, metrics, curves), note = burnt
    if not rss.measured:
        return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED, reason="run_too_short",
                           metrics=metrics, series=curves,
                           summary=f"not measured: the {run.spec.id} run gave {rss.why} "
                                   f"(`memory-min-seconds`); raise `steps` for a burn-in")
    leaks = [(name, g) for name, g in (("RSS", rss), ("GPU memory", gpu))
             if g is not None and g.climbing]
    if leaks:
        name, g = leaks[0]
        return CheckResult(
            check=ID, outcome=Outcome.FAIL, reason="probable_leak", metrics=metrics,
            series=curves,
            summary=f"probable leak: {name} of the {run.spec.id} run climbs steadily, "
                    f"+{fmt(g.growth_bytes / 2**20)} MiB from {fmt(g.start_bytes / 2**20)} "
                    f"MiB over {g.duration_s:.1f}s ({fmt(g.slope_bytes_per_s * 60 / 2**20)} "
                    f"MiB/min; rising in {g.rising_fraction:.0%} of windows): tensors kept "
                    "with their graph (loss instead of loss.item()), an unbounded buffer or "
                    f"cache?{note}")
    gpu_note = "" if gpu is None else (
        "; GPU memory steady" if gpu.measured else f"; GPU memory not measured ({gpu.why})")
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, series=curves,
                       summary=f"RSS of the {run.spec.id} run holds steady over "
                               f"{rss.duration_s:.1f}s of training "
                               f"({fmt(rss.growth_bytes / 2**20)} MiB, "
                               f"{fmt(rss.slope_bytes_per_s * 60 / 2**20)} MiB/min)"
                               f"{gpu_note}{note}")
