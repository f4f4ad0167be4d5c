"""eval: the eval command runs on the smoke checkpoint, writes numeric metrics, meets thresholds.

The eval command writes a JSON object to ``{metrics_file}``; every numeric value is
a metric and `[tool.mlready.runner.thresholds]` are applied to them. A thresholded metric
that is NaN or infinite fails its threshold whatever the operator: ``nan != 0`` and
``inf >= 0.7`` are true in Python, but neither says the model evaluates well. The file is
the user's data, so an unreadable one (an integer of over 4,300 digits, nesting deeper
than the JSON reader's stack) is a named failure, never an internal error.
"""

from __future__ import annotations

import json
import math

from mlready.gpu_runner.checks._common import fmt, prerequisite
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "eval"
TITLE = "eval runs on the checkpoint and meets the thresholds"


def check(session: Session, smoke_selected: bool = True) -> CheckResult:
    cfg = session.config
    if cfg.eval is None:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary="no eval command configured (`tool.mlready.runner.eval`)")
    blocked = prerequisite(ID, session.run("ref"), smoke_selected)
    if blocked is not None:
        return blocked
    run = session.run("eval")
    if run.problem is not None:
        return run.problem.result(ID)
    assert run.process is not None and run.output_file is not None
    tail = run.process.tail
    path = run.output_file
    not_evaluated = ", ".join(str(t) for t in cfg.thresholds)
    unchecked = f"; thresholds not evaluated: {not_evaluated}" if not_evaluated else ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_no_metrics",
                           summary="eval exited 0 but wrote nothing to {metrics_file}; write "
                                   f"a JSON object of metrics there{unchecked}", log_tail=tail)
    if not text.strip():
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_no_metrics",
                           summary="eval exited 0 but its {metrics_file} is empty (no JSON "
                                   f"object of numeric metrics){unchecked}", log_tail=tail,
                           details={"thresholds_not_evaluated": [str(t) for t in
                                                                 cfg.thresholds]})
    name = f"{{metrics_file}} ({path.name})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        first = text.strip().splitlines()[0][:80] if text.strip() else "(empty file)"
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_not_json",
                           summary=f"eval wrote a {{metrics_file}} that is not JSON ({exc.msg} "
                                   f"at line {exc.lineno}; starts {first!r})", log_tail=tail)
    except ValueError:  # Python refuses integers of over 4,300 digits
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_number_too_large",
                           summary=f"eval's {name}: integer too large (over 4,300 digits); "
                                   "write metrics as ordinary numbers", log_tail=tail)
    except RecursionError:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_too_deep",
                           summary=f"eval's {name}: JSON nested too deep to read; write a flat "
                                   'object of metrics like {"accuracy": 0.91}', log_tail=tail)
    if not isinstance(data, dict):
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_not_object",
                           summary=f"eval wrote JSON {type(data).__name__}, expected an object "
                                   'of metrics like {"accuracy": 0.91}', log_tail=tail)
    numbers: dict[str, float] = {}
    for key, value in data.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                numbers[key] = float(value)
            except OverflowError:
                return CheckResult(check=ID, outcome=Outcome.FAIL,
                                   reason="eval_number_too_large",
                                   summary=f"eval's {name}: `{key}` is an integer too large "
                                           f"for a float ({len(str(value))} digits)",
                                   log_tail=tail)
    metrics: dict[str, Scalar] = {k: (v if math.isfinite(v) else str(v))
                                  for k, v in numbers.items()}
    metrics["wall_s"] = round(run.process.wall_s, 3)
    if not numbers:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_no_numeric",
                           summary="eval's metrics file holds no numeric values",
                           metrics=metrics, log_tail=tail)
    failed: list[str] = []
    for threshold in cfg.thresholds:
        if threshold.metric not in numbers:
            return CheckResult(check=ID, outcome=Outcome.FAIL, reason="threshold_metric_missing",
                               summary=f"threshold on `{threshold.metric}` but eval reported "
                                       f"only {', '.join(sorted(numbers))}", metrics=metrics)
        value = numbers[threshold.metric]
        if not math.isfinite(value):  # nan != x and inf >= x hold, but prove nothing
            failed.append(f"{threshold.metric} = {value} is not a finite number, needs "
                          f"{threshold.op} {threshold.value:g}")
        elif not threshold.holds(value):
            failed.append(f"{threshold.metric} = {fmt(value)}, needs {threshold.op} "
                          f"{threshold.value:g}")
    details = {"thresholds": [str(t) for t in cfg.thresholds]}
    if failed:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="threshold_failed",
                           summary="; ".join(failed), metrics=metrics, details=details)
    shown = ", ".join(f"{k} = {fmt(v)}" for k, v in list(numbers.items())[:4])
    met = f"; {len(cfg.thresholds)} thresholds met" if cfg.thresholds else "; no thresholds set"
    return CheckResult(check=ID, outcome=Outcome.PASS, summary=f"{shown}{met}",
                       metrics=metrics, details=details)
