"""Which project files are tests: one definition for every rule that skips them.

A path (root-relative, ``/``-separated) is a test file when a folder on it is named
``test``, ``tests`` or ``testing``, or the file is ``test_*.py``, ``*_test.py`` or
``conftest.py`` (pytest's default discovery, plus the ``testing/`` folder that pytest
itself and many projects use). Tests pin small values on purpose, draw unseeded
numbers in property tests and skip type hints on fixtures, so the seeding,
hyper-parameter, config, typing and docstring rules all skip them (the rules with an
``include-tests`` option can be told otherwise).

Until 0.2, MLR401, MLR603 and MLR901 did not count ``testing/`` while the other rules
did; they now agree.
"""

from __future__ import annotations

TEST_DIRS = frozenset({"test", "tests", "testing"})


def is_test_path(path: str) -> bool:
    """Whether ``path`` is a test file (see the module docstring)."""
    *folders, name = path.split("/")
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(folder in TEST_DIRS for folder in folders))
