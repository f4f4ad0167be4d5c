"""From the two halves' results to a `Scorecard`: pure functions, no I/O.

The method is described in `mlready.scorecard.categories` and docs/scorecard.md. This
module only applies it: build the items, score each category, combine the measured
categories, pick the level and the weakest category (if any is below 100). A rule's
severity (error, warning, note: the static half's) orders what the card shows: failing
items and findings, errors first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlready.gpu_runner import catalog
from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.scorecard import categories as cats
from mlready.scorecard import proofs
from mlready.scorecard.inputs import StaticReport
from mlready.scorecard.levels import Level, level_for
from mlready.scorecard.model import (
    Baseline,
    Cap,
    CategoryScore,
    Inputs,
    ItemResult,
    Scorecard,
    Source,
    Status,
)

# The checks the runner is expected to report (its registry, in the order they run);
# listed as "not measured" without a run.
EXPECTED_CHECKS: tuple[str, ...] = tuple(check.id for check in catalog.entries())


@dataclass(frozen=True)
class RuleInfo:
    """What the scorecard needs to know about a rule: its code, name and severity."""

    code: str
    name: str = ""
    kinds: frozenset[str] = frozenset()  # the file kinds it reads; empty when unknown
    severity: str = ""  # error, warning or note; empty when unknown (ordered last)


# Most severe first; an unknown severity sorts after every known one.
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


def registry_rules() -> tuple[RuleInfo, ...]:
    """The default-selected rules of the static half's registry.

    Imported lazily: the registry pulls in every rule module. Used only when the check
    JSON does not list the rules it ran.
    """
    from mlready.hooks.rules import all_rules  # lazy on purpose

    return tuple(RuleInfo(rule.code, rule.name, frozenset(rule.kinds), rule.severity)
                 for rule in all_rules() if rule.default)


def _from_registry() -> dict[str, RuleInfo]:
    try:
        from mlready.hooks.rules import all_rules  # lazy on purpose

        return {r.code: RuleInfo(r.code, r.name, frozenset(r.kinds), r.severity)
                for r in all_rules()}
    except ImportError:  # pragma: no cover - a rule module mid-edit must not kill the card
        return {}


def selected_rules(static: StaticReport, known: Sequence[RuleInfo] | None = None) -> list[RuleInfo]:
    """The rules that ran: the check JSON's list, else the registry's default selection,
    plus any code that has findings (a rule that reported something certainly ran)."""
    info = {r.code: r for r in known} if known is not None else None
    if static.rules is not None:
        info = info if info is not None else _from_registry()
        rules = [info.get(code, RuleInfo(code)) for code in static.rules]
    else:
        rules = list(known) if known is not None else list(registry_rules())
        info = info if info is not None else {r.code: r for r in rules}
    seen = {rule.code for rule in rules}
    for code in sorted({d.code for d in static.diagnostics} - seen):
        rules.append(info.get(code, RuleInfo(code)))
    return sorted(rules, key=lambda r: r.code)


# The count a coverage metric's "project" entry gives next to "total": MLR401 counts
# annotated slots, MLR603 documented definitions.
_COVERED_KEYS = ("annotated", "documented", "covered")


def _coverage_ratio(metrics: Mapping[str, Any], name: str) -> tuple[float, str] | None:
    """A rule's project-wide coverage ratio from the check metrics, if it reports one."""
    entry = metrics.get(name) if name else None
    project = entry.get("project") if isinstance(entry, dict) else None
    if not isinstance(project, dict):
        return None
    total = project.get("total")
    covered = next((project[key] for key in _COVERED_KEYS if key in project), None)
    ratio = project.get("ratio")
    if not isinstance(total, int | float) or total <= 0 or isinstance(ratio, bool):
        return None
    if not isinstance(ratio, int | float):
        return None
    ratio = min(1.0, max(0.0, float(ratio)))
    return ratio, f"{ratio:.0%} covered ({covered}/{total})"


def rule_items(static: StaticReport, rules: Sequence[RuleInfo]) -> list[ItemResult]:
    """One item per selected rule: pass without findings, partial credit with some."""
    counts = Counter(d.code for d in static.diagnostics)
    items = []
    for rule in rules:
        n = counts.get(rule.code, 0)
        category = cats.category_for_rule(rule.code)
        if n == 0 and _nothing_to_read(rule, static.file_kinds):
            items.append(ItemResult(rule.code, category, Status.NOT_APPLICABLE,
                                    "no file of the kinds it reads", Source.RULE,
                                    weight=cats.RULE_WEIGHT, title=rule.name))
            continue
        coverage = _coverage_ratio(static.metrics, rule.name)
        credit = coverage[0] if coverage else cats.rule_credit(n, rule.code)
        detail = f"{n} finding{'s' if n != 1 else ''}" if n else "no findings"
        if coverage:
            detail = f"{coverage[1]}; {detail}"
        # The status follows the credit: a coverage rule at 32% with no findings of its
        # own has still lost two thirds of its weight, and "passed" would hide it.
        items.append(ItemResult(
            id=rule.code, category=category,
            status=Status.FAIL if n or credit < 1.0 else Status.PASS, detail=detail,
            source=Source.RULE,
            credit=credit, weight=cats.RULE_WEIGHT, findings=n, title=rule.name,
        ))
    return items


