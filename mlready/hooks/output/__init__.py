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


def printable(text: str) -> str:
    """``text`` with every character that is not printable written as a Python escape
    (``\\n``, ``\\x1b``, ``\\u202e``, ``\\udcff`` for an undecodable byte of a name).

    File names and the source text quoted in messages are the user's: raw, a newline in
    a file name starts a new output line, which in CI can read as a ``::error`` workflow
    command, and an escape sequence can rewrite the terminal. Backslashes are left as
    they are: they are printable, and common in quoted code.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def line_start(text: str) -> str:
    """A line that cannot start a workflow command: GitHub reads any output line that
    begins with ``::`` as one, so a file named ``::error::x.py`` is printed ``./::error...``."""
    return f"./{text}" if text.lstrip().startswith("::") else text


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of one format (imported only when used)."""
    module: Any = importlib.import_module(FORMATS[name])
    render: Callable[..., str] = module.render
    return render
