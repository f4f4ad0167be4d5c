"""eval: the eval command runs on the smoke checkpoint, reports numeric metrics, meets thresholds.

The eval command reports its metrics one of two ways: a JSON object written to
``{metrics_file}`` (every numeric value is a metric), or lines of its output that the
`tool.mlready.runner.eval-metrics` regex matches (each named group is a metric; the
last match wins), so an eval script never written for mlready needs no wrapper.
`[tool.mlready.runner.thresholds]` are applied to them. A thresholded metric that is
NaN or infinite fails its threshold whatever the operator: ``nan != 0`` and
``inf >= 0.7`` are true in Python, but neither says the model evaluates well. The
file is the user's data, so an unreadable one (an integer of over 4,300 digits,
nesting deeper than the JSON reader's stack) is a named failure, never an internal
error. An eval that exits 0 with a traceback in its output and no metrics crashed
inside a pipeline or a wrapper that lost the exit code: that is what is reported.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from mlready.gpu_runner.checks._common import eval_unavailable, fmt
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.failures import last_line
from mlready.gpu_runner.metrics import RegexTooSlow, regex_matches
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session

ID = "eval"
TITLE = "eval runs on the checkpoint and meets the thresholds"
ORDER = 30
NEEDS = ("ref", "eval")
CATEGORY = "training"  # the trained model meets its thresholds
LOADS_CHECKPOINTS = False
REQUIRES = ("eval",)
REASONS = {
    "not_configured": Reason(Outcome.NOT_APPLICABLE),
    "eval_crashed": Reason(Outcome.FAIL, "exit 0 but a traceback and no metrics: a crash "
                                         "inside a pipeline or wrapper"),
    "eval_no_metrics": Reason(Outcome.FAIL, "file missing or empty, or no `eval-metrics` "
                                            "match"),
    "eval_not_json": Reason(Outcome.FAIL),
    "eval_not_object": Reason(Outcome.FAIL),
    "eval_no_numeric": Reason(Outcome.FAIL),
    "eval_number_too_large": Reason(Outcome.FAIL, "an integer of over 4,300 digits, or "
                                                  "beyond a float"),
    "eval_too_deep": Reason(Outcome.FAIL, "JSON nested too deep to read"),
    "eval_metrics_regex_too_slow": Reason(Outcome.ERROR, "the `eval-metrics` regex ran out "
                                                         "of its time budget"),
    "threshold_metric_missing": Reason(Outcome.FAIL),
    "threshold_failed": Reason(Outcome.FAIL, "also when the metric is NaN or infinite"),
}
VERDICT = (
    "exit 0; `{metrics_file}` holds a JSON object with numeric values, or the "
    "`eval-metrics` regex matches its output; thresholds. A thresholded metric that is NaN "
    "or infinite fails whatever the operator (`nan != 0` and `inf >= 0.7` are true in Python "
    "but prove nothing). A file Python cannot read as numbers (an integer of over 4,300 "
    "digits, or one beyond a float; nesting deeper than the JSON reader's stack) fails with "
    "`eval_number_too_large` / `eval_too_deep`. An eval that exits 0 but printed a "
    "traceback and reported no metrics is `eval_crashed`.")
METRICS = {"(every numeric value the eval reported)": "", "wall_s": ""}

TRACEBACK = "Traceback (most recent call last)"
_INT_RE = re.compile(r"[-+]?\d+")


@dataclass(frozen=True)
class EvalMetrics:
    """What one eval run reported: ints stay ints (a count compares exactly)."""

    values: dict[str, int | float]
    wall_s: float

    def scalars(self) -> dict[str, Scalar]:
        """For the results file, which has no NaN: non-finite values as strings."""
        out: dict[str, Scalar] = {k: (v if math.isfinite(v) else str(v))
                                  for k, v in self.values.items()}
        out["wall_s"] = round(self.wall_s, 3)
        return out


def read(session: Session, run: RunOutcome, check: str) -> EvalMetrics | CheckResult:
    """The metrics ``run`` (an eval run) reported, or the failure, as ``check``'s result."""
    if run.problem is not None:
        return run.problem.result(check)
    assert run.process is not None and run.output_file is not None
    tail = run.process.tail
    regex = session.config.eval_metrics_regex
    found = _from_output(session, run, check) if regex is not None else _from_file(run, check)
    if isinstance(found, CheckResult) and found.reason == "eval_no_metrics" \
            and TRACEBACK in tail:
        return CheckResult(check=check, outcome=Outcome.FAIL, reason="eval_crashed",
                           summary=f"eval exited 0 but crashed before reporting metrics "
                                   f"({last_line(tail)}): a pipeline or wrapper script lost "
                                   "the exit code", log_tail=tail)
    if isinstance(found, CheckResult):
        return found
    return EvalMetrics(found, run.process.wall_s)


