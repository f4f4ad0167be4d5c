"""Scoring: items, categories, the overall score, levels, the weakest category."""

from __future__ import annotations

import itertools
import math

import pytest

from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.scorecard import categories as cats
from mlready.scorecard.inputs import InputError
from mlready.scorecard.levels import Level, display_score, level_for, score_text
from mlready.scorecard.model import Status
from mlready.scorecard.scoring import RuleInfo, build, category_score, combine, level_of

from .factories import RULES, all_passing_run, card, check, diag, run, static


@pytest.mark.parametrize(("score", "level"), [
    (0.0, Level.PROTOTYPE), (59.99, Level.PROTOTYPE), (60.0, Level.SOLID_RESEARCH),
    (74.99, Level.SOLID_RESEARCH), (75.0, Level.NEARLY_READY), (89.99, Level.NEARLY_READY),
    (90.0, Level.PRODUCTION_READY), (100.0, Level.PRODUCTION_READY),
    (None, Level.NOT_MEASURED),
])
def test_level_boundaries(score: float | None, level: Level) -> None:
    assert level_for(score) is level


def test_display_never_rounds_across_a_boundary() -> None:
    assert display_score(89.99) == "89.9"
    assert display_score(90.0) == "90.0"
    assert display_score(59.999) == "59.9"
    assert score_text(98.3333) == "98.3"
    assert score_text(None) == "not measured"


def test_rule_credit_diminishes() -> None:
    credits = [cats.rule_credit(n) for n in (0, 1, 3, 7, 15)]
    assert credits == [1.0, 0.5, pytest.approx(1 / 3), 0.25, 0.2]
    costs = [a - b for a, b in itertools.pairwise(credits)]
    assert costs == sorted(costs, reverse=True)
    assert cats.rule_credit(10_000) > 0


def test_static_only_leaves_runtime_categories_not_measured() -> None:
    result = card(static())
    runtime_only = {"testing", "logging", "performance"}
    for category in result.categories:
        if category.key in runtime_only or category.key == "documentation":
            assert category.score is None, category.key
            assert all(i.status in (Status.NOT_MEASURED,) for i in category.items)
    assert result.category("code").score == 100.0
    assert result.score == 100.0  # renormalised over what was measured, not dragged to 0
    assert result.coverage == pytest.approx(0.55)  # reproducibility, training (MLR7xx), code
    assert result.level is Level.NEARLY_READY  # capped: not every category measured


def test_runtime_only_leaves_static_categories_not_measured() -> None:
    result = card(None, all_passing_run())
    assert result.category("code").score is None
    assert result.category("reproducibility").score == 100.0
    assert not result.inputs.static and result.inputs.runtime
    assert {i.status for i in result.category("code").items} == {Status.NOT_MEASURED}


def test_nothing_measured() -> None:
    result = card()
    assert result.score is None
    assert result.level is Level.NOT_MEASURED
    assert result.weakest is None
    assert result.coverage == 0.0


def test_everything_passing_is_capped_while_documentation_is_unmeasured() -> None:
    result = card(static(), all_passing_run())
    assert result.score == 100.0
    assert result.category("documentation").score is None
    assert result.level is Level.NEARLY_READY


def test_weights_override_can_opt_out_of_a_category() -> None:
    result = card(static(), all_passing_run(), weights={"documentation": 0})
    assert result.coverage == 1.0
    assert result.level is Level.PRODUCTION_READY


def test_weighted_mean_over_measured_categories() -> None:
    # reproducibility: MLR001 fails once (credit 1/2) and MLR101 passes -> 75
    # code: MLR201 and MLR401 pass -> 100; training: MLR701 passes -> 100
    result = card(static(diag(code="MLR001", message="unseeded")))
    assert result.category("reproducibility").score == 75.0
    expected = (25 * 75 + 20 * 100 + 10 * 100) / 55
    assert result.score == pytest.approx(expected)
    assert result.weakest == "reproducibility"


