"""``--fix``, ``--diff``, ``--add-noqa``, ``--fix-only`` and ``--show-fixes``: what a check
found, written back to the files (`mlready.hooks.fixes` does the editing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlready.hooks.cli.messages import error

if TYPE_CHECKING:
    from mlready.hooks.engine import Report
    from mlready.hooks.model import Diagnostic
    from mlready.hooks.settings import Settings


def fix(report: Report, settings: Settings, paths: list[Path], unsafe: bool) -> Report:
    """``--fix``: apply, check again, and repeat while a pass fixed something (a fix that
    overlapped another is retried on the result), at most `fixes.MAX_PASSES` times. The
    report is the last check, with every finding fixed on the way and every error."""
    if not any(d.fixable(unsafe) for d in report.diagnostics):
        return report  # the usual hook run: nothing to fix, nothing more imported
    from mlready.hooks import engine, fixes

    fixed: list[Diagnostic] = []
    errors: list[str] = []
    for _ in range(fixes.MAX_PASSES):
        outcome = fixes.fix(report.root, report.diagnostics, report.digests, unsafe=unsafe)
        fixed.extend(outcome.fixed)
        errors.extend(outcome.errors)
        if not outcome.fixed:
            break
        report = engine.check_with(settings, paths)
    return report._replace(fixed=tuple(fixed), errors=(*report.errors, *errors))


def diff(report: Report, unsafe: bool) -> int:
    """``--diff``: the unified diff of what ``--fix`` would write, and nothing written;
    exit 1 when there is something to fix (as ruff), 2 on an error."""
    from mlready.hooks import fixes

    outcome = fixes.fix(report.root, report.diagnostics, report.digests, unsafe=unsafe,
                        write=False)
    click.echo("".join(f.diff() for f in outcome.files), nl=False)
    count = len(outcome.fixed)
    click.echo(f"Would fix {count} error{'s' if count != 1 else ''}." if count
               else "No errors would be fixed.", err=True)
    for line in (*report.errors, *outcome.errors):
        error(line)
    if report.errors or outcome.errors:
        return 2
    return 1 if count else 0


def add_noqa(report: Report) -> int:
    """``--add-noqa``: silence what is reported today, line by line, so that a large
    codebase can adopt mlready and fix its findings over time; exit 0 unless an error."""
    from mlready.hooks import fixes

    outcome = fixes.add_noqa(report.root, report.diagnostics, report.digests)
    count = len(outcome.fixed)
    click.echo(f"Added {count} noqa directive{'s' if count != 1 else ''}.")
    for line in (*report.errors, *outcome.errors):
        error(line)
    return 2 if report.errors or outcome.errors else 0


def fixed_only(report: Report, show: bool) -> int:
    """``--fix-only``: how many were fixed, not what remains; exit 0 unless an error."""
    count = len(report.fixed)
    if show and report.fixed:
        click.echo(list_fixes(report.fixed), nl=False)
    else:
        click.echo(f"Fixed {count} error{'s' if count != 1 else ''}." if count
                   else "No errors fixed.")
    for line in report.errors:
        error(line)
    return 2 if report.errors else 0


def list_fixes(fixed: Sequence[Diagnostic]) -> str:
    from mlready.hooks.fixes import show_fixes
    from mlready.hooks.rules import by_code

    return show_fixes(fixed, {code: rule.name for code, rule in by_code().items()})
