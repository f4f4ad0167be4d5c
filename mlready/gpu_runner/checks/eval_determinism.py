"""eval-determinism: the eval command, run twice on the same checkpoint, reports the same metrics.

One eval cannot show that evaluation is nondeterministic, and an unseeded evaluation
environment is a real failure mode in RL: the same policy scores differently on every
run, so a reported improvement may be noise. The second eval runs in a fresh process
on the smoke run's checkpoint and writes its own ``{metrics_file}``. Integers must be
equal; floats equal within `tool.mlready.runner.eval-tolerance` (relative:
``|a - b| <= tol * max(1, |a|, |b|)``; NaN equals NaN). Timing-like metrics
(``eval_time_s``, ``fps``, ...) differ by nature and are not compared.
"""

from __future__ import annotations

import math

from mlready.gpu_runner.checks import eval as evaluation
from mlready.gpu_runner.checks._common import eval_unavailable
from mlready.gpu_runner.checks._declaration import Option, Reason
from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.metrics import TIMING_RE, close
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import Session

ID = "eval-determinism"
TITLE = "the eval reports the same metrics twice on the same checkpoint"
ORDER = 35
NEEDS = ("ref", "eval", "eval_repeat")
RUNS = (RunSpec("eval_repeat", "eval determinism: the eval again on the smoke run's "
                               "checkpoint", is_eval=True),)
CATEGORY = "training"  # evaluation results that can be trusted
LOADS_CHECKPOINTS = False
REQUIRES = ("eval",)
OPTIONS = {"eval-tolerance": Option(float, 1e-6, "relative tolerance for float eval metrics "
                                                 "between two evals", minimum=0.0)}
REASONS = {
    "not_configured": Reason(Outcome.NOT_APPLICABLE),
    "eval_nondeterministic": Reason(Outcome.FAIL, "a metric differs between the two evals"),
    "eval_metrics_differ": Reason(Outcome.FAIL, "the two evals reported different metrics"),
    "only_timing_metrics": Reason(Outcome.NOT_MEASURED, "nothing but timing-like metrics "
                                                          "to compare"),
    "prerequisite_failed": Reason(Outcome.SKIPPED, "the first eval failed: see eval"),
    # the second eval's own failures, named as the eval check names them
    **{code: reason for code, reason in evaluation.REASONS.items() if code.startswith("eval_")},
}
VERDICT = (
    "`eval` vs `eval_repeat`, two fresh processes on `ref`'s checkpoint: every metric both "
    "report (timing-like ones excepted) must agree, integers exactly, floats within "
    "`eval-tolerance`; a failure names the metric and both values.")
METRICS = {"compared_metrics": "", "differing_metrics": "",
           "max_abs_diff": "over the compared float metrics"}

_HINT = ("an unseeded evaluation environment, sampling or data order, or a model left in "
         "training mode?")


def check(session: Session) -> CheckResult:
    cfg = session.config
    blocked = eval_unavailable(ID, session)
    if blocked is not None:
        return blocked
    first = evaluation.read(session, session.run("eval"), ID)
    if isinstance(first, CheckResult):
        return Problem(Outcome.SKIPPED, "prerequisite_failed",
                       f"needs an eval that reports metrics; the first eval failed "
                       f"({first.reason}: {first.summary})").result(ID)
    second = evaluation.read(session, session.run("eval_repeat"), ID)
    if isinstance(second, CheckResult):
        return second
    tolerance = float(cfg.option("eval-tolerance"))
    a, b = first.values, second.values
    names = [k for k in a if k in b and not TIMING_RE.search(k)]
    skipped = [k for k in a if k in b and TIMING_RE.search(k)]
    details: dict[str, Scalar | list[str]] = {"compared": names, "not_compared": skipped,
                                              "tolerance": tolerance}
    if set(a) != set(b):
        only = sorted(set(a) ^ set(b))
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_metrics_differ",
                           summary=f"two evals of one checkpoint reported different metrics "
                                   f"(only in one: {', '.join(only)})", details=details)
    differing: list[str] = []
    worst = 0.0
    for name in names:
        x, y = a[name], b[name]
        if isinstance(x, int) and isinstance(y, int):
            if x != y:  # a count is exact: no tolerance
                differing.append(name)
            continue
        if not close(float(x), float(y), tolerance):
            differing.append(name)
        diff = abs(float(x) - float(y))
        if math.isfinite(diff):
            worst = max(worst, diff)
    metrics: dict[str, Scalar] = {"compared_metrics": len(names),
                                  "differing_metrics": len(differing), "max_abs_diff": worst}
    if differing:
        name = differing[0]
        exact = isinstance(a[name], int) and isinstance(b[name], int)
        bound = "integers must be equal" if exact else f"beyond eval-tolerance {tolerance:g}"
        more = f"; {len(differing) - 1} more metrics differ" if len(differing) > 1 else ""
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="eval_nondeterministic",
                           summary=f"two evals of one checkpoint disagree: {name} = "
                                   f"{a[name]!r} then {b[name]!r} ({bound}){more}: {_HINT}",
                           metrics=metrics, details={**details, "differing": differing})
    if not names:
        return CheckResult(check=ID, outcome=Outcome.NOT_MEASURED,
                           reason="only_timing_metrics", metrics=metrics, details=details,
                           summary="the eval reports only timing-like metrics "
                                   f"({', '.join(skipped)}): nothing to compare")
    how = "identical" if worst == 0.0 else f"equal within eval-tolerance {tolerance:g} " \
                                             f"(max |diff| {worst:.3g})"
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                       summary=f"two evals of one checkpoint agree: {len(names)} metrics "
                               f"{how}")
