"""The eval and eval-determinism checks share one precondition (`_common.eval_unavailable`):
no eval configured, or a failed smoke run, reads the same in both and starts no eval."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, by_id

pytestmark = pytest.mark.slow

TINY = FIXTURES / "tiny.py"
TINY_EVAL = FIXTURES / "tiny_eval.py"


def _project(tmp_path: Path, *, mode: str, with_eval: bool) -> runner_config.RunnerConfig:
    lines = ["[tool.mlready.runner]",
             f'train = "{{python}} {TINY} --steps {{steps}} --out {{run_dir}} --mode {mode}"',
             "steps = 3", "timeout = 30"]
    if with_eval:
        lines.append(f'eval = "{{python}} {TINY_EVAL} --output {{metrics_file}} --mode good"')
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return runner_config.load(tmp_path)


def test_no_eval_configured_reads_the_same_in_both(tmp_path: Path) -> None:
    report = execute(_project(tmp_path, mode="good", with_eval=False),
                     ("eval", "eval-determinism"), progress=False)
    results = by_id(report)
    for check in ("eval", "eval-determinism"):
        assert results[check].outcome is Outcome.NOT_APPLICABLE
        assert results[check].reason == "not_configured"
        assert results[check].summary == ("no eval command configured "
                                          "(`tool.mlready.runner.eval`)")
    assert report.runs == ()  # not applicable before anything starts


def test_a_failed_smoke_run_blocks_both_and_no_eval_starts(tmp_path: Path) -> None:
    report = execute(_project(tmp_path, mode="no-module", with_eval=True),
                     ("smoke", "eval", "eval-determinism"), progress=False)
    results = by_id(report)
    smoke = results["smoke"]  # a missing module: the environment's, not the code's
    assert smoke.outcome is Outcome.SKIPPED and smoke.reason != "prerequisite_failed"
    for check in ("eval", "eval-determinism"):
        assert results[check].outcome is Outcome.SKIPPED
        assert (results[check].reason, results[check].summary) == (smoke.reason,
                                                                   smoke.summary)
    assert [r.id for r in report.runs] == ["ref"]
