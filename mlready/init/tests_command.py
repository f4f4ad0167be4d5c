"""The `tests` command `mlready init` proposes: only what the tree shows runs tests.

Precision first: a wrong test command fails the `tests` check on a project whose tests
are fine, which is worse than no command (the check then reports a gap). So we propose
pytest only when a pytest configuration or a test folder holding test files is there,
and `make test` only when the Makefile has that target and nothing better shows.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlready.reading import read_regular

FOLDERS = ("tests", "test")
_MAKE_TEST = re.compile(r"^test\s*:(?!=)", re.MULTILINE)


@dataclass(frozen=True)
class TestsCommand:
    """A proposed `tests` command and the one line saying why."""

    command: str
    why: str


def _text(path: Path) -> str | None:
    """A regular file's text, or None when there is none to read (`mlready.reading`: a
    FIFO named ``Makefile`` must not hang init)."""
    try:
        return read_regular(path).decode("utf-8", errors="replace")
    except OSError:
        return None


def _ini(text: str) -> configparser.ConfigParser | None:
    """INI text parsed, or None when it does not parse."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def pytest_config(root: Path, pyproject: Mapping[str, Any]) -> tuple[str, bool] | None:
    """Where the pytest configuration is, and whether it names ``testpaths``: the file
    pytest itself takes, in its order (a ``pytest.ini`` wins even when empty, then
    pyproject.toml's table, tox.ini, setup.cfg)."""
    text = _text(root / "pytest.ini")
    if text is not None:
        parser = _ini(text)
        return "pytest.ini", parser is not None and parser.has_option("pytest", "testpaths")
    tool = pyproject.get("tool", {})
    pytest_table = tool.get("pytest", {}) if isinstance(tool, dict) else {}
    options = pytest_table.get("ini_options") if isinstance(pytest_table, dict) else None
    if isinstance(options, dict):
        return "pyproject.toml [tool.pytest.ini_options]", "testpaths" in options
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        text = _text(root / name)
        parser = _ini(text) if text is not None else None
        if parser is not None and parser.has_section(section):
            return f"{name} [{section}]", parser.has_option(section, "testpaths")
    return None


def _test_files(folder: Path) -> bool:
    """Whether ``folder`` holds a pytest test file (``test_*.py`` or ``*_test.py``)."""
    if not folder.is_dir():
        return False
    return any(True for _ in folder.rglob("test_*.py")) or any(
        True for _ in folder.rglob("*_test.py"))


def propose(root: Path, pyproject: Mapping[str, Any]) -> TestsCommand | None:
    """The test command the tree shows, or None when nothing shows runnable tests."""
    folders = [name for name in FOLDERS if _test_files(root / name)]
    on_folders = f"{{python}} -m pytest -q {' '.join(folders)}"
    listed = ", ".join(f + "/" for f in folders)
    config = pytest_config(root, pyproject)
    installs = "project" in pyproject or (root / "setup.py").is_file()
    after = (" If the tests import the package, install it first (`pip install -e .`) "
             "where `mlready run` runs.") if installs else ""
    if config is not None:
        where, testpaths = config
        if testpaths:
            return TestsCommand("{python} -m pytest -q",
                                f"pytest is configured in {where}, with testpaths.{after}")
        if folders:
            return TestsCommand(on_folders, f"pytest is configured in {where}; tests in "
                                            f"{listed}.{after}")
        return None  # a configuration and no test files: it would collect the whole tree
    if folders:
        return TestsCommand(on_folders, f"{listed} holds test_*.py files (no pytest "
                                        f"configuration).{after}")
    if _MAKE_TEST.search(_text(root / "Makefile") or ""):
        return TestsCommand("make test", "the Makefile has a `test:` target (no pytest "
                                         "configuration or test folder shows).")
    return None
