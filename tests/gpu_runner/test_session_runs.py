"""Each run's files are named after its id: two eval runs must leave two metrics files.

Real subprocesses of the torch-free stand-ins (tests/fixtures/runner/tiny.py and
tiny_eval.py); a check that compares two evals of one file would always pass.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner import plan
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.session import Session

from .helpers import FIXTURES

pytestmark = pytest.mark.slow


def test_two_eval_runs_write_two_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {FIXTURES / "tiny.py"} --steps {{steps}} --out {{run_dir}}"\n'
        f'eval = "{{python}} {FIXTURES / "tiny_eval.py"} --output {{metrics_file}} '
        '--mode good"\nsteps = 3\ntimeout = 30\n')
    cfg = runner_config.load(project)
    work = tmp_path / "work"
    work.mkdir()
    runs = {**plan.RUNS, "eval_b": RunSpec("eval_b", "a second eval", is_eval=True)}
    session = Session(cfg, "cpu", work, Progress(3, io.StringIO(), enabled=False), runs=runs,
                      needs_torch=False)
    first, second = session.run("eval"), session.run("eval_b")
    assert first.ok and second.ok
    assert first.output_file is not None and second.output_file is not None
    assert first.output_file != second.output_file
    assert first.output_file.name == "eval-metrics.json"
    assert second.output_file.name == "eval_b-metrics.json"
    assert first.output_file.is_file() and second.output_file.is_file()
    assert [r.id for r in session.records] == ["ref", "eval", "eval_b"]
