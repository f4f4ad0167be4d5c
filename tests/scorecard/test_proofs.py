"""The level's caps (proofs.py) and the one-line explanation of each category's score."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlready.gpu_runner.results import Outcome, RunReport
from mlready.scorecard import explain
from mlready.scorecard.levels import Level
from mlready.scorecard.model import Scorecard, Status
from mlready.scorecard.render.markdown import render_comment
from mlready.scorecard.scoring import RuleInfo, build

from .factories import RULES, all_passing_run, check, diag, static

DOC_RULES = (*RULES, RuleInfo("MLR603", "undocumented-entrypoint"))
FULL_DOCS = {"undocumented-entrypoint": {"project": {"documented": 5, "total": 5,
                                                     "ratio": 1.0}, "files": {}}}


def with_check(name: str, outcome: Outcome, summary: str = "x",
               reason: str | None = None) -> RunReport:
    """The all-passing run with one check's result replaced."""
    base = all_passing_run()
    checks = tuple(check(name, outcome, summary, reason=reason) if c.check == name else c
                   for c in base.checks)
    return replace(base, checks=checks)


def perfect(run: RunReport, *diagnostics: object) -> Scorecard:
    return build(static(*diagnostics, metrics=FULL_DOCS), run,  # type: ignore[arg-type]
                 rules=DOC_RULES)


def test_every_proof_passing_and_every_category_measured_is_production_ready() -> None:
    card = perfect(all_passing_run())
    assert (card.score, card.level, card.cap) == (100.0, Level.PRODUCTION_READY, None)


@pytest.mark.parametrize("failed", ["reproducibility", "resume", "eval", "eval-determinism"])
def test_a_failed_proof_caps_below_nearly_ready_and_names_it(failed: str) -> None:
    card = perfect(with_check(failed, Outcome.FAIL, "runs differ"))
    assert card.score is not None and card.score >= 90  # one item lost: the mean stays high
    assert card.level is Level.SOLID_RESEARCH
    assert card.cap is not None
    assert (card.cap.uncapped, card.cap.checks) == (Level.PRODUCTION_READY, (failed,))
    assert card.cap.reason == f"a runtime proof failed: {failed}"
    header = render_comment(card).splitlines()
    assert header[0].endswith("\u00b7 Solid research code")
    assert f"**Capped at Solid research code** (the score alone is Production-ready): a " \
           f"runtime proof failed: {failed}." in header


def test_a_failed_proof_caps_a_nearly_ready_score_too() -> None:
    findings = [diag(line=n, code=code) for n, code in enumerate(
        ["MLR001", "MLR101", "MLR201", "MLR701"] * 3, 1)]
    card = perfect(with_check("resume", Outcome.FAIL), *findings)
    assert card.score is not None and 75 <= card.score < 90
    assert (card.level, card.cap and card.cap.uncapped) == (Level.SOLID_RESEARCH,
                                                            Level.NEARLY_READY)


@pytest.mark.parametrize(("name", "outcome", "reason", "why"), [
    ("distributed", Outcome.SKIPPED, "no_gpu", "skipped"),
    ("resume", Outcome.ERROR, "command_not_found", "error"),
    ("tests", Outcome.NOT_APPLICABLE, "not_configured", "not configured"),
    ("checkpoint", Outcome.NOT_APPLICABLE, "no_checkpoint", "no checkpoint"),
    # It ran and could not measure: a missing proof, never a pass.
    ("memory-growth", Outcome.NOT_MEASURED, "run_too_short", "not measured"),
    ("memory-growth", Outcome.NOT_MEASURED, "not_sampled", "not measured"),
    ("resume", Outcome.NOT_MEASURED, "unnumbered_metrics", "not measured"),
    ("eval-determinism", Outcome.NOT_MEASURED, "only_timing_metrics", "not measured"),
])
def test_an_unproven_check_holds_production_ready_back(name: str, outcome: Outcome,
                                                       reason: str, why: str) -> None:
    card = perfect(with_check(name, outcome, reason=reason))
    assert card.level is Level.NEARLY_READY
    assert card.cap is not None and card.cap.checks == (name,)
    assert card.cap.reason == f"production-ready needs every runtime proof to pass ({why}: " \
                              f"{name})"


def test_not_applicable_for_a_stated_reason_is_no_missing_proof() -> None:
    card = perfect(with_check("eval", Outcome.NOT_APPLICABLE, "no eval command configured",
                              reason="not_configured"))
    assert (card.level, card.cap) == (Level.PRODUCTION_READY, None)


def test_a_check_absent_from_the_run_is_not_run_and_not_a_pass() -> None:
    run = all_passing_run()
    card = perfect(replace(run, checks=tuple(c for c in run.checks if c.check != "tests")))
    testing = card.category("testing")
    assert [(i.id, i.status) for i in testing.items if i.id == "tests"] == [
        ("tests", Status.NOT_MEASURED)]
    assert card.level is Level.NEARLY_READY
    assert card.cap is not None and "not run: tests" in card.cap.reason


def test_no_tests_command_costs_testing_and_the_smoke_run_does_not_earn_it() -> None:
    card = perfect(with_check("tests", Outcome.NOT_APPLICABLE, "no test command configured",
                              reason="not_configured"))
    testing = card.category("testing")
    # The factories' rules hold no MLR614/615, so the tests check is the only item; the
    # smoke run passed, and feeds Model & training quality instead.
    assert {i.id: i.status for i in testing.items} == {"tests": Status.FAIL}
    assert testing.score == 0.0
    assert explain.line(testing).startswith("0/1 scored items pass; \u2212100.0 `tests` (")
    assert "smoke" in {i.id for i in card.category("training").items}