def measured_items(static: StaticReport, selected: Sequence[RuleInfo],
                   known: Sequence[RuleInfo] | None = None) -> list[ItemResult]:
    """An item for each coverage metric whose rule was not selected: MLR401 and MLR603
    are off by default, but the engine measures their type-hint and docstring coverage
    anyway, and the card scores it, so that their category stays measured whatever the
    selection. The item earns the ratio and fails below 100%, as a selected rule would."""
    chosen = {rule.code for rule in selected}
    by_name = {r.name: r for r in (*_from_registry().values(), *(known or ())) if r.name}
    items = []
    for name in sorted(static.metrics):
        info = by_name.get(name)
        coverage = _coverage_ratio(static.metrics, name)
        if info is None or info.code in chosen or coverage is None:
            continue
        ratio, text = coverage
        items.append(ItemResult(
            id=info.code, category=cats.category_for_rule(info.code),
            status=Status.PASS if ratio >= 1.0 else Status.FAIL,
            detail=f"{text}; its findings are not selected", source=Source.RULE,
            credit=ratio, weight=cats.RULE_WEIGHT, title=info.name))
    return items


def severities(static: StaticReport | None, rules: Sequence[RuleInfo]) -> dict[str, str]:
    """Code -> severity: what the check JSON says for its findings, else the rule's."""
    found = {r.code: r.severity for r in (*_from_registry().values(), *rules) if r.severity}
    if static is not None:
        found.update(static.severities)
    return found


def failing_first(items: Sequence[ItemResult], severity: Mapping[str, str]
                  ) -> tuple[ItemResult, ...]:
    """Failing items first, errors before warnings before notes (a failing runtime check
    is an error: a proof that did not hold), then the rest in their own order."""
    def key(pair: tuple[int, ItemResult]) -> tuple[int, int, int]:
        index, item = pair
        if item.status is not Status.FAIL:
            return (1, 0, index)
        level = "error" if item.source is Source.CHECK else severity.get(item.id, "")
        return (0, SEVERITY_ORDER.get(level, len(SEVERITY_ORDER)), index)

    return tuple(item for _, item in sorted(enumerate(items), key=key))


def _nothing_to_read(rule: RuleInfo, file_kinds: Mapping[str, int] | None) -> bool:
    """True when the engine reported the files it saw and none is of a kind the rule
    reads: a requirements rule in a project without requirements files has nothing to
    say, which is not the same as passing."""
    if file_kinds is None or not rule.kinds:
        return False
    return not any(file_kinds.get(kind, 0) > 0 for kind in rule.kinds)


def unmeasured_rule_items(rules: Iterable[RuleInfo]) -> list[ItemResult]:
    return [ItemResult(rule.code, cats.category_for_rule(rule.code), Status.NOT_MEASURED,
                       "static checks were not run", Source.RULE, weight=cats.RULE_WEIGHT,
                       title=rule.name) for rule in rules]


_OUTCOME_STATUS = {
    Outcome.PASS: Status.PASS,
    Outcome.FAIL: Status.FAIL,
    Outcome.NOT_APPLICABLE: Status.NOT_APPLICABLE,
    Outcome.SKIPPED: Status.SKIPPED,
    Outcome.NOT_MEASURED: Status.NOT_MEASURED,
    Outcome.ERROR: Status.ERROR,
}


def check_item(result: CheckResult) -> ItemResult:
    """A runtime check's item: pass 1, fail 0, a readiness gap 0, anything else unscored.

    A gap (`proofs.GAPS`: no checkpoint written, no test command) is a check reporting
    nothing to check where the nothing is the problem. It is scored once, on the check
    that names it (`checkpoint`), not again on every check that depends on it (`resume`).
    """
    status = _OUTCOME_STATUS[result.outcome]
    if proofs.is_gap(result):
        status = Status.FAIL
    credit = {Status.PASS: 1.0, Status.FAIL: 0.0}.get(status)
    return ItemResult(result.check, cats.category_for_check(result.check), status,
                      result.summary, Source.CHECK, credit, cats.CHECK_WEIGHT,
                      title=result.check)


