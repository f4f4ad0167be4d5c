"""The codes and options of the hard-coded hyper-parameter rules (MLR101-MLR106), under
``[tool.mlready.hparams]``.

The family's options module: the registry reads ``OPTIONS`` here, so that validating
a configuration imports no rule and builds none of `signatures`' tables.
"""

from __future__ import annotations

from mlready.config import Field, Table

LEARNING_RATE = "MLR101"
BATCH_SIZE = "MLR102"
TRAINING_LENGTH = "MLR103"
OPTIMIZER = "MLR104"
SCHEDULE = "MLR105"
RL = "MLR106"

INCLUDE_TESTS = Field(
    (bool,), "also check test files (tests/, testing/, test_*.py, *_test.py, conftest.py)")
OPTIONS = Table(
    fields={
        "include-tests": INCLUDE_TESTS,
        "config-modules": Field(
            (list,),
            "extra module names (last component) whose literals are configuration",
            item_types=(str,),
        ),
    },
    help="options of the hard-coded hyper-parameter rules (MLR101-MLR106)",
)
