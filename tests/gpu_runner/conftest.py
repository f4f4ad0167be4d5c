"""Fixtures: `make_project`, a pyproject whose train command runs the tiny trainer in
tests/fixtures/runner with one injected fault (``--mode``), and `small_disk`, a real
small tmpfs as the runner's temp dir for the full-disk paths."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterator
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


@pytest.fixture
def small_disk(tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Path]]:
    """Mount a tmpfs of the given size and make it the temp dir the runner works in.

    A disk that really fills up is the only honest test of the full-disk paths. Mounting
    needs root (or CAP_SYS_ADMIN); elsewhere the test is skipped, and says why.
    """
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a {size} tmpfs here (needs root): "
                        f"{done.stderr.strip() or done.returncode}")
        mounted.append(point)
        monkeypatch.setattr(tempfile, "tempdir", str(point))
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)
