"""Helpers shared by the checks: turning a run into results fields, number formatting."""

from __future__ import annotations

import math

from mlready.gpu_runner.failures import Problem
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.session import RunOutcome, Session

MAX_SERIES_POINTS = 500


def fmt(value: float | None) -> str:
    """Short human form: 0.0312, 3.1e-08, nan."""
    if value is None:
        return "n/a"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.2e}"


def mb(value: int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


def series(points: list[tuple[int, float]]) -> list[list[float]]:
    """At most `MAX_SERIES_POINTS` evenly spaced points; JSON has no NaN, so drop those."""
    stride = max(1, math.ceil(len(points) / MAX_SERIES_POINTS))
    return [[float(s), v] for s, v in points[::stride] if math.isfinite(v)]


def prerequisite(check: str, run: RunOutcome, smoke_selected: bool) -> CheckResult | None:
    """A result for a check whose input run failed, or None when the run is usable.

    When the smoke check is also selected it already reports the failure in full, so
    other checks say `skipped` and point there instead of repeating it.
    """
    if run.problem is None:
        return None
    problem = run.problem
    if run.spec.id == "ref" and smoke_selected and problem.outcome is not Outcome.SKIPPED:
        return Problem(Outcome.SKIPPED, "prerequisite_failed",
                       f"needs a successful training run; the smoke run failed "
                       f"({problem.reason})").result(check)
    return problem.result(check)


def eval_unavailable(check: str, session: Session) -> CheckResult | None:
    """Why an eval-reading check cannot judge anything, or None when it can go on.

    No eval command configured is `not_applicable`; a failed smoke run (whose checkpoint
    every eval reads) is reported as `prerequisite` says. One helper, so that the eval
    and eval-determinism checks cannot drift apart on when they apply.
    """
    if session.config.eval is None:
        return CheckResult(check=check, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary="no eval command configured (`tool.mlready.runner.eval`)")
    return prerequisite(check, session.run("ref"), session.smoke_selected)
