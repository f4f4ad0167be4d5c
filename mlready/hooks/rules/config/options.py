"""The options of the config-file rules (MLR110-MLR112), under ``[tool.mlready.config]``.

Kept apart from the rules so that validating a configuration reads the options
without importing any rule (the registry looks here, see `mlready.hooks.rules`).
"""

from __future__ import annotations

from mlready.config import Table
from mlready.hooks.rules.hparams.options import INCLUDE_TESTS

OPTIONS = Table(fields={"include-tests": INCLUDE_TESTS})
