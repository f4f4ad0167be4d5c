"""Renderers for `mlready check` results: one module per ``--output-format``.

Every renderer is a pure function of a `mlready.hooks.engine.Report` (and, for
``full``, of the source lines it is handed), so that each surface can be tested on
plain values and none of them reads files or the environment.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

FORMATS: Mapping[str, str] = {
    "concise": "mlready.hooks.output.concise",
    "full": "mlready.hooks.output.full",
    "json": "mlready.hooks.output.json_format",
    "github": "mlready.hooks.output.github",
    "sarif": "mlready.hooks.output.sarif",
}

Lines = Mapping[tuple[str, int | None], Sequence[str]]  # (path, cell) -> source lines


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of one format (imported only when used)."""
    module: Any = importlib.import_module(FORMATS[name])
    render: Callable[..., str] = module.render
    return render
