"""The static half's findings model: one `Diagnostic` per finding, and the kinds of file."""

from __future__ import annotations

from typing import Any, Literal, get_args

from mlready.records import NamedTuple

Applicability = Literal["safe", "unsafe"]

FileKind = Literal[
    "python",  # .py, and notebooks' code cells (``notebook`` is set on the context)
    "notebook",  # .ipynb as raw JSON, for notebook-hygiene rules
    "requirements",  # requirements*.txt, constraints*.txt, *.in
    "pyproject",  # pyproject.toml
    "setup_cfg",  # setup.cfg
    "config",  # .yaml / .yml / .json / .toml other than pyproject.toml
    "other",  # a file named on the command line of none of these kinds: never opened
]
# Every kind: what a rule declares when it may report on any path (MLR612).
ALL_KINDS: tuple[FileKind, ...] = get_args(FileKind)
# A notebook is read as two contexts; these are the context kinds of each file kind. An
# ``other`` file is read as none: no rule reads its text, but a rule that declares the
# kind reports on its path (a committed checkpoint, ``.gitignore``, the README), so a
# run naming only such a file still runs that rule's finalize.
CONTEXT_KINDS: dict[FileKind, tuple[FileKind, ...]] = {
    "notebook": ("python", "notebook"), "other": ()}


def context_kinds(kind: FileKind) -> tuple[FileKind, ...]:
    return CONTEXT_KINDS.get(kind, (kind,))


class Edit(NamedTuple):
    """Replace ``source[start:end]`` with ``content``: offsets count characters of the
    file's decoded text (as rules see it in ``ctx.source``), ``end`` exclusive. Edits
    are on text, never a re-printed tree, so what lies outside the span stays as it was."""

    start: int
    end: int
    content: str


class Fix(NamedTuple):
    """An automatic fix: ``safe`` keeps the code's meaning (``--fix`` applies it),
    ``unsafe`` may change it (only with ``--unsafe-fixes``). The edits never overlap."""

    applicability: Applicability
    edits: tuple[Edit, ...]
    message: str  # what applying it does, one line

    def to_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [edit._asdict() for edit in self.edits]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fix:
        applicability = data["applicability"]
        if applicability not in ("safe", "unsafe"):
            raise ValueError(f"unknown fix applicability {applicability!r}")
        edits = tuple(Edit(int(e["start"]), int(e["end"]), str(e["content"]))
                      for e in data["edits"])
        return cls(applicability, edits, str(data["message"]))


# The path of a finding about the whole project (no tests, no README, no manifest): it
# has no file of its own, so it is reported on the project root, line 1.
PROJECT_PATH = "."


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
    autofix: Fix | None = None  # the edit `mlready check --fix` can apply (mlready.hooks.fixes)

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.path, self.cell or 0, self.line, self.col, self.code, self.message)

    @property
    def about_project(self) -> bool:
        """Whether the finding is about the whole project (`PROJECT_PATH`), not a file:
        a renderer that points at files (an annotation) has no file to point at."""
        return self.path == PROJECT_PATH

    @property
    def location(self) -> str:
        """``path:line:col``, or ``path:cell N:line:col`` for a notebook cell (as ruff)."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.col}"

    def fixable(self, unsafe: bool = False) -> bool:
        """Whether ``--fix`` (``unsafe``: with ``--unsafe-fixes``) would apply a fix here."""
        fix = self.autofix
        return fix is not None and (unsafe or fix.applicability == "safe")

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        if self.autofix is None:  # absent, not null: stored and printed findings unchanged
            del data["autofix"]
        else:
            data["autofix"] = self.autofix.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        fields: dict[str, Any] = {key: data[key] for key in cls._fields if key in data}
        if fields.get("autofix") is not None:
            # A fix nobody can apply is no fix: a malformed one (a hand-edited check JSON
            # read by the scorecard, which never applies fixes) is dropped, not an error.
            try:
                fields["autofix"] = Fix.from_json(fields["autofix"])
            except (KeyError, TypeError, ValueError, AttributeError):
                fields["autofix"] = None
        return cls(**fields)
