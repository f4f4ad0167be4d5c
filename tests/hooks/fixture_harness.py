"""Reading rule fixtures: expectations in comments and in ``expected.txt``.

Shared by the fixture test and the engine's own tests; the format is documented in
tests/fixtures/README.md.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from mlready.hooks import engine
from mlready.hooks.discovery import classify
from mlready.hooks.engine import Report
from mlready.hooks.rules import all_rules
from mlready.hooks.settings import Overrides, load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
ERROR = re.compile(r"#\s*error:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")
EXPECTED_LINE = re.compile(r"^(?P<path>[^\s:]+):(?:cell (?P<cell>\d+):)?(?P<line>\d+)\s+"
                           r"(?P<code>[A-Z]+[0-9]+)\s*$")

Finding = tuple[str, int | None, int, str]  # (path, cell, line, code)


def fixture_for(code: str) -> Path | None:
    """``rules/<CODE>/`` or the single file ``rules/<CODE>.<ext>``, or None."""
    folder = FIXTURES / code
    if folder.is_dir():
        return folder
    files = sorted(FIXTURES.glob(f"{code}.*"))
    return files[0] if files else None


def install(fixture: Path, into: Path) -> Path:
    """Copy a fixture into ``into/project`` (a single file keeps its name)."""
    project = into / "project"
    if fixture.is_dir():
        shutil.copytree(fixture, project, symlinks=True)
    else:
        project.mkdir(parents=True)
        shutil.copy2(fixture, project / fixture.name)
    return project


def _comment_lines(path: Path) -> list[tuple[int | None, int, str]]:
    """(cell, line, text) of every line that may carry an ``# error:`` comment."""
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except ValueError:
            return []
        found = []
        for number, cell in enumerate(cells, start=1):
            source = cell.get("source", "") if isinstance(cell, dict) else ""
            text = "".join(source) if isinstance(source, list) else str(source)
            if cell.get("cell_type") == "code":
                found += [(number, n, t) for n, t in enumerate(text.splitlines(), start=1)]
        return found
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return []
    return [(None, n, t) for n, t in enumerate(text.splitlines(), start=1)]


def expected(project: Path) -> set[Finding]:
    """Every expectation of a fixture: ``# error: CODE[, CODE]`` comments on checked
    files, plus the lines of ``expected.txt`` (``path:LINE CODE`` or
    ``path:cell N:LINE CODE``; ``#`` starts a comment)."""
    found: set[Finding] = set()
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if not path.is_file() or classify(rel) is None:
            continue
        for cell, line, text in _comment_lines(path):
            match = ERROR.search(text)
            if match:
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    found.add((rel, cell, line, code))
    listing = project / "expected.txt"
    if listing.is_file():
        for number, raw in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            match = EXPECTED_LINE.match(text)
            if match is None:
                raise ValueError(f"{listing}:{number}: expected `path:LINE CODE`, got {raw!r}")
            cell = int(match.group("cell")) if match.group("cell") else None
            found.add((match.group("path"), cell, int(match.group("line")),
                       match.group("code")))
    return found


def run(project: Path, code: str) -> Report:
    """The engine on ``project`` with only ``code`` selected and no cache."""
    settings = load(project, all_rules(), Overrides(select=[code], no_cache=True))
    return engine.check_with(settings, [project])


def actual(report: Report) -> set[Finding]:
    return {(d.path, d.cell, d.line, d.code) for d in report.diagnostics}


def show(findings: set[Finding]) -> str:
    def fmt(f: Finding) -> str:
        path, cell, line, code = f
        return f"{path}:{f'cell {cell}:' if cell is not None else ''}{line} {code}"

    return "\n".join(sorted(fmt(f) for f in findings)) or "(none)"
