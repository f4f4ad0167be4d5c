"""Source lines for the ``full`` format: the only part of the output package that reads
files, kept apart so the renderers stay pure. Notebook cells come back per cell."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mlready.hooks import notebook
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import Lines
from mlready.hooks.parsing import decode_python
from mlready.reading import read_regular


def _cells(text: str) -> dict[int, list[str]]:
    book = notebook.load(text)
    cells: dict[int, list[str]] = {}
    for (cell, _), line in zip(book.cells.lines, book.source.splitlines(), strict=False):
        cells.setdefault(cell, []).append(line)
    # show the real cell text, not the IPython-blanked copy
    for number, cell_data in enumerate(book.data.get("cells", []), start=1):
        if number in cells and isinstance(cell_data, dict):
            source = cell_data.get("source", "")
            cells[number] = ("".join(str(part) for part in source) if isinstance(source, list)
                             else str(source)).splitlines()  # as the parser joins them
    return cells


def read_lines(root: Path, diagnostics: Iterable[Diagnostic]) -> Lines:
    """(path, cell) -> lines for every file a diagnostic points into; unreadable: absent."""
    found: dict[tuple[str, int | None], list[str]] = {}
    for path in sorted({d.path for d in diagnostics}):
        try:
            data = read_regular(root / path, root)
        except OSError:
            continue
        if path.endswith(".ipynb"):
            try:
                for cell, lines in _cells(data.decode("utf-8-sig")).items():
                    found[(path, cell)] = lines
            except Exception:  # whatever the JSON holds: the finding prints without source
                pass
            found[(path, None)] = data.decode("utf-8", "replace").splitlines(keepends=True)
            continue
        text = decode_python(data)[0] if path.endswith(".py") else None
        # with their line endings: joined again, they are the text a fix's offsets count in
        found[(path, None)] = (text if text is not None else data.decode("utf-8-sig", "replace")
                               ).splitlines(keepends=True)
    return found
