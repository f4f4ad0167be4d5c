"""`eval-metrics`: an eval's metrics read from its output; a crashed eval is named as one.

Real subprocesses of the torch-free stand-ins (tests/fixtures/runner/tiny.py and
tiny_eval.py), so each case costs a few Python start-ups.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.results import Outcome

from .helpers import FIXTURES, run

pytestmark = pytest.mark.slow

TINY = FIXTURES / "tiny.py"
TINY_EVAL = FIXTURES / "tiny_eval.py"
REGEX = r"eval-metrics = 'accuracy: (?P<accuracy>\S+) episodes: (?P<episodes>\d+)'"


def project(tmp_path: Path, eval_cmd: str, extra: str = "",
            threshold: str = 'accuracy = ">= 0.7"') -> RunnerConfig:
    lines = ["[tool.mlready.runner]",
             f'train = "{{python}} {TINY} --steps {{steps}} --out {{run_dir}}"',
             f"eval = {eval_cmd}", "steps = 3", "timeout = 30", extra,
             "[tool.mlready.runner.thresholds]", threshold]
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return runner_config.load(root)


def tiny_eval(mode: str) -> str:
    return f'"{{python}} {TINY_EVAL} --output {{metrics_file}} --mode {mode}"'


def test_metrics_from_the_eval_output_meet_thresholds(tmp_path: Path) -> None:
    cfg = project(tmp_path, tiny_eval("print"), REGEX)
    result = run(cfg, "eval")["eval"]
    assert result.outcome is Outcome.PASS, result.summary
    # The last match wins, and an integer stays an integer.
    assert result.metrics["accuracy"] == 0.9 and result.metrics["episodes"] == 12
    assert isinstance(result.metrics["episodes"], int)
    assert result.summary == "accuracy = 0.9, episodes = 12; 1 thresholds met"


def test_output_metrics_fail_their_threshold(tmp_path: Path) -> None:
    cfg = project(tmp_path, tiny_eval("print"), REGEX, threshold='episodes = ">= 20"')
    result = run(cfg, "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "threshold_failed")
    assert result.summary == "episodes = 12, needs >= 20"


def test_a_regex_that_matches_nothing_is_named(tmp_path: Path) -> None:
    cfg = project(tmp_path, tiny_eval("print"), "eval-metrics = 'top1=(?P<top1>\\S+)'")
    result = run(cfg, "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "eval_no_metrics")
    assert result.summary.startswith("no line of the eval's output matched "
                                     "`tool.mlready.runner.eval-metrics` = 'top1=(?P<top1>\\\\S+)'")


@pytest.mark.parametrize("extra", ["", REGEX], ids=["json-file", "eval-metrics"])
def test_a_crash_inside_an_eval_pipeline_is_a_crash(tmp_path: Path, extra: str) -> None:
    # `a | cat` exits with cat's 0: the traceback is the only sign of the crash.
    piped = (f"\"sh -c '{{python}} {TINY_EVAL} --output {{metrics_file}} --mode crash "
             "2>&1 | cat'\"")
    result = run(project(tmp_path, piped, extra), "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "eval_crashed")
    assert result.summary == (
        "eval exited 0 but crashed before reporting metrics (RuntimeError: CUDA error: "
        "device-side assert triggered): a pipeline or wrapper script lost the exit code; "
        "thresholds not evaluated: accuracy >= 0.7")
    assert "empty" not in result.summary and "Traceback" in result.log_tail


def test_a_crashing_eval_names_its_error(tmp_path: Path) -> None:
    result = run(project(tmp_path, tiny_eval("crash")), "eval")["eval"]
    assert (result.outcome, result.reason) == (Outcome.FAIL, "nonzero_exit")
    assert result.summary.endswith("exited with code 1: RuntimeError: CUDA error: "
                                   "device-side assert triggered")


def test_the_json_file_still_works(tmp_path: Path) -> None:
    result = run(project(tmp_path, tiny_eval("good")), "eval")["eval"]
    assert (result.outcome, result.summary) == (Outcome.PASS,
                                                "accuracy = 0.9; 1 thresholds met")
