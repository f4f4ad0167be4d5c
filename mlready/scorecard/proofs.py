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
4. A run that measured nothing (`measured_nothing`: no check reached a verdict, every
   one was skipped, errored, not measured or not applicable, e.g. the training cannot
   start here for a missing module) caps the level at "solid research code": the run was
   tried and the training never started, so nothing backs a claim of "nearly ready",
   whatever the static half averages to. A card without runtime results (static only)
   is not capped by this: it tried nothing, and its card says the runtime half was not
   run; a run that measured nothing is evidence that the training does not run here.

Pure functions; `scoring.build` applies them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.scorecard.categories import DERIVED_ITEMS
from mlready.scorecard.levels import Level, level_for
from mlready.scorecard.model import Cap, CategoryScore, ItemResult, Source

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


# The outcomes that are a runtime verdict: the check ran the user's code and saw it hold
# or break. A gap (`GAPS`) is scored as a failure, but is not one: `tests` with no test
# command configured ran nothing.
_VERDICTS = frozenset({Outcome.PASS, Outcome.FAIL})


def measured_nothing(checks: Sequence[CheckResult] | None) -> bool:
    """True for runtime results in which no check reached a verdict (pass or fail):
    every check was skipped, errored, not measured or not applicable, gaps included.
    False without results (``None``): a static-only card is a different statement."""
    if checks is None:
        return False
    return not any(c.outcome in _VERDICTS for c in checks)


_RUNTIME_SOURCES = (Source.CHECK, Source.METRIC)
# What a check that ran but measured nothing reports: it would have measured its category.
_COULD_NOT_MEASURE = frozenset({Outcome.SKIPPED, Outcome.NOT_MEASURED, Outcome.ERROR})


def could_not_measure(run: RunReport | None) -> frozenset[str]:
    """The runtime item ids a run tried and could not measure: its checks that were
    skipped (could not run here), errored or not measured, and the smoke-derived items
    when the smoke check was reported without a verdict. A check absent from the results
    (``--only``) is not among them: it was never tried."""
    if run is None:
        return frozenset()
    ids = {c.check for c in run.checks if c.outcome in _COULD_NOT_MEASURE and not is_gap(c)}
    smoke = next((c for c in run.checks if c.check == "smoke"), None)
    if smoke is not None and smoke.outcome not in _VERDICTS:
        ids |= {spec.id for spec in DERIVED_ITEMS}
    return frozenset(ids)


def runtime_ids(items: Sequence[ItemResult]) -> frozenset[str]:
    """Every runtime item's id: what a runtime half asked for and never run (no results
    at all, `mlready ci` with no train command) would have measured."""
    return frozenset(item.id for item in items if item.source in _RUNTIME_SOURCES)


def runtime_unmeasured(items: Sequence[ItemResult], tried: frozenset[str]) -> bool:
    """Whether a category's runtime items were tried and none measured anything: its
    static items alone would then claim what the runtime half was there to prove (a
    training category at 100 on one rule while its training never started), so the
    category is not measured."""
    runtime = [item for item in items if item.source in _RUNTIME_SOURCES]
    if not any(item.id in tried for item in runtime):
        return False
    return not any(item.status.scored and item.credit is not None for item in runtime)


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


def _nothing_reason(run: RunReport) -> str:
    """One line: the runtime checks measured nothing, and how each ended."""
    by_outcome: dict[str, list[str]] = {}
    for result in run.checks:
        by_outcome.setdefault(result.outcome.value.replace("_", " "), []).append(result.check)
    named = "; ".join(f"{why}: {', '.join(checks)}" for why, checks in by_outcome.items())
    return ("the runtime checks measured nothing, the training never reached a verdict "
            f"here ({named or 'no checks reported'})")


def capped(score: float | None, coverage: float, categories: Sequence[CategoryScore],
           run: RunReport | None, expected: Sequence[str]) -> tuple[Level, Cap | None]:
    """The level, and why it is below the score's own level (None when it is not)."""
    level = level_for(score)
    if level in (Level.PRODUCTION_READY, Level.NEARLY_READY):
        if run is not None and measured_nothing(run.checks):
            return Level.SOLID_RESEARCH, Cap(level, _nothing_reason(run), tuple(
                c.check for c in run.checks))
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
