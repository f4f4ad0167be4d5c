"""`mlready init` proposes a `tests` command only when the tree shows runnable tests, and
the command it writes collects and passes them for real."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlready.cli import main

TRAIN = '''import argparse


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int, default=3)
    p.parse_args()


if __name__ == "__main__":
    main()
'''
A_TEST = "def test_adds() -> None:\n    assert 1 + 1 == 2\n"


def _files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _written(project: Path) -> tuple[dict[str, object], str]:
    assert main(["init", str(project), "--yes"]) == 0
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["tool"]["mlready"]["runner"], text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    return tmp_path


def test_a_tests_folder_gets_pytest_on_it_and_the_command_runs(project: Path) -> None:
    _files(project, {"tests/test_math.py": A_TEST})
    runner, text = _written(project)
    assert runner["tests"] == "{python} -m pytest -q tests"
    assert "# tests: tests/ holds test_*.py files (no pytest configuration)." in text
    command = str(runner["tests"]).replace("{python}", sys.executable).split()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout


def test_configured_testpaths_are_left_to_pytest(project: Path) -> None:
    _files(project, {"pytest.ini": "[pytest]\ntestpaths = checks\n",
                     "checks/test_x.py": A_TEST})
    runner, text = _written(project)
    assert runner["tests"] == "{python} -m pytest -q"
    assert "# tests: pytest is configured in pytest.ini, with testpaths." in text


def test_make_test_only_when_nothing_better_shows(project: Path) -> None:
    (project / "Makefile").write_text("test:\n\techo ok\n", encoding="utf-8")
    runner, _ = _written(project)
    assert runner["tests"] == "make test"
    (project / "pyproject.toml").unlink()
    _files(project, {"tests/foo_test.py": A_TEST})
    runner, _ = _written(project)
    assert runner["tests"] == "{python} -m pytest -q tests"


@pytest.mark.parametrize("layout", ["nothing", "empty-folder", "config-without-tests",
                                    "make-variable"])
def test_nothing_that_shows_tests_gets_no_command(project: Path, layout: str) -> None:
    if layout == "empty-folder":
        _files(project, {"tests/helpers.py": "X = 1\n"})
    elif layout == "config-without-tests":
        (project / "setup.cfg").write_text("[tool:pytest]\naddopts = -q\n", encoding="utf-8")
    elif layout == "make-variable":
        (project / "Makefile").write_text("test := 1\nall:\n\techo\n", encoding="utf-8")
    runner, text = _written(project)
    assert "tests" not in runner
    assert "# tests:" not in text


def test_an_installable_project_is_told_to_install_first(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n\n'
                                            "[tool.pytest.ini_options]\n", encoding="utf-8")
    _files(project, {"tests/test_math.py": A_TEST})
    runner, text = _written(project)
    assert runner["tests"] == "{python} -m pytest -q tests"
    assert ("# tests: pytest is configured in pyproject.toml [tool.pytest.ini_options]; "
            "tests in tests/. If the tests import the package, install it first "
            "(`pip install -e .`) where `mlready run` runs.") in text


def test_without_a_training_script_the_skeleton_still_carries_the_tests(tmp_path: Path) -> None:
    _files(tmp_path, {"tests/test_math.py": A_TEST})
    assert main(["init", str(tmp_path), "--yes"]) == 0
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    runner = tomllib.loads(text)["tool"]["mlready"]["runner"]
    assert "train" not in runner and runner["tests"] == "{python} -m pytest -q tests"
    assert "# tests: tests/ holds test_*.py files (no pytest configuration)." in text


def test_an_empty_pytest_ini_wins_as_it_does_for_pytest(project: Path) -> None:
    """pytest takes pytest.ini even when empty, so setup.cfg's testpaths do not apply."""
    _files(project, {"pytest.ini": "", "setup.cfg": "[tool:pytest]\ntestpaths = checks\n",
                     "tests/test_math.py": A_TEST})
    runner, text = _written(project)
    assert runner["tests"] == "{python} -m pytest -q tests"
    assert "# tests: pytest is configured in pytest.ini; tests in tests/." in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_config_is_not_read(project: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: init must not hang."""
    os.mkfifo(project / "Makefile")
    os.mkfifo(project / "pytest.ini")
    runner, _ = _written(project)
    assert "tests" not in runner
