"""The level caps (proofs.py) called directly on synthetic runs, pinning each decision.

The tests in test_proofs.py go through `scoring.build`; these check the pure functions'
exact results (the cap's uncapped level, its reason word for word, the checks it names
and in what order), which a build-level assertion can miss.
"""

from __future__ import annotations

from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.scorecard import proofs
from mlready.scorecard.levels import Level
from mlready.scorecard.model import Cap, CategoryScore

EXPECTED = ("smoke", "resume", "tests")


def result(name: str, outcome: Outcome = Outcome.PASS, reason: str | None = None) -> CheckResult:
    return CheckResult(check=name, outcome=outcome, summary="x", reason=reason)


def run(*checks: CheckResult) -> RunReport:
    return RunReport(checks=checks, environment={"device": "cpu"})


def measured(*names: str) -> list[CategoryScore]:
    return [CategoryScore(n, n.title(), 1.0, 100.0) for n in names]


def test_gaps_are_exactly_the_two_missing_proofs() -> None:
    assert proofs.is_gap(result("checkpoint", Outcome.NOT_APPLICABLE, "no_checkpoint"))
    assert proofs.is_gap(result("tests", Outcome.NOT_APPLICABLE, "not_configured"))
    assert not proofs.is_gap(result("eval", Outcome.NOT_APPLICABLE, "not_configured"))
    assert not proofs.is_gap(result("tests", Outcome.NOT_APPLICABLE))


def test_failed_lists_every_failure_in_run_order() -> None:
    report = run(result("resume", Outcome.FAIL), result("smoke"),
                 result("eval", Outcome.FAIL), result("tests", Outcome.ERROR))
    assert proofs.failed(report) == ["resume", "eval"]
    assert proofs.failed(None) == []


def test_unproven_names_each_reason_and_what_did_not_run() -> None:
    report = run(result("checkpoint", Outcome.NOT_APPLICABLE, "no_checkpoint"),
                 result("tests", Outcome.NOT_APPLICABLE, "not_configured"),
                 result("distributed", Outcome.SKIPPED, "no_gpu"),
                 result("resume", Outcome.ERROR),
                 result("eval", Outcome.NOT_APPLICABLE, "not_configured"),
                 result("smoke"), result("reproducibility", Outcome.FAIL))
    assert proofs.unproven(report, ("smoke", "seed-spread", "memory-growth")) == [
        ("checkpoint", "no checkpoint"), ("tests", "not configured"),
        ("distributed", "skipped"), ("resume", "error"),
        ("seed-spread", "not run"), ("memory-growth", "not run")]
    assert proofs.unproven(None, EXPECTED) == [(c, "not run") for c in EXPECTED]
    assert proofs.unproven(run(), ()) == []


def test_a_failure_caps_both_high_levels_with_every_failed_check() -> None:
    report = run(result("smoke"), result("resume", Outcome.FAIL),
                 result("tests", Outcome.FAIL))
    why = "a runtime proof failed: resume, tests"
    for score, level in ((95.0, Level.PRODUCTION_READY), (90.0, Level.PRODUCTION_READY),
                         (80.0, Level.NEARLY_READY), (75.0, Level.NEARLY_READY)):
        assert proofs.capped(score, 1.0, measured("a"), report, EXPECTED) == (
            Level.SOLID_RESEARCH, Cap(level, why, ("resume", "tests")))


def test_a_failure_leaves_the_lower_levels_alone() -> None:
    report = run(result("resume", Outcome.FAIL))
    assert proofs.capped(74.9, 1.0, [], report, EXPECTED) == (Level.SOLID_RESEARCH, None)
    assert proofs.capped(10.0, 0.5, [], report, EXPECTED) == (Level.PROTOTYPE, None)
    assert proofs.capped(None, 0.0, [], report, EXPECTED) == (Level.NOT_MEASURED, None)


def test_nearly_ready_is_not_held_back_by_an_unproven_check() -> None:
    assert proofs.capped(80.0, 0.5, [], None, EXPECTED) == (Level.NEARLY_READY, None)


def test_a_static_only_card_names_every_expected_check() -> None:
    assert proofs.capped(100.0, 1.0, measured("a"), None, EXPECTED) == (
        Level.NEARLY_READY,
        Cap(Level.PRODUCTION_READY, "production-ready needs every runtime proof to pass, "
            "and none ran (no `mlready run` results)", EXPECTED))


def test_a_static_only_card_with_nothing_expected_falls_to_coverage() -> None:
    assert proofs.capped(100.0, 1.0, measured("a"), None, ()) == (Level.PRODUCTION_READY,
                                                                   None)


def test_unproven_checks_are_grouped_by_why_in_first_seen_order() -> None:
    report = run(result("distributed", Outcome.SKIPPED), result("smoke"),
                 result("resume", Outcome.ERROR), result("eval", Outcome.SKIPPED))
    level, cap = proofs.capped(92.0, 1.0, measured("a"), report, ("smoke", "tests"))
    assert level is Level.NEARLY_READY
    assert cap == Cap(Level.PRODUCTION_READY,
                      "production-ready needs every runtime proof to pass (skipped: "
                      "distributed, eval; error: resume; not run: tests)",
                      ("distributed", "resume", "eval", "tests"))


def test_every_proof_but_a_category_unmeasured_names_the_categories() -> None:
    report = run(result("smoke"), result("resume"), result("tests"))
    categories = [CategoryScore("code", "Code quality", 1.0, 100.0),
                  CategoryScore("perf", "Performance", 1.0, None),
                  CategoryScore("docs", "Documentation", 1.0, None)]
    assert proofs.capped(99.0, 0.99, categories, report, EXPECTED) == (
        Level.NEARLY_READY,
        Cap(Level.PRODUCTION_READY, "production-ready needs every category measured; not "
            "measured: Performance, Documentation"))
    assert proofs.capped(99.0, 1.0, categories, report, EXPECTED) == (
        Level.PRODUCTION_READY, None)
