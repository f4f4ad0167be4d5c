"""What the per-file pass returns for one file, in a form the cache can store as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlready.hooks.model import Diagnostic
from mlready.hooks.suppression import Noqa
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.notebook import CellMap

FORMAT = 1  # bump when the stored shape changes


class FileResult(NamedTuple):
    """One file after the per-file pass.

    ``diagnostics`` come from file-local rules, before suppression (``noqa`` keeps what
    suppression needs, so that cross-file findings on this file can be suppressed too).
    ``facts`` maps rule codes to what their ``collect`` returned. ``full`` says every
    selected rule ran; ``False`` when only the cross-file rules' ``collect`` ran (a file
    outside the pre-commit file list). ``errors`` are internal errors of rules; a
    result with errors is never cached, so the next run tries again.
    """

    path: str
    digest: str
    full: bool
    # No defaults for these: a result crosses to the parent process by pickle, and a
    # shared, picklable empty mapping is not a thing; each result gets its own.
    diagnostics: tuple[Diagnostic, ...]
    facts: Mapping[str, Any]
    noqa: Noqa
    cells: CellMap | None = None
    errors: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "path": self.path,
            "digest": self.digest,
            "full": self.full,
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "facts": dict(self.facts),
            "noqa": self.noqa.to_json(),
            "cells": [list(pair) for pair in self.cells.lines] if self.cells else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        """Rebuild a stored result; raises on any malformed input (the cache catches)."""
        if data["format"] != FORMAT:
            raise ValueError("old cache format")
        cells = data["cells"]
        cell_map: CellMap | None = None
        if cells:  # notebooks only: a run over .py files never imports the notebook code
            from mlready.hooks.notebook import CellMap

            cell_map = CellMap(tuple((int(c), int(n)) for c, n in cells))
        return cls(
            path=str(data["path"]),
            digest=str(data["digest"]),
            full=bool(data["full"]),
            diagnostics=tuple(Diagnostic.from_json(d) for d in data["diagnostics"]),
            facts=dict(data["facts"]),
            noqa=Noqa.from_json(data["noqa"]),
            cells=cell_map,
        )
