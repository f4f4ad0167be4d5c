"""Helpers for the runner tests: a pyproject whose train command runs the tiny trainer
in tests/fixtures/runner with one injected fault (``--mode``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.results import CheckResult, RunReport
from mlready.gpu_runner.runner import execute

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runner"
TRAIN = FIXTURES / "train.py"
EVAL = FIXTURES / "evaluate.py"


def project_toml(mode: str = "good", *, eval_mode: str | None = "good", steps: int = 6,
                 timeout: float = 60, extra: str = "", resume: str | None = None,
                 thresholds: str = 'accuracy = ">= 0.7"', train: str | None = None) -> str:
    train = train or (f'"{{python}} {TRAIN} --steps {{steps}} --seed {{seed}} --out {{run_dir}} '
                      f'--mode {mode}"')
    lines = ["[tool.mlready.runner]", f"train = {train}",
             f"resume = {resume or '{ args = ' + repr('--resume {checkpoint}') + ' }'}",
             f"steps = {steps}", f"timeout = {timeout}"]
    if eval_mode is not None:
        lines.append(f'eval = "{{python}} {EVAL} --checkpoint {{checkpoint}} '
                     f'--output {{metrics_file}} --mode {eval_mode}"')
    lines.append(extra)
    if eval_mode is not None and thresholds:
        lines += ["[tool.mlready.runner.thresholds]", thresholds]
    return "\n".join(lines) + "\n"


MakeProject = Callable[..., RunnerConfig]


def by_id(report: RunReport) -> dict[str, CheckResult]:
    return {c.check: c for c in report.checks}


def run(cfg: RunnerConfig, *only: str) -> dict[str, CheckResult]:
    return by_id(execute(cfg, only or None, progress=False))


def written_in_order(folder: Path, *names: str) -> list[Path]:
    """Files ``names`` in ``folder``, each one second newer than the one before (from
    t = 1000 s): the checkpoint picker's ties and fallbacks go by modification time."""
    paths = []
    for i, name in enumerate(names):
        path = folder / name
        path.write_text("x")
        os.utime(path, (1000 + i, 1000 + i))
        paths.append(path)
    return paths
