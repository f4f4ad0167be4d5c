"""Reading rule fixtures: expectations in comments and in ``expected.txt``.

Shared by the fixture test and the engine's own tests; the format is documented in
tests/fixtures/README.md.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Collection
from pathlib import Path

from mlready.hooks import engine
from mlready.hooks.discovery import classify
from mlready.hooks.engine import Report
from mlready.hooks.rules import all_rules
from mlready.hooks.settings import Overrides, load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
MARK = re.compile(r"#\s*error:\s*")  # starts one expectation; a line may hold several
EXPECTATION = re.compile(r"^(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)"
                         r"(?:\s+(?P<message>\S.*?))?\s*$")
EXPECTED_LINE = re.compile(r"^(?P<path>[^\s:]+):(?:cell (?P<cell>\d+):)?(?P<line>\d+)\s+"
                           r"(?P<rest>[A-Z]+[0-9]+.*)$")

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # ``{python}`` in a message
# (path, cell, line, code, message): message None in an expectation compares the code only
Finding = tuple[str, int | None, int, str, str | None]


def parse_expectations(text: str) -> list[tuple[str, str | None]]:
    """The (code, message) pairs of one line: ``# error: MLR101 <message>`` (the message
    runs to the next ``# error:`` or the end of the line), or ``# error: MLR101, MLR102``
    (codes only). Raises ValueError for a message after several codes."""
    found: list[tuple[str, str | None]] = []
    for part in MARK.split(text)[1:]:
        match = EXPECTATION.match(part.rstrip())
        if match is None:
            continue
        codes = re.split(r"\s*,\s*", match.group("codes"))
        message = match.group("message")
        if message is not None:
            message = message.replace("{python}", PYTHON)
        if message is not None and len(codes) > 1:
            raise ValueError(f"a message after several codes: {text.strip()!r}")
        found += [(code, message) for code in codes]
    return found


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
    """Every expectation of a fixture: ``# error: CODE <message>`` comments on checked
    files, plus the lines of ``expected.txt`` (``path:LINE CODE <message>`` or
    ``path:cell N:LINE CODE <message>``; a line starting with ``#`` is a comment)."""
    found: set[Finding] = set()
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if not path.is_file() or classify(rel) is None:
            continue
        for cell, line, text in _comment_lines(path):
            for code, message in parse_expectations(text):
                found.add((rel, cell, line, code, message))
    listing = project / "expected.txt"
    if listing.is_file():
        for number, raw in enumerate(listing.read_text(encoding="utf-8").splitlines(), 1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            match = EXPECTED_LINE.match(text)
            pairs = parse_expectations("# error: " + match.group("rest")) if match else []
            if match is None or not pairs:
                raise ValueError(f"{listing}:{number}: expected `path:LINE CODE message`, "
                                 f"got {raw!r}")
            cell = int(match.group("cell")) if match.group("cell") else None
            for code, message in pairs:
                found.add((match.group("path"), cell, int(match.group("line")), code, message))
    return found


def run(project: Path, code: str) -> Report:
    """The engine on ``project`` with only ``code`` selected and no cache."""
    settings = load(project, all_rules(), Overrides(select=[code], no_cache=True))
    return engine.check_with(settings, [project])


def actual(report: Report, want: Collection[Finding] = ()) -> set[Finding]:
    """What the run reported; where ``want`` gives only a code for a place, the message
    is dropped there, so that a codes-only expectation compares the code only."""
    codes_only = {f[:4] for f in want if f[4] is None}
    return {(d.path, d.cell, d.line, d.code,
             None if (d.path, d.cell, d.line, d.code) in codes_only else d.message)
            for d in report.diagnostics}


def show(findings: set[Finding]) -> str:
    def fmt(f: Finding) -> str:
        path, cell, line, code, message = f
        where = f"{path}:{f'cell {cell}:' if cell is not None else ''}{line}"
        return f"{where} {code}" + (f" {message}" if message is not None else "")

    return "\n".join(sorted(fmt(f) for f in findings)) or "(none)"
