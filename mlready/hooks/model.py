"""The static half's findings model: one `Diagnostic` per finding, and the kinds of file."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

FileKind = Literal[
    "python",  # .py, and notebooks' code cells (``notebook`` is set on the context)
    "notebook",  # .ipynb as raw JSON, for notebook-hygiene rules
    "requirements",  # requirements*.txt, constraints*.txt, *.in
    "pyproject",  # pyproject.toml
    "setup_cfg",  # setup.cfg
    "config",  # .yaml / .yml / .json / .toml other than pyproject.toml
    "other",
]
# A notebook is read as two contexts; these are the context kinds of each file kind.
CONTEXT_KINDS: dict[FileKind, tuple[FileKind, ...]] = {"notebook": ("python", "notebook")}


def context_kinds(kind: FileKind) -> tuple[FileKind, ...]:
    return CONTEXT_KINDS.get(kind, (kind,))


class Diagnostic(NamedTuple):
    """One finding. Lines and columns are 1-based; ``path`` is POSIX, relative to the root.

    Columns count characters, not bytes. For a notebook's code cells, ``cell`` is the
    1-based cell number among all cells and ``line`` the line inside that cell (as in
    ruff), so that the position means something to a person looking at the notebook.
    Ordering is (path, line, col, code); renderers sort with `sort_key`, which puts
    a notebook's cells in order. A named tuple rather than a dataclass: immutable and
    ordered all the same, and ten times cheaper to define, which every hook run pays.
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    end_line: int | None = None
    end_col: int | None = None
    fix: str | None = None  # a one-line hint of what to do, shown by the `full` format
    cell: int | None = None  # notebooks: 1-based cell number; ``line`` is inside the cell

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.path, self.cell or 0, self.line, self.col, self.code, self.message)

    @property
    def location(self) -> str:
        """``path:line:col``, or ``path:cell N:line:col`` for a notebook cell (as ruff)."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.col}"

    def to_json(self) -> dict[str, Any]:
        return self._asdict()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        fields: dict[str, Any] = {key: data[key] for key in cls._fields if key in data}
        return cls(**fields)
