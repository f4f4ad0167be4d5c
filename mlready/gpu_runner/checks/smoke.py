"""smoke: the training command runs, reports finite metrics, and its objective improves.

Measures wall time, steps/s in the unit {steps} counts (`step-unit`; between the first
and the last metric written, so start-up is not counted, when the logged steps are that
unit, else over the wall time) and the peak memory of the whole process tree: CPU RSS always, GPU
memory through NVML when a GPU is there ("not measured" otherwise, never zero).
"""

from __future__ import annotations

import statistics

from mlready.gpu_runner.checks._common import fmt, mb, series
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "smoke"
TITLE = "training runs, metrics finite, objective improves"
ORDER = 10
NEEDS = ("ref",)
CATEGORY = "training"  # training runs and the objective improves; not a test suite
LOADS_CHECKPOINTS = False
REASONS = {
    "no_metrics": Reason(Outcome.FAIL, "no metrics file records and no regex match"),
    "nonfinite_metric": Reason(Outcome.FAIL, "a metric is NaN or infinite"),
    "objective_missing": Reason(Outcome.FAIL, "the objective was never reported"),
    "no_improvement": Reason(Outcome.FAIL, "the objective did not improve"),
}
VERDICT = (
    "exit 0 within `timeout`; metrics parsed and all finite; the objective's mean over the "
    "last quarter of logged values beats the first quarter (per `direction`). Reports wall "
    "time, steps/s (first to last metric written), peak RSS of the whole process tree, peak "
    "GPU memory via NVML (`null` when not measurable).")
METRICS = {
    "wall_s": "", "steps_requested": "", "steps_logged": "",
    "steps_per_s": "first to last metric written, start-up excluded",
    "peak_rss_mb": "whole process tree", "peak_gpu_mb": "NVML, `null` = not measured",
    "unparsed_lines": "metrics lines that were not JSON objects / numbers",
    "objective_first_window": "", "objective_last_window": "", "objective_window": "",
    "first_nonfinite_step": "",
}


def step_rate(steps: int, first_step: int | None, last_step: int | None, records: int,
              first_s: float | None, last_s: float | None,
              wall_s: float) -> tuple[float, str] | None:
    """(rate in the unit {steps} counts, basis), or None with fewer than two records.

    When the logged step numbers reach ``steps`` they count what {steps} counts, and the
    rate runs between the first and the last record written ("logged": start-up
    excluded). Otherwise the records are something else (episodes, evaluations, epochs
    of a step-counted run) and only ``steps`` over the whole wall time is honest ("wall":
    start-up included). A logged record is never counted as a step.
    """
    if records < 2:
        return None
    if last_step == steps and first_step is not None and first_s is not None \
            and last_s is not None and last_s > first_s and last_step > first_step:
        return (last_step - first_step) / (last_s - first_s), "logged"
    if wall_s > 0:
        return steps / wall_s, "wall"
    return None


def speed_text(steps: int, unit: str, wall_s: float, records: int,
               rate: tuple[float, str] | None, *, records_are_steps: bool) -> str:
    """``20 steps in 3.2s (6.25 steps/s)``, in the unit of {steps}; records named apart
    when they count something else (``300 timesteps in 2.0s (...); 7 records logged``)."""
    text = f"{steps} {unit} in {wall_s:.1f}s"
    if rate is not None:
        started = ", start-up included" if rate[1] == "wall" else ""
        text += f" ({round(rate[0], 3):g} {unit}/s{started})"
    if not records_are_steps:
        text += f"; {records} record{'s' if records != 1 else ''} logged"
    return text


