"""A metrics regex without a `step` group numbers a run's records 1, 2, ...: the resumed
run's first record would read as step 1, so an exact resume would look like a restart.
The resume check says it could not measure (`not_measured`, which holds the scorecard's
level below production-ready), with the fix, and starts no resume runs.

Real subprocesses of the torch-free stand-in trainer (tests/fixtures/runner/tiny.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checks.smoke import rss_text
from mlready.gpu_runner.results import Outcome
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, by_id

pytestmark = pytest.mark.slow


def test_stepless_regex_makes_resume_not_measured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {FIXTURES / "tiny.py"} --steps {{steps}} --out {{run_dir}}"\n'
        "resume = { args = '--resume {checkpoint}' }\n"
        "metrics = 'loss (?P<loss>\\S+)'\nsteps = 3\ntimeout = 30\n")
    report = execute(runner_config.load(tmp_path), ("resume",), progress=False)
    result = by_id(report)["resume"]
    assert result.outcome is Outcome.NOT_MEASURED and result.reason == "unnumbered_metrics"
    assert result.summary == (
        "metrics carry no step, so the resumed run's records cannot be placed after the "
        "checkpoint: add a `step` group to `tool.mlready.runner.metrics`, e.g. "
        "'step (?P<step>\\d+) .*loss (?P<loss>\\S+)'")
    assert [r.id for r in report.runs] == ["ref"]  # no long or resumed run was started


def test_smoke_summary_says_rss_not_measured() -> None:
    assert rss_text(None) == "peak RSS not measured (the run ended before the first sample)"
    assert rss_text(5 * 2**20) == "peak RSS 5.0 MB"
