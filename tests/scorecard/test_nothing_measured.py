"""A run whose training never started here (every check skipped, not applicable or
errored) measured nothing: its categories are not measured, the level is capped at
"solid research code", and the headline says so (proofs.measured_nothing)."""

from __future__ import annotations

import pytest

from mlready.gpu_runner.results import Outcome, RunReport
from mlready.scorecard import explain
from mlready.scorecard.levels import Level
from mlready.scorecard.render.markdown import render_comment

from .factories import all_passing_run, card, check, run, static

ENV = "train run `python train.py` cannot run in this environment (a module is missing)"


def nothing_ran() -> RunReport:
    """The shape of a real run of a training script importing a module not installed."""
    skipped = [check(name, Outcome.SKIPPED, ENV, reason="environment")
               for name in ("smoke", "checkpoint", "reproducibility", "memory-growth",
                            "tests")]  # its test suite imports the missing module too
    na = [check(name, Outcome.NOT_APPLICABLE, "no command", reason="not_configured")
          for name in ("eval", "eval-determinism", "seed-spread", "resume")]
    return run(*skipped, *na, check("distributed", Outcome.NOT_APPLICABLE, "one process",
                                    reason="single_process"))


def test_a_run_that_measured_nothing_is_not_nearly_ready() -> None:
    scored = card(static(), nothing_ran())
    assert card(static(), None).level is Level.NEARLY_READY  # else this could not fail
    assert scored.level is Level.SOLID_RESEARCH
    assert scored.cap is not None and scored.cap.uncapped is Level.PRODUCTION_READY
    assert scored.cap is not None and "measured nothing" in scored.cap.reason
    assert "skipped: smoke, checkpoint" in scored.cap.reason


def test_its_runtime_categories_are_not_measured_and_coverage_counts_only_the_rest() -> None:
    scored = card(static(), nothing_ran())
    training = scored.category("training")
    assert training.score is None  # it read 100 on its one static item
    assert any(i.status.scored for i in training.items)
    assert "measured nothing" in explain.line(training)
    assert "`smoke` skipped" in explain.line(training)
    assert scored.category("code").score == 100.0
    measured = {c.key for c in scored.categories if c.score is not None}
    assert scored.coverage == pytest.approx(
        sum(c.weight for c in scored.categories if c.key in measured) / 100)
    assert scored.coverage < 0.85


def test_the_headline_says_the_runtime_half_measured_nothing() -> None:
    headline = render_comment(card(static(), nothing_ran())).splitlines()[0]
    assert headline.endswith("\u00b7 runtime checks measured nothing")
    assert "measured nothing" not in render_comment(card(static(), None)).splitlines()[0]
    assert "measured nothing" not in render_comment(
        card(static(), all_passing_run())).splitlines()[0]


def test_one_verdict_is_evidence_and_an_absent_check_was_never_tried() -> None:
    """A smoke run that passed while the rest was skipped measured something; a check
    absent from the results (``--only``) leaves its category as it was."""
    one = nothing_ran()
    passed = run(check("smoke", summary="3 steps", metrics={"steps_per_s": 2.0,
                                                            "peak_rss_mb": 100.0},
                       series={"loss": [[1, 2.0], [2, 1.0]]}),
                 *(c for c in one.checks if c.check != "smoke"))
    scored = card(static(), passed)
    assert scored.level is not Level.SOLID_RESEARCH or scored.cap is None
    assert "measured nothing" not in render_comment(scored).splitlines()[0]
    assert scored.category("training").score is not None
    only_tests = card(static(), run(check("tests", summary="pytest: 1 passed")))
    assert only_tests.category("training").score == 100.0  # smoke never tried


NO_TRAIN = "no train command configured; run `mlready init`"


def test_runtime_asked_for_but_never_run_is_capped_and_names_the_fix() -> None:
    """`mlready ci` full mode on a project with no train command: no run results at all.
    A static-only card of the same findings reads "nearly ready"; this one must not."""
    scored = card(static(), None, runtime_missing=NO_TRAIN)
    assert card(static(), None).level is Level.NEARLY_READY  # else this could not fail
    assert scored.level is Level.SOLID_RESEARCH
    assert scored.cap is not None and scored.cap.uncapped is Level.PRODUCTION_READY
    # As a run that measured nothing: no category scores its runtime proofs from its
    # static items alone (tianshou read "Model & training quality 100" this way).
    static_only = card(static(), None)
    assert static_only.category("training").score is not None  # else this could not fail
    for key in ("training", "testing", "performance"):
        assert scored.category(key).score is None, key
    assert scored.category("code").score == static_only.category("code").score
    assert scored.coverage < static_only.coverage
    lines = render_comment(scored).splitlines()
    assert lines[0] == ("## \U0001f7e1 mlready scorecard: 100.0 / 100 \u00b7 Solid research code"
                        " \u00b7 runtime checks measured nothing: no train command configured;"
                        " run `mlready init`")
    assert ("**Capped at Solid research code** (the score alone is Production-ready): the "
            "runtime checks measured nothing: no train command configured; run "
            "`mlready init`.") in lines


def test_an_explicit_static_card_says_so_and_is_not_capped_for_it() -> None:
    scored = card(static(), None, static_only=True)
    assert scored.level is Level.NEARLY_READY
    lines = render_comment(scored).splitlines()
    assert lines[0] == ("## \U0001f7e2 mlready scorecard: 100.0 / 100 \u00b7 Nearly ready"
                        " \u00b7 static checks only")
    assert not any(line.startswith("**Capped at Solid") for line in lines)
    assert "static checks only" not in render_comment(card(static(), None)).splitlines()[0]


def test_a_run_that_did_happen_outweighs_the_flags() -> None:
    """Results on the card: the flags describe a run that is not there, so they go."""
    scored = card(static(), all_passing_run(), runtime_missing=NO_TRAIN, static_only=True)
    assert scored.inputs.runtime_missing is None and not scored.inputs.static_only
    headline = render_comment(scored).splitlines()[0]
    assert "measured nothing" not in headline and "static checks only" not in headline


def test_the_reason_reaches_the_headline_escaped() -> None:
    """`--runtime-missing` is a command-line value: markdown in it must stay text."""
    why = "see <img src=x onerror=alert(1)> [here](https://evil.example) `x`"
    headline = render_comment(card(static(), None, runtime_missing=why)).splitlines()[0]
    assert "<img" not in headline and "](https://evil.example)" not in headline
    assert headline.endswith("`x`")