def _derived(spec: cats.Derived, status: Status, detail: str,
             credit: float | None = None) -> ItemResult:
    return ItemResult(spec.id, spec.category, status, detail, Source.METRIC, credit,
                      cats.METRIC_WEIGHT, title=spec.title)


def _smoke_run(checks: Sequence[CheckResult]) -> CheckResult | None:
    """The smoke check when it ran the training command to a verdict (pass or fail)."""
    smoke = next((c for c in checks if c.check == "smoke"), None)
    if smoke is None or smoke.outcome not in (Outcome.PASS, Outcome.FAIL):
        return None
    return smoke


def metrics_logged_item(checks: Sequence[CheckResult]) -> ItemResult:
    """Derived from the smoke run: did the training script report its metrics?"""
    spec = cats.METRICS_LOGGED
    smoke = _smoke_run(checks)
    if smoke is None:
        return _derived(spec, Status.NOT_MEASURED, "no smoke run")
    seen = smoke.details.get("metrics_seen")
    logged = {str(n) for n in seen if n} if isinstance(seen, list) else set()
    names = sorted(logged | {name for name, points in smoke.series.items() if points})
    if names and smoke.reason != "no_metrics":
        return _derived(spec, Status.PASS, "smoke run reported " + ", ".join(names), 1.0)
    return _derived(spec, Status.FAIL, "the smoke run reported no metrics", 0.0)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def throughput_item(checks: Sequence[CheckResult]) -> ItemResult:
    """Derived from the smoke run: were steps/s and peak memory measured?

    Steps/s needs metrics at two or more steps: a script that reports once, at the end,
    fails the item (its speed cannot be known). A smoke run without any metrics, or
    without a memory reading (the harness could not sample it), measured nothing, which
    the metrics-logged and smoke items already score.
    """
    spec = cats.THROUGHPUT_MEASURED
    smoke = _smoke_run(checks)
    if smoke is None:
        return _derived(spec, Status.NOT_MEASURED, "no smoke run")
    rss = _number(smoke.metrics.get("peak_rss_mb"))
    gpu = _number(smoke.metrics.get("peak_gpu_mb"))
    if smoke.reason == "no_metrics" or (rss is None and gpu is None):
        return _derived(spec, Status.NOT_MEASURED, "the smoke run measured no "
                        + ("steps" if smoke.reason == "no_metrics" else "memory"))
    speed = _number(smoke.metrics.get("steps_per_s"))
    if speed is None:
        return _derived(spec, Status.FAIL, "steps/s not measured: the smoke run reported "
                        "metrics at fewer than two steps", 0.0)
    if speed <= 0:  # a rate of zero is a measurement of no progress, never a pass
        return _derived(spec, Status.FAIL, f"steps/s is {speed:g}: the smoke run made no "
                        "progress between its first and last metrics", 0.0)
    memory = [f"peak RSS {rss:g} MiB"] if rss is not None else []  # the runner divides by 2**20
    memory += [f"peak GPU {gpu:g} MiB"] if gpu is not None else []
    return _derived(spec, Status.PASS, f"{speed:g} steps/s; " + ", ".join(memory), 1.0)


# Items derived from the smoke run's measurements, one per `cats.DERIVED_ITEMS` entry.
DERIVED: tuple[Callable[[Sequence[CheckResult]], ItemResult], ...] = (
    metrics_logged_item, throughput_item,
)


def check_items(run: RunReport | None) -> list[ItemResult]:
    derived = [item(run.checks if run else ()) for item in DERIVED]
    if run is None:
        return [ItemResult(check, cats.category_for_check(check), Status.NOT_MEASURED,
                           "runtime checks were not run", Source.CHECK,
                           weight=cats.CHECK_WEIGHT, title=check)
                for check in EXPECTED_CHECKS] + derived
    reported = {result.check for result in run.checks}
    absent = [ItemResult(check, cats.category_for_check(check), Status.NOT_MEASURED,
                         "not in the run results (`mlready run --only`, or an older "
                         "mlready)", Source.CHECK, weight=cats.CHECK_WEIGHT, title=check)
              for check in EXPECTED_CHECKS if check not in reported]
    return [check_item(result) for result in run.checks] + absent + derived


def category_score(items: Sequence[ItemResult]) -> float | None:
    """Weighted mean credit of the scored items, times 100; None when none is scored."""
    scored = [item for item in items if item.status.scored and item.credit is not None]
    total = sum(item.weight for item in scored)
    if not scored or total <= 0:
        return None
    return 100.0 * sum(item.weight * (item.credit or 0.0) for item in scored) / total


