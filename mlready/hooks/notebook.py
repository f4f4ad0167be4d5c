"""Jupyter notebooks as Python: the code cells joined into one module, with a line map.

The cells are joined (rather than parsed one by one) because a notebook is one
namespace: an ``import torch`` in cell 1 is what ``torch.manual_seed`` in cell 7
refers to. IPython syntax (``%magic``, ``!shell``, ``obj?``, ``%%cell`` magics) is
blanked out line for line, keeping indentation and a ``pass`` so that blocks stay
valid and every line keeps its number. `CellMap` turns a line of the joined source
back into (cell, line) so findings point at something a person can find.
"""

from __future__ import annotations

import json
from typing import Any

from mlready.records import NamedTuple


class NotebookError(ValueError):
    """The file is not a notebook mlready can read (invalid JSON or no cells)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class CellMap(NamedTuple):
    """For each line of the joined source (0-based index), its (cell, line) pair."""

    lines: tuple[tuple[int, int], ...]

    def locate(self, line: int) -> tuple[int, int] | None:
        """1-based joined line -> (1-based cell number, 1-based line in the cell)."""
        if 0 < line <= len(self.lines):
            return self.lines[line - 1]
        return None


class Notebook(NamedTuple):
    data: Any
    source: str
    cells: CellMap


def _cell_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(part) for part in source)
    return str(source)


def _blank_ipython(line: str) -> str:
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
        return f"{indent}pass"
    return line


def _code(text: str) -> list[str]:
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):  # a cell magic: the cell is not Python
        return ["" for _ in lines]
    return [_blank_ipython(line) for line in lines]


def load(text: str) -> Notebook:
    """Parse notebook JSON; raise `NotebookError` when it is not a notebook."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid notebook JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise NotebookError("invalid notebook JSON: nested too deeply") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a Jupyter notebook: no `cells` list", 1)
    joined: list[str] = []
    mapping: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for offset, line in enumerate(_code(_cell_text(cell)), start=1):
            joined.append(line)
            mapping.append((number, offset))
    return Notebook(data, "\n".join(joined) + ("\n" if joined else ""), CellMap(tuple(mapping)))
