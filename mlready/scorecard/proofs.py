"""What the score alone cannot claim: the caps on the level.

A score is a weighted mean, so a project can average its way to "nearly ready" with
its reproducibility run failing. A runtime check is a proof, not one more item to
average: it ran the user's code and saw it hold or break. So, on top of the levels'
score bands (`mlready.scorecard.levels`):

1. A runtime check whose outcome is ``fail`` caps the level at "solid research code"
   (below "nearly ready"), and the card names the checks.
2. "Production-ready" needs every runtime check the project can run to pass.
   ``not_applicable`` is fine where the check states why it has nothing to check (no
   eval command, a single process), except for the readiness gaps in `GAPS` (no
   checkpoint written, no test command): those are missing proofs. ``skipped``,
   ``not_measured`` (it ran but could not measure: a run too short to judge memory
   growth), ``error`` and a check that did not run at all prove nothing, so they hold
   the level at "nearly ready", named.
3. "Production-ready" also needs every category measured (a mean over part of the
   table is weaker evidence).

Pure functions; `scoring.build` applies them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.scorecard.levels import Level, level_for
from mlready.scorecard.model import Cap, CategoryScore

# A check that reports nothing to check where the nothing is the problem: scored as a
# failed item (once, on the check that names it) and a missing proof, never a pass.
GAPS: frozenset[tuple[str, str]] = frozenset({
    ("checkpoint", "no_checkpoint"),  # the training writes no checkpoint
    ("tests", "not_configured"),  # no `tests` command: the project's tests never ran
})

_NOT_PROVEN = {Outcome.SKIPPED: "skipped", Outcome.NOT_MEASURED: "not measured",
               Outcome.ERROR: "error"}


def is_gap(result: CheckResult) -> bool:
    return (result.check, result.reason or "") in GAPS


def failed(run: RunReport | None) -> list[str]:
    """The runtime checks whose outcome is fail, in run order."""
    return [c.check for c in run.checks if c.outcome is Outcome.FAIL] if run else []


def unproven(run: RunReport | None, expected: Sequence[str]) -> list[tuple[str, str]]:
    """(check, why) for every runtime check that neither passed nor stated a reason it
    has nothing to check: a gap, skipped, error, or not run at all."""
    if run is None:
        return [(check, "not run") for check in expected]
    out = []
    for result in run.checks:
        if is_gap(result):
            out.append((result.check, "not configured" if result.reason == "not_configured"
                        else (result.reason or "gap").replace("_", " ")))
        elif result.outcome in _NOT_PROVEN:
            out.append((result.check, _NOT_PROVEN[result.outcome]))
    ran = {c.check for c in run.checks}
    out += [(check, "not run") for check in expected if check not in ran]
    return out


def capped(score: float | None, coverage: float, categories: Sequence[CategoryScore],
           run: RunReport | None, expected: Sequence[str]) -> tuple[Level, Cap | None]:
    """The level, and why it is below the score's own level (None when it is not)."""
    level = level_for(score)
    if level in (Level.PRODUCTION_READY, Level.NEARLY_READY):
        broken = failed(run)
        if broken:
            return Level.SOLID_RESEARCH, Cap(level, "a runtime proof failed: "
                                             + ", ".join(broken), tuple(broken))
    if level is not Level.PRODUCTION_READY:
        return level, None
    missing = unproven(run, expected)
    if run is None and missing:  # a static-only card: naming seven checks says less
        return Level.NEARLY_READY, Cap(level, "production-ready needs every runtime proof "
                                       "to pass, and none ran (no `mlready run` results)",
                                       tuple(expected))
    if missing:
        by_why: dict[str, list[str]] = {}
        for check, why in missing:
            by_why.setdefault(why, []).append(check)
        named = "; ".join(f"{why}: {', '.join(checks)}" for why, checks in by_why.items())
        return Level.NEARLY_READY, Cap(level, "production-ready needs every runtime proof "
                                       f"to pass ({named})",
                                       tuple(check for check, _ in missing))
    if coverage < 1.0:
        names = ", ".join(c.name for c in categories if c.score is None)
        return Level.NEARLY_READY, Cap(level, "production-ready needs every category "
                                       f"measured; not measured: {names}")
    return level, None