def combine(categories: Sequence[CategoryScore]) -> tuple[float | None, float]:
    """(score, coverage): the weighted mean over measured categories, renormalised, and
    the measured share of the total weight."""
    total = sum(c.weight for c in categories)
    measured = [c for c in categories if c.score is not None and c.weight > 0]
    weight = sum(c.weight for c in measured)
    if not measured or weight <= 0 or total <= 0:
        return None, 0.0
    score = sum(c.weight * (c.score or 0.0) for c in measured) / weight
    return score, weight / total


def level_of(score: float | None, coverage: float) -> Level:
    """The checklist's level, capped at "nearly ready" while part of the table is
    unmeasured: production-ready is a claim about every category. Without runtime
    proofs to judge; `build` caps with them too (`proofs.capped`)."""
    level = level_for(score)
    if level is Level.PRODUCTION_READY and coverage < 1.0:
        return Level.NEARLY_READY
    return level


def weakest(categories: Sequence[CategoryScore]) -> str | None:
    """Lowest measured score below 100; ties go to the heavier category, then table
    order. None when nothing was measured or everything measured scored 100: naming a
    perfect category "weakest" would send the reader looking for a problem that is not
    there."""
    measured = [(c.score, -c.weight, i, c.key) for i, c in enumerate(categories)
                if c.score is not None and c.weight > 0 and c.score < 100.0]
    return min(measured)[3] if measured else None


def build(static: StaticReport | None, run: RunReport | None, *,
          weights: Mapping[str, float] | None = None,
          rules: Sequence[RuleInfo] | None = None,
          baseline: Baseline | None = None, runtime_missing: str | None = None,
          static_only: bool = False) -> Scorecard:
    """The scorecard of one commit. ``rules`` overrides the registry (tests, baselines);
    ``weights`` overrides category weights by key. ``runtime_missing``: why the runtime
    half was asked for but could not run; it caps the level like a run that measured
    nothing, since a green static half is not a runtime pass."""
    weights = dict(weights or {})
    if static is not None:
        selected = selected_rules(static, rules)
        items = rule_items(static, selected) + measured_items(static, selected, rules)
    else:
        items = unmeasured_rule_items(rules if rules is not None else _safe_registry())
    items += check_items(run)
    by_category: dict[str, list[ItemResult]] = {c.key: [] for c in cats.CATEGORIES}
    for item in items:
        by_category[item.category].append(item)
    severity = severities(static, rules or ())
    # Asked for and never run: every runtime item was tried, as in a run that measured
    # nothing, so no category claims from its static items what the runtime half proves.
    tried = (proofs.runtime_ids(items) if run is None and runtime_missing
             else proofs.could_not_measure(run))
    categories = tuple(
        CategoryScore(c.key, c.name, float(weights.get(c.key, c.weight)),
                      None if proofs.runtime_unmeasured(by_category[c.key], tried)
                      else category_score(by_category[c.key]),
                      failing_first(by_category[c.key], severity))
        for c in cats.CATEGORIES
    )
    rank = {code: SEVERITY_ORDER.get(level, len(SEVERITY_ORDER))
            for code, level in severity.items()}
    findings = tuple(sorted(static.diagnostics, key=lambda d: (
        rank.get(d.code, len(SEVERITY_ORDER)), d.sort_key()))) if static else ()
    score, coverage = combine(categories)
    level, cap = proofs.capped(score, coverage, categories, run, EXPECTED_CHECKS)
    if run is None and runtime_missing and level in (Level.PRODUCTION_READY,
                                                     Level.NEARLY_READY):
        level, cap = Level.SOLID_RESEARCH, Cap(
            cap.uncapped if cap else level,
            f"the runtime checks measured nothing: {runtime_missing}", tuple(EXPECTED_CHECKS))
    inputs = Inputs(
        runtime_missing=runtime_missing if run is None else None,
        static_only=static_only and run is None,
        static=static is not None, runtime=run is not None,
        static_root=static.root if static else None,
        files_checked=static.files_checked if static else None,
        static_errors=static.errors if static else (),
        environment=dict(run.environment) if run else {},
    )
    return Scorecard(
        score=score, level=level, coverage=coverage, cap=cap,
        weakest=weakest(categories), categories=categories,
        findings=findings,
        checks=run.checks if run else (), inputs=inputs, baseline=baseline,
    )


def _safe_registry() -> tuple[RuleInfo, ...]:
    try:
        return registry_rules()
    except ImportError:  # pragma: no cover
        return ()