def _from_output(session: Session, run: RunOutcome, check: str) -> dict[str, int | float] \
        | CheckResult:
    regex = session.config.eval_metrics_regex
    assert regex is not None and run.process is not None and run.log_path is not None
    tail = run.process.tail
    budget = max(1.0, session.config.timeout - run.process.wall_s)
    try:
        matches = regex_matches(run.log_path, regex, budget)
    except RegexTooSlow as exc:
        return CheckResult(check=check, outcome=Outcome.ERROR,
                           reason="eval_metrics_regex_too_slow",
                           summary=f"`tool.mlready.runner.eval-metrics` took over "
                                   f"{exc.budget_s:.3g}s on the eval's output (stopped at "
                                   f"line {exc.line_no}): simplify the regex", log_tail=tail)
    values: dict[str, int | float] = {}
    for match in matches:
        for key, text in match.items():
            number = _number(str(text))
            if number is not None:
                values[key] = number
    if not values:
        return CheckResult(check=check, outcome=Outcome.FAIL, reason="eval_no_metrics",
                           summary=f"no line of the eval's output matched "
                                   f"`tool.mlready.runner.eval-metrics` = "
                                   f"{session.config.eval_metrics!r} with a number",
                           log_tail=tail)
    return values


def _number(text: str) -> int | float | None:
    """A captured value as a number: an integer stays one; None when it is no number (or
    an integer beyond a float, which no metric is)."""
    try:
        if _INT_RE.fullmatch(text.strip()):
            value = int(text)
            float(value)
            return value
        return float(text)  # "0.91", "1e-3", "nan", "inf"
    except (ValueError, OverflowError):
        return None


def _from_file(run: RunOutcome, check: str) -> dict[str, int | float] | CheckResult:
    assert run.process is not None and run.output_file is not None
    tail = run.process.tail
    path = run.output_file

    def fail(reason: str, summary: str) -> CheckResult:
        return CheckResult(check=check, outcome=Outcome.FAIL, reason=reason, summary=summary,
                           log_tail=tail)

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fail("eval_no_metrics", "eval exited 0 but wrote nothing to {metrics_file}; "
                                       "write a JSON object of metrics there, or set "
                                       "`tool.mlready.runner.eval-metrics` to a regex over "
                                       "its output")
    if not text.strip():
        return fail("eval_no_metrics", "eval exited 0 but its {metrics_file} is empty (no "
                                       "JSON object of numeric metrics)")
    name = f"{{metrics_file}} ({path.name})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        first = text.strip().splitlines()[0][:80]
        return fail("eval_not_json", f"eval wrote a {{metrics_file}} that is not JSON "
                                     f"({exc.msg} at line {exc.lineno}; starts {first!r})")
    except ValueError:  # Python refuses integers of over 4,300 digits
        return fail("eval_number_too_large", f"eval's {name}: integer too large (over 4,300 "
                                             "digits); write metrics as ordinary numbers")
    except RecursionError:
        return fail("eval_too_deep", f"eval's {name}: JSON nested too deep to read; write a "
                                     'flat object of metrics like {"accuracy": 0.91}')
    if not isinstance(data, dict):
        return fail("eval_not_object", f"eval wrote JSON {type(data).__name__}, expected an "
                                       'object of metrics like {"accuracy": 0.91}')
    values: dict[str, int | float] = {}
    for key, value in data.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                return fail("eval_number_too_large", f"eval's {name}: `{key}` is an integer "
                                                     f"too large for a float "
                                                     f"({len(str(value))} digits)")
            values[key] = value
    if not values:
        return fail("eval_no_numeric", "eval's metrics file holds no numeric values")
    return values


def check(session: Session) -> CheckResult:
    cfg = session.config
    blocked = eval_unavailable(ID, session)
    if blocked is not None:
        return blocked
    found = read(session, session.run("eval"), ID)
    if isinstance(found, CheckResult):
        if found.reason in ("eval_no_metrics", "eval_crashed"):
            listed = [str(t) for t in cfg.thresholds]
            unchecked = f"; thresholds not evaluated: {', '.join(listed)}" if listed else ""
            return CheckResult(check=ID, outcome=found.outcome, reason=found.reason,
                               summary=f"{found.summary}{unchecked}", log_tail=found.log_tail,
                               details={"thresholds_not_evaluated": listed})
        return found
    numbers = {k: float(v) for k, v in found.values.items()}
    metrics = found.scalars()
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
