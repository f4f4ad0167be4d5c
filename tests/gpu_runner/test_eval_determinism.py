"""eval-determinism: the eval twice on one checkpoint, in two fresh processes.

Real subprocesses of the torch-free stand-ins (tests/fixtures/runner/tiny.py and
tiny_eval.py, whose ``unseeded``/``jitter``/``count`` modes draw from an unseeded RNG).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlready.config import ConfigError
from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, by_id

pytestmark = pytest.mark.slow

ID = "eval-determinism"


def project(tmp_path: Path, mode: str | None, extra: str = "") -> RunnerConfig:
    lines = ["[tool.mlready.runner]",
             f'train = "{{python}} {FIXTURES / "tiny.py"} --steps {{steps}} --out {{run_dir}}"',
             "steps = 3", "timeout = 30", extra]
    if mode is not None:
        lines.append(f'eval = "{{python}} {FIXTURES / "tiny_eval.py"} --output '
                     f'{{metrics_file}} --mode {mode}"')
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return runner_config.load(root)


def test_a_seeded_eval_agrees_with_itself(tmp_path: Path) -> None:
    report = execute(project(tmp_path, "good"), ("eval", ID), progress=False)
    result = by_id(report)[ID]
    assert (result.outcome, result.summary) == (
        Outcome.PASS, "two evals of one checkpoint agree: 1 metrics identical")
    assert [r.id for r in report.runs] == ["ref", "eval", "eval_repeat"]


def test_an_unseeded_eval_fails_naming_the_metric_and_both_values(tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "unseeded"), (ID,), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "eval_nondeterministic")
    match = re.fullmatch(r"two evals of one checkpoint disagree: episode_return = (\S+) then "
                         r"(\S+) \(beyond eval-tolerance 1e-06\)(; 1 more metrics differ)?: "
                         r"an unseeded evaluation environment, sampling or data order, or a "
                         r"model left in training mode\?", result.summary)
    assert match is not None, result.summary
    assert match.group(1) != match.group(2)
    assert "eval_time_s" in result.details["not_compared"]  # timing differs by nature


def test_float_noise_within_the_tolerance_passes_and_a_zero_tolerance_fails(
        tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "jitter"), (ID,), progress=False))[ID]
    assert result.outcome is Outcome.PASS, result.summary
    assert result.summary.startswith("two evals of one checkpoint agree: 2 metrics equal "
                                     "within eval-tolerance 1e-06")
    strict = project(tmp_path, "jitter", "eval-tolerance = 0")
    result = by_id(execute(strict, (ID,), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "eval_nondeterministic")
    assert "disagree: accuracy = 0." in result.summary
    assert "beyond eval-tolerance 0)" in result.summary


def test_integers_compare_exactly_whatever_the_tolerance(tmp_path: Path) -> None:
    cfg = project(tmp_path, "count", "eval-tolerance = 0.5")
    result = by_id(execute(cfg, (ID,), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "eval_nondeterministic")
    assert result.summary.startswith("two evals of one checkpoint disagree: solved = ")
    assert "(integers must be equal)" in result.summary


def test_metrics_read_from_the_output_are_compared_too(tmp_path: Path) -> None:
    regex = r"eval-metrics = 'accuracy: (?P<accuracy>\S+) episodes: (?P<episodes>\d+)'"
    result = by_id(execute(project(tmp_path, "print", regex), (ID,), progress=False))[ID]
    assert (result.outcome, result.summary) == (
        Outcome.PASS, "two evals of one checkpoint agree: 2 metrics identical")


def test_not_applicable_without_an_eval_command_and_nothing_started(tmp_path: Path) -> None:
    report = execute(project(tmp_path, None), (ID,), progress=False)
    result = by_id(report)[ID]
    assert (result.outcome, result.reason) == (Outcome.NOT_APPLICABLE, "not_configured")
    assert report.runs == ()


def test_a_failing_first_eval_skips_and_points_there(tmp_path: Path) -> None:
    result = by_id(execute(project(tmp_path, "crash"), ("eval", ID), progress=False))[ID]
    assert (result.outcome, result.reason) == (Outcome.SKIPPED, "prerequisite_failed")
    assert result.summary.startswith("needs an eval that reports metrics; the first eval "
                                     "failed (nonzero_exit: ")


@pytest.mark.parametrize(("value", "expected"), [
    ("-1e-3", "`tool.mlready.runner.eval-tolerance` must be >= 0, got -0.001"),
    ('"tight"', "`tool.mlready.runner.eval-tolerance` must be a number"),
])
def test_the_tolerance_is_validated_with_the_config(tmp_path: Path, value: str,
                                                    expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)):
        project(tmp_path, "good", f"eval-tolerance = {value}")


def test_the_tolerance_defaults_and_is_recorded(tmp_path: Path) -> None:
    assert project(tmp_path, "good").option("eval-tolerance") == 1e-6
    cfg = project(tmp_path, "good", "eval-tolerance = 1e-3")
    assert cfg.option("eval-tolerance") == 1e-3
    assert cfg.to_json()["eval-tolerance"] == 1e-3
