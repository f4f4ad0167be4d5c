"""Printing a check's report: its format, colour, paths as the user sees them, statistics,
the list of files a check would read, and the exit code its findings give."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mlready.hooks.engine import Report
    from mlready.hooks.output import Lines
    from mlready.hooks.settings import Settings


def statistics(report_diagnostics: Sequence[object]) -> str:
    from mlready.hooks.model import Diagnostic
    from mlready.hooks.rules import by_code

    counts = Counter(d.code for d in report_diagnostics if isinstance(d, Diagnostic))
    names = {code: rule.name for code, rule in by_code().items()}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(f"{count:>{width}}\t{code}\t{names.get(code, '')}\n"
                   for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def cwd_path(root: Path, path: str) -> str:
    import os

    return Path(os.path.relpath(root / path)).as_posix()


def seen_from_cwd(report: Report) -> Report:
    """Standing in a sub-folder of the project, paths print relative to it (as a person
    types them, as ruff prints them); from the root or from outside the project they
    stay relative to the project root."""
    cwd = Path.cwd()
    if cwd == report.root or report.root not in cwd.parents:
        return report
    return report._replace(diagnostics=tuple(
        d._replace(path=cwd_path(report.root, d.path)) for d in report.diagnostics))


def use_color(tty: bool) -> bool:
    """Colour when the output is a terminal (``tty``), as ruff decides it: a non-empty
    ``FORCE_COLOR`` turns it on even when piped, and wins; else a non-empty ``NO_COLOR``
    (no-color.org) turns it off."""
    import os

    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return tty


def render(fmt: str, report: Report, color: bool, quiet: int,
           lines: Lines | None = None, from_cwd: bool = True) -> str:
    """The report in ``fmt``; the text formats as a person reads them (paths from the
    current folder unless ``from_cwd`` is false, colour, ``-q`` without the summary)."""
    from mlready.hooks.output import renderer

    if not from_cwd and fmt in ("full", "concise"):
        return renderer(fmt)(report, *([lines] if fmt == "full" else []), color=color,
                             quiet=quiet > 0)
    if fmt == "full":
        if lines is None:
            from mlready.hooks.output.sources import read_lines

            lines = read_lines(report.root, report.diagnostics)
        shown = seen_from_cwd(report)
        moved = lines if shown is report else {
            (cwd_path(report.root, path), cell): text for (path, cell), text in lines.items()}
        return renderer(fmt)(shown, moved, color=color, quiet=quiet > 0)
    if fmt == "concise":
        return renderer(fmt)(seen_from_cwd(report), color=color, quiet=quiet > 0)
    return renderer(fmt)(report)  # machine formats keep root-relative paths


def show_files(settings: Settings, paths: list[Path]) -> int:
    """``--show-files``: what a check of ``paths`` would read, sorted, one per line (as
    findings print their paths)."""
    from mlready.hooks.discovery import discover
    from mlready.hooks.output import printable

    found = discover(settings.root, paths, settings.excludes,
                     respect_gitignore=settings.respect_gitignore,
                     force_exclude=settings.force_exclude)
    cwd = Path.cwd()
    inside = cwd != settings.root and settings.root in cwd.parents
    names = sorted(cwd_path(settings.root, f.path) if inside else f.path for f in found)
    click.echo("".join(f"{printable(name)}\n" for name in names), nl=False)
    return 0


def findings_exit(report: Report, fail_on: str | None) -> int:
    """1 when a finding is at least as severe as ``fail_on`` (any finding when None)."""
    from mlready.hooks.output import counted, severities, severity_of

    table = severities(report.rules)
    return int(any(counted(severity_of(d, table), fail_on) for d in report.diagnostics))
