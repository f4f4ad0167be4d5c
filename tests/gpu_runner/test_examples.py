"""The bundled example passes everything; each broken variant fails exactly where its
README says, with the right cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as rc
from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.gpu_runner.runner import execute

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def results(name: str, *only: str) -> dict[str, CheckResult]:
    project = EXAMPLES / name
    if not (project / "pyproject.toml").is_file():
        pytest.skip(f"examples/{name} not present")
    cfg = rc.load(project).with_overrides(device="cpu")
    report = execute(cfg, only or None, progress=False)
    return {c.check: c for c in report.checks}


def test_nan_loss_fails_smoke_at_step_4() -> None:
    smoke = results("broken/nan_loss", "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "nonfinite_metric")
    assert smoke.summary.startswith("non-finite loss at step 4 (inf)")


def test_eval_no_metrics_fails_eval_and_leaves_thresholds_unevaluated() -> None:
    found = results("broken/eval_no_metrics", "smoke", "eval")
    assert found["smoke"].outcome is Outcome.PASS
    assert (found["eval"].outcome, found["eval"].reason) == (Outcome.FAIL, "eval_no_metrics")
    assert found["eval"].summary == (
        "eval exited 0 but its {metrics_file} is empty (no JSON object of numeric metrics); "
        "thresholds not evaluated: val_loss < 1.5, accuracy >= 0.5")


def test_resume_drops_optimizer_is_named() -> None:
    resume = results("broken/resume_drops_optimizer", "resume")["resume"]
    assert (resume.outcome, resume.reason) == (Outcome.FAIL, "missing_optimizer_state")
    assert resume.metrics["first_divergence_step"] == 21
    assert resume.summary.startswith("resumed run diverges at step 21 (|diff ")
    assert "checkpoint has no optimizer state" in resume.summary


def test_resume_drops_rng_names_rng_and_data_position() -> None:
    resume = results("broken/resume_drops_rng", "resume")["resume"]
    assert (resume.outcome, resume.reason) == (Outcome.FAIL, "missing_rng_state")
    assert resume.metrics["first_divergence_step"] == 21
    assert "checkpoint has no RNG state" in resume.summary
    assert "also checkpoint holds no data position" in resume.summary


def test_unseeded_fails_reproducibility_from_step_1() -> None:
    repro = results("broken/unseeded", "reproducibility")["reproducibility"]
    assert (repro.outcome, repro.reason) == (Outcome.FAIL, "not_reproducible")
    assert repro.summary.startswith("two runs with seed 0 differ at step 1 ")