def test_checks_score_by_outcome_and_weigh_three_rules() -> None:
    report = run(check("resume", Outcome.FAIL), check("reproducibility", Outcome.PASS),
                 check("checkpoint", Outcome.SKIPPED), check("eval", Outcome.NOT_APPLICABLE),
                 check("distributed", Outcome.ERROR))
    result = card(static(), report)
    repro = result.category("reproducibility")
    # MLR001, MLR101 pass (weight 1 each); resume fails, reproducibility passes (3 each)
    assert repro.score == pytest.approx(100 * (1 + 1 + 0 + 3) / 8)
    statuses = {i.id: i.status for i in repro.items}
    assert statuses["checkpoint"] is Status.SKIPPED
    assert result.category("performance").score is None  # distributed errored: not measured
    assert result.category("performance").items[0].status is Status.ERROR


def test_error_is_never_zero_and_never_full() -> None:
    result = card(None, run(check("distributed", Outcome.ERROR)))
    assert result.category("performance").score is None


def test_coverage_ratio_metric_gives_partial_credit() -> None:
    metrics = {"missing-type-annotation": {"project": {"annotated": 3, "total": 4,
                                                       "ratio": 0.75}, "files": {}}}
    result = card(static(diag(code="MLR401", message="no annotation"), metrics=metrics))
    item = next(i for i in result.category("code").items if i.id == "MLR401")
    assert item.credit == 0.75
    assert item.status is Status.FAIL
    assert item.detail == "75% covered (3/4); 1 finding"


def test_selected_rules_from_the_check_json_win_over_the_registry() -> None:
    result = card(static(rules=("MLR101",)))
    ids = [i.id for c in result.categories for i in c.items if i.source.value == "rule"]
    assert ids == ["MLR101"]


def test_a_code_with_findings_is_an_item_even_when_not_listed() -> None:
    result = card(static(diag(code="MLR999", message="x"), rules=("MLR101",)))
    assert any(i.id == "MLR999" for i in result.category("code").items)


def test_metrics_logged_item_follows_the_smoke_run() -> None:
    logged = card(None, all_passing_run()).category("logging")
    assert logged.score == 100.0
    silent = card(None, run(check("smoke", Outcome.FAIL, reason="no_metrics")))
    assert silent.category("logging").score == 0.0
    absent = card(None, run(check("resume")))
    assert absent.category("logging").score is None


def test_combine_and_cap_helpers() -> None:
    assert category_score([]) is None
    assert combine([]) == (None, 0.0)
    assert level_of(95.0, 0.99) is Level.NEARLY_READY
    assert level_of(95.0, 1.0) is Level.PRODUCTION_READY
    assert level_of(50.0, 0.5) is Level.PROTOTYPE


def test_weakest_ties_go_to_the_heavier_category() -> None:
    result = card(static(diag(code="MLR001", message="a"), diag(code="MLR201", message="b"),
                         diag(code="MLR101", message="c")))
    # reproducibility 50 (w 25), code 75 (w 10): lowest wins
    assert result.weakest == "reproducibility"
    assert not math.isnan(result.score or 0)


def test_a_rule_with_nothing_to_read_is_not_applicable() -> None:
    from dataclasses import replace as dc_replace

    from mlready.scorecard.scoring import RuleInfo, build

    rules = (RuleInfo("MLR101", "hardcoded-learning-rate", frozenset({"python"})),
             RuleInfo("MLR201", "unpinned-requirement", frozenset({"requirements"})))
    report = dc_replace(static(), file_kinds={"python": 3, "requirements": 0})
    result = build(report, None, rules=rules)
    items = {i.id: i.status for c in result.categories for i in c.items}
    assert items == {"MLR101": Status.PASS, "MLR201": Status.NOT_APPLICABLE,
                     **{i.id: i.status for c in result.categories for i in c.items
                        if i.source.value != "rule"}}
    assert result.category("code").score is None  # nothing to judge, not a free 100
    # without file kinds from the engine, the rule passes as before
    assert build(static(), None, rules=rules).category("code").score == 100.0


def test_file_kinds_read_from_the_check_json() -> None:
    from mlready.scorecard.inputs import static_from_json

    data = {"schema_version": 1, "kind": "check", "diagnostics": [],
            "file_kinds": {"python": 2, "notebook": 1}}
    assert static_from_json(data).file_kinds == {"python": 2, "notebook": 1}
    with pytest.raises(InputError, match=r"`file_kinds.notebook` must be integer"):
        static_from_json(dict(data, file_kinds={"python": 2, "notebook": True}))