def test_the_explanation_adds_up_to_the_score() -> None:
    findings = [diag(line=n, code=c) for n, c in enumerate(["MLR001", "MLR101", "MLR101"], 1)]
    card = perfect(with_check("resume", Outcome.FAIL, "resumed run diverged at step 21"),
                   *findings)
    category = card.category("reproducibility")
    lost = explain.losses(category)
    assert category.score == pytest.approx(100 - sum(points for _, points in lost))
    assert explain.line(category) == (
        # weights 3 (4 checks) and 1 (2 rules) over 14: resume 300/14, MLR101 1/(1+log2 3)
        "3/6 scored items pass; \u221221.4 `resume` (resumed run diverged at step 21), "
        "\u22124.4 `MLR101` hardcoded-learning-rate (2 findings), \u22123.6 `MLR001` "
        "unseeded-entrypoint (1 finding)")


def test_every_passing_item_has_full_credit() -> None:
    metrics = {**FULL_DOCS, "missing-type-annotation": {"project": {
        "annotated": 1, "total": 4, "ratio": 0.25}}}
    card = build(static(metrics=metrics), all_passing_run(), rules=DOC_RULES)
    items = [i for c in card.categories for i in c.items if i.status.scored]
    assert all(i.credit == 1.0 for i in items if i.status is Status.PASS)
    code = card.category("code")
    assert [(i.id, i.status, i.credit) for i in code.items if i.id == "MLR401"] == [
        ("MLR401", Status.FAIL, 0.25)]
    assert explain.line(code).endswith(
        "\u221237.5 `MLR401` missing-type-annotation (25% covered (1/4))")


def test_no_tests_and_no_ci_keep_no_credit_in_testing() -> None:
    rules = (RuleInfo("MLR614", "no-tests"), RuleInfo("MLR615", "no-ci"),
             RuleInfo("MLR101", "hardcoded-learning-rate"))
    findings = (diag(".", 1, "MLR614", "the project has no tests"),
                diag(".", 1, "MLR615", "the project has no continuous integration"),
                diag("train.py", 3, "MLR101"))
    card = build(static(*findings), None, rules=rules)
    assert card.category("testing").score == 0.0  # was 50: half credit for an absence
    # a countable rule keeps its diminishing credit
    assert [(i.id, i.credit) for i in card.category("reproducibility").items
            if i.id.startswith("MLR")] == [("MLR101", 0.5)]


def test_a_long_detail_is_cut_outside_its_code_spans() -> None:
    detail = ("training writes no checkpoint: a crash loses the run "
              "(`tool.mlready.runner.checkpoint = false`)")
    card = perfect(with_check("checkpoint", Outcome.NOT_APPLICABLE, detail,
                              reason="no_checkpoint"))
    text = explain.line(card.category("reproducibility"))
    assert "(training writes no checkpoint: a crash loses the run (\u2026)" in text
    assert text.count("`") % 2 == 0


def test_the_tests_row_shows_pytest_counts_and_hides_zeros() -> None:
    run = replace(all_passing_run(), checks=(
        check("tests", Outcome.FAIL, "pytest: 3 passed, 1 failed", reason="tests_failed",
              metrics={"exit_code": 1, "passed": 3, "failed": 1, "errors": 0, "skipped": 0,
                       "wall_s": 2.0}),))
    text = render_comment(build(None, run, rules=DOC_RULES))
    assert "| `tests` | \u274c fail | 0.0 s | passed 3 \u00b7 failed 1 \u00b7 exit code 1 | " \
           "pytest: 3 passed, 1 failed |" in text


def test_a_static_only_card_says_no_proof_ran() -> None:
    card = build(static(metrics=FULL_DOCS), None, rules=DOC_RULES,
                 weights={"performance": 0})  # every weighted category measured statically
    assert card.score == 100.0
    assert card.level is Level.NEARLY_READY
    assert card.cap is not None and card.cap.reason == (
        "production-ready needs every runtime proof to pass, and none ran (no `mlready run` "
        "results)")


def test_a_check_that_could_not_measure_is_shown_as_not_measured() -> None:
    card = perfect(with_check("memory-growth", Outcome.NOT_MEASURED, "the run was too short",
                              reason="run_too_short"))
    item = next(i for c in card.categories for i in c.items if i.id == "memory-growth")
    assert (item.status, item.credit) == (Status.NOT_MEASURED, None)
    assert "| `memory-growth` | \u26aa not measured |" in render_comment(card)


def test_no_check_declares_a_could_not_measure_reason_as_not_applicable() -> None:
    """``not_applicable`` is for a stated reason (off, not configured, one process); a
    reason that says the check could not measure must be ``not_measured``."""
    from mlready.gpu_runner.checks import REGISTRY

    wrong = [(c.id, code) for c in REGISTRY for code, reason in c.reasons.items()
             if reason.outcome is Outcome.NOT_APPLICABLE
             and "not measured" in reason.meaning.lower()]
    assert wrong == []
    measured = {(c.id, code) for c in REGISTRY for code, reason in c.reasons.items()
                if reason.outcome is Outcome.NOT_MEASURED}
    assert measured == {("memory-growth", "run_too_short"), ("memory-growth", "not_sampled"),
                        ("memory-growth", "burn_in_too_short"),
                        ("resume", "unnumbered_metrics"),
                        ("eval-determinism", "only_timing_metrics")}