def _window(n: int) -> int:
    return max(1, n // 4)


def check(session: Session) -> CheckResult:
    cfg = session.config
    ref = session.run("ref")
    if ref.problem is not None:
        return ref.problem.result(ID)
    assert ref.process is not None
    proc = ref.process
    traj = ref.trajectory
    steps_logged = len({r.step for r in traj.records})
    metrics: dict[str, Scalar] = {
        "wall_s": round(proc.wall_s, 3),
        "steps_requested": ref.steps,
        "steps_logged": steps_logged,
        "peak_rss_mb": mb(proc.memory.rss_bytes),
        "peak_gpu_mb": mb(proc.memory.gpu_bytes),
        "unparsed_lines": traj.bad_lines,  # JSONL lines that were not objects of numbers
    }
    rate = step_rate(ref.steps, traj.first_step, traj.last_step, len(traj.records),
                     proc.memory.first_output_s, proc.memory.last_output_s, proc.wall_s)
    metrics.update({"records_logged": len(traj.records), "step_unit": cfg.step_unit})
    if rate is not None:
        metrics["steps_per_s"] = round(rate[0], 3)
        metrics["steps_per_s_basis"] = rate[1]
    details = {"gpu_memory": "measured with NVML" if proc.memory.gpu_bytes is not None
               else "not measured (no NVIDIA GPU or driver here)",
               "metrics_seen": traj.names}

    def result(outcome: Outcome, summary: str, reason: str | None = None,
               tail: str = "") -> CheckResult:
        return CheckResult(check=ID, outcome=outcome, summary=summary, reason=reason,
                           metrics=metrics, series=curves, details=details, log_tail=tail)

    curves = {cfg.objective: series(traj.series(cfg.objective))} \
        if cfg.objective and cfg.objective in traj.names else {}
    if not traj.records:
        if cfg.metrics_regex is not None:
            text = (f"no output line matched `tool.mlready.runner.metrics` "
                    f"= {cfg.metrics!r}; check the regex against the log tail")
        else:
            text = ("no metrics: $MLREADY_METRICS_FILE stayed empty; call "
                    "mlready.log_metrics(step=..., loss=...) each step, or set "
                    "`tool.mlready.runner.metrics` to a regex over the output")
        return result(Outcome.FAIL, text, "no_metrics", proc.tail)
    bad = traj.first_nonfinite()
    if bad is not None:
        step, name, value = bad
        metrics["first_nonfinite_step"] = step
        return result(Outcome.FAIL, f"non-finite {name} at step {step} ({value}): training "
                                    "diverged or a metric is computed on empty input",
                      "nonfinite_metric", proc.tail)
    speed = speed_text(ref.steps, cfg.step_unit, proc.wall_s, len(traj.records), rate,
                       records_are_steps=traj.last_step == ref.steps)
    if not cfg.objective:
        details["objective"] = "not applicable: no objective declared"
        return result(Outcome.PASS, f"{speed}; no objective declared, improvement not checked")
    points = [v for _, v in traj.series(cfg.objective)]
    if not points:
        return result(Outcome.FAIL, f"objective `{cfg.objective}` never reported (metrics "
                                    f"seen: {', '.join(traj.names)}); set "
                                    "`tool.mlready.runner.objective`", "objective_missing")
    if len(points) < 2:
        details["objective"] = "not applicable: a single value cannot improve"
        return result(Outcome.PASS, f"{speed}; only one {cfg.objective} value, improvement "
                                    "not checked")
    w = _window(len(points))
    start, end = statistics.fmean(points[:w]), statistics.fmean(points[-w:])
    metrics.update({"objective_first_window": start, "objective_last_window": end,
                    "objective_window": w})
    improved = end < start if cfg.direction == "minimize" else end > start
    arrow = f"{cfg.objective} {fmt(start)} -> {fmt(end)} (mean of first/last {w})"
    if not improved:
        return result(Outcome.FAIL, f"{cfg.objective} did not improve ({cfg.direction}): "
                                    f"{arrow}", "no_improvement", proc.tail)
    return result(Outcome.PASS, f"{speed}; {arrow}; {rss_text(proc.memory.rss_bytes)}")


def rss_text(rss_bytes: int | None) -> str:
    """``peak RSS 12.3 MB``; a run too short for one memory sample says so, never "None"."""
    value = mb(rss_bytes)
    return "peak RSS not measured (the run ended before the first sample)" if value is None \
        else f"peak RSS {value} MB"