def test_weakest_is_none_when_every_measured_category_is_perfect() -> None:
    result = card(static(), all_passing_run())
    assert [c.score for c in result.categories if c.score is not None] == [100.0] * 6
    assert result.weakest is None
    one_dip = card(static(diag(code="MLR201", message="b")), all_passing_run())
    assert one_dip.weakest == "code"


def test_throughput_item_reads_the_smoke_measurements() -> None:
    def item(*checks: CheckResult) -> tuple[Status, str, float | None]:
        found = next(i for i in card(None, run(*checks)).category("performance").items
                     if i.id == cats.THROUGHPUT_MEASURED.id)
        assert found.title == "throughput and peak memory measured"
        return found.status, found.detail, found.credit

    measured = {"steps_per_s": 2.985, "peak_rss_mb": 298.8, "peak_gpu_mb": None}
    assert item(check("smoke", metrics=measured)) == (
        Status.PASS, "2.985 steps/s; peak RSS 298.8 MiB", 1.0)
    assert item(check("smoke", Outcome.FAIL, metrics={**measured, "peak_gpu_mb": 1024.5})) == (
        Status.PASS, "2.985 steps/s; peak RSS 298.8 MiB, peak GPU 1024.5 MiB", 1.0)
    assert item(check("smoke", metrics={"steps_logged": 1, "peak_rss_mb": 300.0})) == (
        Status.FAIL, "steps/s not measured: the smoke run reported metrics at fewer than two "
                     "steps", 0.0)
    assert item(check("smoke", Outcome.FAIL, reason="no_metrics",
                      metrics={"peak_rss_mb": 300.0}))[0] is Status.NOT_MEASURED
    assert item(check("smoke", metrics={"steps_per_s": 3.0, "peak_rss_mb": None}))[:2] == (
        Status.NOT_MEASURED, "the smoke run measured no memory")
    assert item(check("smoke", Outcome.ERROR, metrics=measured))[0] is Status.NOT_MEASURED
    assert item(check("resume")) == (Status.NOT_MEASURED, "no smoke run", None)


def test_smoke_alone_measures_performance() -> None:
    smoke = check("smoke", metrics={"steps_per_s": 6.5, "peak_rss_mb": 512.0},
                  details={"metrics_seen": ["loss"]})
    result = card(None, run(smoke))
    assert result.category("performance").score == 100.0
    assert result.category("logging").score == 100.0
    assert card(None, None).category("performance").score is None


def test_docstring_coverage_is_the_documentation_credit() -> None:
    rules = (*RULES, RuleInfo("MLR601", "missing-readme"),
             RuleInfo("MLR603", "undocumented-entrypoint"))
    metrics = {"undocumented-entrypoint": {"project": {"documented": 3, "total": 5,
                                                       "ratio": 0.6}, "files": {}}}
    result = build(static(metrics=metrics), all_passing_run(), rules=rules)
    docs = result.category("documentation")
    items = {i.id: (i.status, i.credit, i.detail) for i in docs.items}
    assert items == {"MLR601": (Status.PASS, 1.0, "no findings"),
                     # no findings, but 40% of its credit lost: shown as failing
                     "MLR603": (Status.FAIL, 0.6, "60% covered (3/5); no findings")}
    assert docs.score == pytest.approx(80.0)
    assert result.coverage == 1.0  # every category measured: production-ready reachable
    assert result.level is Level.PRODUCTION_READY
    assert result.weakest == "documentation"


def test_every_category_measured_and_perfect_is_production_ready() -> None:
    rules = (*RULES, RuleInfo("MLR603", "undocumented-entrypoint"))
    metrics = {"undocumented-entrypoint": {"project": {"documented": 5, "total": 5,
                                                       "ratio": 1.0}, "files": {}}}
    result = build(static(metrics=metrics), all_passing_run(), rules=rules)
    assert (result.score, result.coverage, result.weakest) == (100.0, 1.0, None)
    assert result.level is Level.PRODUCTION_READY
