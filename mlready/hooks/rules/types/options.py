"""The options of the typing rules (MLR4xx), under ``[tool.mlready.types]``.

Kept apart from the rules so that validating a configuration reads the options
without importing any rule (the registry looks here, see `mlready.hooks.rules`).
"""

from __future__ import annotations

from mlready.config import Field, Table

OPTIONS = Table(
    fields={
        "include-tests": Field(
            (bool,), "Also check test files (tests/, testing/, test_*.py, conftest.py)."),
        "include-private": Field((bool,), "Also check private functions and private classes."),
    },
    help="Type-annotation rules (MLR4xx).",
)
