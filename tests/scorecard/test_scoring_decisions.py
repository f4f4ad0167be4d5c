"""The scoring decisions a mutation run showed nothing pinned (issue 16).

Each test names the decision it holds: that every rule keeps its item after a
not-applicable one, that fractional weights give a real score, how ties for "weakest"
break, what a zero-weight category does, and that zero steps/s is a failure.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.scorecard import categories as cats
from mlready.scorecard.model import CategoryScore, ItemResult, Source, Status
from mlready.scorecard.scoring import RuleInfo, build, category_score, combine, weakest

from .factories import all_passing_run, card, check, diag, run, static

KINDS = (  # rules in code order; the second reads a kind the project does not have
    RuleInfo("MLR001", "unseeded-entrypoint", frozenset({"python"})),
    RuleInfo("MLR201", "unpinned-requirement", frozenset({"requirements"})),
    RuleInfo("MLR202", "unpinned-torch", frozenset({"requirements"})),
    RuleInfo("MLR401", "missing-type-annotation", frozenset({"python"})),
    RuleInfo("MLR701", "missing-zero-grad", frozenset({"python"})),
)


def test_every_rule_after_a_not_applicable_one_keeps_its_item() -> None:
    report = replace(static(diag(code="MLR701", message="m")), file_kinds={"python": 2})
    items = [i for c in build(report, None, rules=KINDS).categories for i in c.items
             if i.source is Source.RULE]
    assert sorted((i.id, i.status) for i in items) == [
        ("MLR001", Status.PASS), ("MLR201", Status.NOT_APPLICABLE),
        ("MLR202", Status.NOT_APPLICABLE), ("MLR401", Status.PASS), ("MLR701", Status.FAIL)]
    failing = next(i for i in items if i.id == "MLR701")
    assert (failing.credit, failing.detail, failing.findings) == (0.5, "1 finding", 1)


def _cat(key: str, weight: float, score: float | None) -> CategoryScore:
    return CategoryScore(key, key.title(), weight, score)


@pytest.mark.parametrize("scale", [0.001, 0.1, 0.5, 0.75, 1.0, 3.0])
def test_fractional_weights_give_the_same_real_score(scale: float) -> None:
    """Weights are relative: scaling all of them, below 1 too, changes nothing."""
    weights = {c.key: c.weight * scale for c in cats.CATEGORIES}
    scaled = card(static(diag(code="MLR001", message="a")), all_passing_run(), weights=weights)
    plain = card(static(diag(code="MLR001", message="a")), all_passing_run())
    assert scaled.score is not None and plain.score is not None
    assert scaled.score == pytest.approx(plain.score)
    assert scaled.coverage == pytest.approx(plain.coverage)
    assert scaled.weakest == plain.weakest == "reproducibility"


def test_combine_with_a_measured_weight_below_one() -> None:
    score, coverage = combine([_cat("a", 0.25, 40.0), _cat("b", 0.5, 100.0),
                               _cat("c", 0.25, None)])
    assert score == pytest.approx(80.0)  # (0.25 * 40 + 0.5 * 100) / 0.75
    assert coverage == pytest.approx(0.75)


def test_category_score_with_fractional_item_weights() -> None:
    def item(credit: float, weight: float) -> ItemResult:
        return ItemResult("x", "code", Status.PASS, "", Source.RULE, credit, weight)

    assert category_score([item(1.0, 0.25), item(0.0, 0.25)]) == pytest.approx(50.0)
    assert category_score([item(1.0, 0.0)]) is None  # no weight: nothing scored


def test_fractional_weights_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    weights = ", ".join(f"{c.key} = {c.weight / 100:g}" for c in cats.CATEGORIES)
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.mlready.scorecard]\nweights = {{ {weights} }}\n")
    (tmp_path / "check.json").write_text(json.dumps({
        "schema_version": 1, "kind": "check", "rules": ["MLR101", "MLR201"],
        "diagnostics": [diag().to_json()]}))
    assert main(["scorecard", "--check", "check.json", "--format", "json",
                 "--min-score", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    # reproducibility 50 at 0.25, code 100 at 0.1: as with the default 25 and 10
    assert data["score"] == pytest.approx((0.25 * 50 + 0.1 * 100) / 0.35, abs=1e-4)
    assert data["categories"][0]["weight"] == 0.25


def test_weakest_ties_break_on_weight_then_table_order() -> None:
    assert weakest([_cat("a", 1, 50.0), _cat("b", 2, 50.0), _cat("c", 2, 50.0)]) == "b"
    assert weakest([_cat("a", 2, 50.0), _cat("b", 2, 50.0)]) == "a"
    assert weakest([_cat("a", 5, 60.0), _cat("b", 1, 50.0)]) == "b"  # lowest score first
    assert weakest([_cat("a", 1, 50.0), _cat("b", 1, None)]) == "a"
    assert weakest([_cat("a", 1, 100.0), _cat("b", 1, 99.99)]) == "b"
    assert weakest([_cat("a", 1, 100.0), _cat("b", 1, None)]) is None


def test_a_zero_weight_category_is_never_weakest_and_never_counts() -> None:
    assert weakest([_cat("a", 0, 0.0), _cat("b", 1, 90.0)]) == "b"
    assert weakest([_cat("a", 0, 0.0), _cat("b", 1, 100.0)]) is None
    assert combine([_cat("a", 0, 0.0), _cat("b", 1, 90.0)]) == (90.0, 1.0)
    assert combine([_cat("a", 0, 0.0)]) == (None, 0.0)
    assert combine([_cat("a", 0, None), _cat("b", 2, 90.0)]) == (90.0, 1.0)


def test_zero_weight_category_in_a_whole_card() -> None:
    findings = static(diag(code="MLR001", message="a"))
    result = card(findings, all_passing_run(), weights={"reproducibility": 0})
    assert result.category("reproducibility").score is not None  # still shown, scored
    assert result.weakest is None  # every category that counts is perfect
    assert result.score == 100.0


@pytest.mark.parametrize(("speed", "status", "detail"), [
    (0, Status.FAIL, "steps/s is 0: the smoke run made no progress between its first and "
                     "last metrics"),
    (0.0, Status.FAIL, "steps/s is 0: the smoke run made no progress between its first and "
                       "last metrics"),
    (-1.5, Status.FAIL, "steps/s is -1.5: the smoke run made no progress between its first "
                        "and last metrics"),
    ("nan", Status.FAIL, "steps/s not measured: the smoke run reported metrics at fewer than "
                         "two steps"),
    (True, Status.FAIL, "steps/s not measured: the smoke run reported metrics at fewer than "
                        "two steps"),
    (1e-9, Status.PASS, "1e-09 steps/s; peak RSS 10 MiB"),
])
def test_throughput_needs_a_positive_rate(speed: object, status: Status, detail: str) -> None:
    smoke = check("smoke", metrics={"steps_per_s": speed, "peak_rss_mb": 10.0},
                  details={"metrics_seen": ["loss"]})
    item = next(i for i in card(None, run(smoke)).category("performance").items
                if i.id == cats.THROUGHPUT_MEASURED.id)
    assert (item.status, item.detail, item.credit) == (status, detail,
                                                      1.0 if status is Status.PASS else 0.0)


def test_a_training_that_writes_no_checkpoint_is_a_gap_counted_once() -> None:
    """`checkpoint = false` makes checkpoint and resume not applicable, and the card must
    still count what that means: a crash loses the run (once, on the checkpoint item)."""
    from mlready.gpu_runner.results import Outcome
    from mlready.scorecard.scoring import check_item

    gap = "training writes no checkpoint: a crash loses the run"
    ckpt = check_item(check("checkpoint", Outcome.NOT_APPLICABLE, gap, reason="no_checkpoint"))
    resume = check_item(check("resume", Outcome.NOT_APPLICABLE, gap, reason="no_checkpoint"))
    assert (ckpt.status, ckpt.credit, ckpt.detail) == (Status.FAIL, 0.0, gap)
    assert (resume.status, resume.credit) == (Status.NOT_APPLICABLE, None)
    other = check_item(check("eval", Outcome.NOT_APPLICABLE, "no eval", reason="not_configured"))
    assert (other.status, other.credit) == (Status.NOT_APPLICABLE, None)
