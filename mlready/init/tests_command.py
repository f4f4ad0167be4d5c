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

FOLDERS = ("tests", "test")
_MAKE_TEST = re.compile(r"^test\s*:(?!=)", re.MULTILINE)


@dataclass(frozen=True)
class TestsCommand:
    """A proposed `tests` command and the one line saying why."""

    command: str
    why: str


def _ini(path: Path) -> configparser.ConfigParser | None:
    """An INI file parsed, or None when it cannot be read or parsed."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None
    return parser


def pytest_config(root: Path, pyproject: Mapping[str, Any]) -> tuple[str, bool] | None:
    """Where the pytest configuration is, and whether it names ``testpaths``: the file
    pytest itself takes, in its order (a ``pytest.ini`` wins even when empty, then
    pyproject.toml's table, tox.ini, setup.cfg)."""
    ini = root / "pytest.ini"
    parser = _ini(ini) if ini.is_file() else None
    if ini.is_file():
        return "pytest.ini", parser is not None and parser.has_option("pytest", "testpaths")
    tool = pyproject.get("tool", {})
    pytest_table = tool.get("pytest", {}) if isinstance(tool, dict) else {}
    options = pytest_table.get("ini_options") if isinstance(pytest_table, dict) else None
    if isinstance(options, dict):
        return "pyproject.toml [tool.pytest.ini_options]", "testpaths" in options
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        parser = _ini(path) if path.is_file() else None
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
            return TestsCommand(f"{{python}} -m pytest -q {' '.join(folders)}",
                                f"pytest is configured in {where}; tests in "
                                f"{', '.join(f + '/' for f in folders)}.{after}")
        return None  # a configuration and no test files: it would collect the whole tree
    if folders:
        return TestsCommand(f"{{python}} -m pytest -q {' '.join(folders)}",
                            f"{', '.join(f + '/' for f in folders)} holds test_*.py files "
                            f"(no pytest configuration).{after}")
    makefile = root / "Makefile"
    try:
        text = makefile.read_text(encoding="utf-8", errors="replace") \
            if makefile.is_file() else ""
    except OSError:
        text = ""
    if _MAKE_TEST.search(text):
        return TestsCommand("make test", "the Makefile has a `test:` target (no pytest "
                                         "configuration or test folder shows).")
    return None

