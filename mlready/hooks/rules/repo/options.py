"""The options of the repository rules (MLR610-MLR615), under ``[tool.mlready.repo]``.

Kept apart from the rules so that validating a configuration reads the options
without importing any rule (the registry looks here, see `mlready.hooks.rules`).
"""

from __future__ import annotations

from mlready.config import Field, Table

OPTIONS = Table(
    fields={
        "max-file-size-mb": Field(
            (float,), "MLR612: a committed file larger than this many megabytes is reported "
                      "(default 10)."),
        "artifact-min-kb": Field(
            (float,), "MLR612: a committed model or data file (*.pt, *.ckpt, *.npy...) of at "
                      "least this many kilobytes is reported (default 100)."),
    },
    help="Repository-hygiene rules (MLR610-MLR615).",
)
