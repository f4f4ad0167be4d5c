"""What the hard-coded hyper-parameter rules (MLR101-MLR106) and their config-file
siblings need before any file is analysed: codes, options, the test-path test.

Kept apart from `mlready.hooks.rules.hparams.finder` (the analysis itself, with its tables
of training APIs) so that loading the rule registry does not build those tables: a
run that finds every file in the cache never analyses one. `_hparams` re-exports
everything here.
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
