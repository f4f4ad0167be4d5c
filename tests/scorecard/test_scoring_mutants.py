"""Scoring decisions on the edges the other tests leave open: coverage metrics without a
count or with a zero total, severities read from the check JSON, unknown severities in
the ordering, a non-positive total weight, the smoke run's `no_metrics` reason, and the
rule kinds the registry supplies. Pure functions on synthetic inputs; written against the
survivors of ``bench/mutation.py``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlready.gpu_runner.results import Outcome
from mlready.scorecard.baseline import compare
from mlready.scorecard.model import CategoryScore, Inputs, ItemResult, Source, Status
from mlready.scorecard.scoring import (
    RuleInfo,
    _coverage_ratio,
    build,
    category_score,
    combine,
    failing_first,
    metrics_logged_item,
    registry_rules,
    throughput_item,
)

from .factories import SHA, check, diag, run, static


def test_coverage_without_a_count_or_with_a_zero_total() -> None:
    assert _coverage_ratio({"m": {"project": {"total": 10, "ratio": 0.5}}}, "m") == (
        0.5, "50% covered (None/10)")
    assert _coverage_ratio({"m": {"project": {"total": 0, "ratio": 0.5,
                                              "annotated": 0}}}, "m") is None
    assert _coverage_ratio({"": {"project": {"total": 4, "ratio": 1.0}}}, "") is None


def test_a_rule_from_the_registry_reads_only_its_kinds() -> None:
    report = replace(static(rules=("MLR201",)), file_kinds={"python": 3})
    item = next(i for c in build(report, None).categories for i in c.items
                if i.id == "MLR201")
    assert (item.status, item.detail) == (Status.NOT_APPLICABLE,
                                          "no file of the kinds it reads")


RULES = (RuleInfo("MLR001", "unseeded-entrypoint", severity="warning"),
         RuleInfo("MLR101", "hardcoded-learning-rate", severity="note"))


def test_the_check_json_severity_orders_the_findings() -> None:
    report = replace(static(diag(code="MLR001", line=1), diag(code="MLR101", line=2)),
                     severities={"MLR101": "error"})
    card = build(report, None, rules=RULES)
    assert [d.code for d in card.findings] == ["MLR101", "MLR001"]
    odd = replace(report, severities={"MLR101": "fatal"})  # unknown: after every known one
    assert [d.code for d in build(odd, None, rules=RULES).findings] == ["MLR001", "MLR101"]


def _fail(code: str) -> ItemResult:
    return ItemResult(code, "x", Status.FAIL, "d", Source.RULE, 0.0, 1.0)


def test_unknown_severities_fail_after_known_ones() -> None:
    items = [_fail("MLR1"), _fail("MLR2"), _fail("MLR3")]
    ordered = failing_first(items, {"MLR1": "fatal", "MLR3": "warning"})
    assert [i.id for i in ordered] == ["MLR3", "MLR1", "MLR2"]


def test_a_non_positive_total_weight_gives_no_score() -> None:
    cats = [CategoryScore("a", "A", 1.0, 50.0), CategoryScore("b", "B", -1.0, None)]
    assert combine(cats) == (None, 0.0)


def test_the_baseline_is_kept_on_the_card() -> None:
    head = build(static(), None, rules=RULES)
    base = compare(head, head, "main", SHA)
    assert build(static(), None, rules=RULES, baseline=base).baseline == base


@pytest.mark.parametrize("reason", ["no_metrics"])
def test_a_smoke_run_without_metrics_fails_the_item_even_with_names(reason: str) -> None:
    smoke = check("smoke", Outcome.FAIL, reason=reason, details={"metrics_seen": ["loss"]})
    item = metrics_logged_item([smoke])
    assert (item.status, item.detail, item.credit) == (
        Status.FAIL, "the smoke run reported no metrics", 0.0)


# -- the 150-mutant sample of 2026-12-02 (seed 16): its twelve survivors ------------------

def test_the_card_says_what_fed_it() -> None:
    report = replace(static(), errors=("a.py: unreadable",))
    assert build(report, run(check("smoke")), rules=RULES).inputs == Inputs(
        static=True, runtime=True, static_root="/repo", files_checked=3,
        static_errors=("a.py: unreadable",), environment={"device": "cpu"})
    assert build(None, None, rules=RULES).inputs == Inputs(static=False, runtime=False)


def test_without_static_results_each_rule_is_not_measured() -> None:
    items = [i for c in build(None, None, rules=RULES).categories for i in c.items
             if i.source is Source.RULE]
    assert sorted((i.id, i.status, i.detail, i.weight) for i in items) == [
        ("MLR001", Status.NOT_MEASURED, "static checks were not run", 1.0),
        ("MLR101", Status.NOT_MEASURED, "static checks were not run", 1.0)]


def test_a_check_absent_from_the_run_keeps_a_checks_weight() -> None:
    items = {i.id: i for c in build(None, run(check("smoke")), rules=RULES).categories
             for i in c.items if i.source is Source.CHECK}
    assert items["resume"].status is Status.NOT_MEASURED
    assert items["resume"].weight == items["smoke"].weight == 3.0


def test_an_unscored_item_does_not_count_even_with_a_credit() -> None:
    aside = ItemResult("x", "code", Status.NOT_APPLICABLE, "d", Source.RULE, 1.0, 5.0)
    failed = ItemResult("y", "code", Status.FAIL, "d", Source.RULE, 0.0, 1.0)
    assert category_score([aside, failed]) == 0.0


def test_the_registry_rules_carry_their_kinds_and_severity() -> None:
    from mlready.hooks.rules import all_rules

    by_code = {r.code: r for r in registry_rules()}
    rule = next(r for r in all_rules() if r.code == "MLR201")
    assert by_code["MLR201"] == RuleInfo("MLR201", rule.name, frozenset(rule.kinds),
                                         rule.severity)
    assert by_code["MLR201"].severity in ("error", "warning", "note")


def test_no_smoke_run_measures_neither_derived_item() -> None:
    for item in (metrics_logged_item([]), throughput_item([])):
        assert (item.status, item.detail) == (Status.NOT_MEASURED, "no smoke run")


def test_a_smoke_run_without_steps_or_memory_says_which() -> None:
    steps = check("smoke", Outcome.FAIL, reason="no_metrics", metrics={"peak_rss_mb": 5.0})
    memory = check("smoke", Outcome.PASS, metrics={"steps_per_s": 2.0})
    assert throughput_item([steps]).detail == "the smoke run measured no steps"
    assert throughput_item([memory]).detail == "the smoke run measured no memory"
