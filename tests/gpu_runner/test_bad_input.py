"""Hostile or broken output from the user's commands: each is a named, one-line outcome.

These use the torch-free stand-ins (tests/fixtures/runner/tiny.py, tiny_eval.py), so
each case costs a few Python start-ups, not a training run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.results import CheckResult, Outcome

from .helpers import FIXTURES, run

pytestmark = pytest.mark.slow

TINY = FIXTURES / "tiny.py"
TINY_EVAL = FIXTURES / "tiny_eval.py"
REGEX = "metrics = 'step (?P<step>\\d+) loss (?P<loss>\\S+)'"


def tiny(tmp_path: Path, mode: str = "good", *, eval_mode: str | None = None,
         extra: str = "", timeout: float = 30, train: str | None = None,
         threshold: str = ">= 0.7") -> RunnerConfig:
    train = train or f'"{{python}} {TINY} --steps {{steps}} --out {{run_dir}} --mode {mode}"'
    lines = ["[tool.mlready.runner]", f"train = {train}", "steps = 3",
             f"timeout = {timeout}", extra]
    if eval_mode is not None:
        lines += [f'eval = "{{python}} {TINY_EVAL} --output {{metrics_file}} --mode {eval_mode}"',
                  "[tool.mlready.runner.thresholds]", f'accuracy = "{threshold}"']
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return runner_config.load(project)


def _one_line(result: CheckResult) -> None:
    assert result.summary and "\n" not in result.summary
    assert "internal error" not in result.summary and "Traceback" not in result.summary


@pytest.mark.parametrize(("mode", "threshold"), [("nan", "!= 0"), ("inf", ">= 0.7")])
def test_nonfinite_eval_metric_fails_its_threshold(tmp_path: Path, mode: str,
                                                   threshold: str) -> None:
    # In Python both comparisons hold (nan != 0, inf >= 0.7); neither proves anything.
    result = run(tiny(tmp_path, eval_mode=mode, threshold=threshold), "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "threshold_failed")
    assert result.summary == f"accuracy = {mode} is not a finite number, needs {threshold}"


@pytest.mark.parametrize(("mode", "reason", "text"), [
    ("bigint", "eval_number_too_large", "eval-metrics.json): integer too large (over 4,300 "
                                        "digits)"),
    ("overflow", "eval_number_too_large", "`count` is an integer too large for a float "
                                          "(400 digits)"),
    ("deep", "eval_too_deep", "eval-metrics.json): JSON nested too deep to read"),
])
def test_unreadable_eval_metrics_are_named_failures(tmp_path: Path, mode: str, reason: str,
                                                    text: str) -> None:
    result = run(tiny(tmp_path, eval_mode=mode), "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, reason)
    assert text in result.summary
    _one_line(result)


def test_five_megabytes_on_one_line_show_its_tail(tmp_path: Path) -> None:
    smoke = run(tiny(tmp_path, "long-line"), "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.FAIL, "nonzero_exit")
    assert smoke.summary.endswith("exited with code 3: ..." + "y" * 237)
    assert smoke.log_tail.startswith("...yyy") and len(smoke.log_tail) > 5000


@pytest.mark.timeout(60)  # before the fix this hung for as long as the regex ran
def test_catastrophic_metrics_regex_stops_within_the_timeout(tmp_path: Path) -> None:
    train = '"{python} -c \\"print(\'a\' * 40 + \'b\')\\" {run_dir}"'
    cfg = tiny(tmp_path, train=train, timeout=2, extra="metrics = '(?P<loss>(a+)+)$'")
    began = time.monotonic()
    smoke = run(cfg, "smoke")["smoke"]
    assert time.monotonic() - began < 2 + 3  # the command's timeout, plus start-up slack
    assert (smoke.outcome, smoke.reason) == (Outcome.ERROR, "metrics_regex_too_slow")
    assert smoke.summary.startswith("`tool.mlready.runner.metrics` took over ")
    assert "catastrophic backtracking?" in smoke.summary


def test_deleted_run_directory_is_named(tmp_path: Path) -> None:
    results = run(tiny(tmp_path, "rm-work-dir", extra=REGEX), "smoke", "checkpoint")
    for result in results.values():
        assert (result.outcome, result.reason) in {(Outcome.ERROR, "run_dir_vanished"),
                                                   (Outcome.SKIPPED, "prerequisite_failed")}
    smoke = results["smoke"]
    assert smoke.reason == "run_dir_vanished"
    assert "vanished during the train run `python" in smoke.summary
    assert "no output line matched" not in smoke.summary
    assert "step 3 loss" in smoke.log_tail  # read from the log it wrote, though deleted


def test_output_flood_that_fills_the_disk_is_disk_full(
        tmp_path: Path, small_disk: Callable[[str], Path]) -> None:
    small_disk("1m")
    smoke = run(tiny(tmp_path, "flood"), "smoke")["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.ERROR, "disk_full"), smoke.summary
    assert "ran out of disk space in its run directory (0 KiB left)" in smoke.summary


def test_regex_mode_still_matches_after_a_long_line(tmp_path: Path) -> None:
    train = ('"{python} -c \\"import sys; sys.stdout.write(\'z\' * 3_000_000 + \'\\\\n\'); '
             'print(\'step 1 loss 0.5\'); print(\'step 2 loss 0.25\')\\" {run_dir}"')
    smoke = run(tiny(tmp_path, train=train, extra=REGEX), "smoke")["smoke"]
    assert smoke.outcome is Outcome.PASS, smoke.summary
    assert smoke.metrics["steps_logged"] == 2
