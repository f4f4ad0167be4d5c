"""memory-growth: memory holds steady through the training instead of climbing (a burn-in test).

Reads the samples the runner already takes of every training process tree (RSS summed
over the tree every 50 ms; GPU memory through NVML where a GPU is) and asks
`mlready.gpu_runner.growth` whether they climb steadily between the first and the last
metric the run wrote (`training_span`), after warm-up. It starts no run
of its own: it reads the longest successful training run this ``mlready run`` made
(``ref``, or the 2N-step ``long`` run of resume when that ran too), since a leak shows
best over the longest stretch. A run whose training part is shorter than
`tool.mlready.runner.memory-min-seconds` is *not measured* (``not_measured``), never a
pass: raise ``steps`` (or the option, on a slow machine) for a real burn-in.
"""

from __future__ import annotations

import re
from pathlib import Path

from mlready.gpu_runner.checks._common import fmt, mb, prerequisite, series
from mlready.gpu_runner.checks._declaration import Option, Reason
from mlready.gpu_runner.growth import Criteria, Growth, detect, when
from mlready.gpu_runner.metrics import MAX_MATCH_CHARS
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session

ID = "memory-growth"
TITLE = "memory holds steady over the training run (no steady climb)"
ORDER = 55
NEEDS = ("ref",)
CATEGORY = "performance"  # burn-in: memory stays bounded over a long run
LOADS_CHECKPOINTS = False
OPTIONS = {"memory-min-seconds": Option(float, 10.0, "seconds of training after warm-up "
                                                     "needed to judge memory growth",
                                        minimum=0.5)}
REASONS = {
    "probable_leak": Reason(Outcome.FAIL, "RSS or GPU memory climbs steadily through the run"),
    "run_too_short": Reason(Outcome.NOT_MEASURED, "the training part is shorter than "
                                                "`memory-min-seconds`"),
    "not_sampled": Reason(Outcome.NOT_MEASURED, "no memory samples"),
}
VERDICT = (
    "the longest successful training run (`ref`, or `long` when resume ran): from its "
    "first to its last metric written, less a 25% warm-up, cut into 8 time windows; a "
    "*steady climb* is window medians rising in at least 6 of 7 steps, a positive "
    "least-squares slope and a rise of at least 16 MiB and 10%. RSS and, under NVML, GPU "
    "memory; shorter than `memory-min-seconds` is not measured, never a pass.")
METRICS = {
    "run": "the training run read", "analysed_s": "training part after warm-up", "samples": "",
    "rss_slope_mb_per_min": "least squares", "rss_growth_mb": "last window's median minus "
    "the first's", "rss_rising_fraction": "share of windows whose median rises",
    "gpu_slope_mb_per_min": "`null` = not measured", "gpu_growth_mb": "",
}


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


def check(session: Session) -> CheckResult:
    blocked = prerequisite(ID, session.run("ref"), session.smoke_selected)
    if blocked is not None:
        return blocked
    run = _longest(session)
    assert run.process is not None
    memory = run.process.memory
    criteria = Criteria(min_duration_s=float(session.config.option("memory-min-seconds")))
    if not memory.rss_series:
        return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED, reason="not_sampled",
                           summary=f"not measured: no memory samples of the {run.spec.id} run "
                                   "(psutil could not read its process tree)")
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
    }
    curves = {"rss_mb": series([(round(t * 1000), v / 2**20) for t, v in memory.rss_series])}
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
                    "cache?")
    gpu_note = "" if gpu is None else (
        "; GPU memory steady" if gpu.measured else f"; GPU memory not measured ({gpu.why})")
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, series=curves,
                       summary=f"RSS of the {run.spec.id} run holds steady over "
                               f"{rss.duration_s:.1f}s of training "
                               f"({fmt(rss.growth_bytes / 2**20)} MiB, "
                               f"{fmt(rss.slope_bytes_per_s * 60 / 2**20)} MiB/min){gpu_note}")
