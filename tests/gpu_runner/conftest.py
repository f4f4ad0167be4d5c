"""The `make_project` fixture: a pyproject whose train command runs the tiny trainer in
tests/fixtures/runner with one injected fault (``--mode``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.config import RunnerConfig

from .helpers import MakeProject, project_toml


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    def make(mode: str = "good", **kwargs: object) -> RunnerConfig:
        text = project_toml(mode, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "pyproject.toml").write_text(text)
        return runner_config.load(tmp_path)

    return make
