"""``mlready check -``: the source on stdin, checked (and fixed) as an editor asks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlready.hooks.cli.messages import error
from mlready.hooks.cli.printing import findings_exit, render, use_color

if TYPE_CHECKING:
    from mlready.hooks.engine import Report
    from mlready.hooks.output import Lines
    from mlready.hooks.settings import Settings


def check_stdin(settings: Settings, name: Path | None, fix: bool, unsafe: bool,
                exit_zero: bool, quiet: int) -> int:
    """``mlready check -``: the source on stdin, as the file ``name`` (editors); with
    ``--fix``, the fixed source on stdout and what remains on stderr (as ruff)."""
    import os

    from mlready.hooks import engine
    from mlready.hooks.discovery import SourceFile, classify, discover
    from mlready.hooks.fixes import MAX_PASSES, apply_edits, decode

    data = sys.stdin.buffer.read()
    path = "-"
    if name is not None:
        full = name.absolute()
        inside = settings.root == full.parent or settings.root in full.parents
        path = (Path(os.path.relpath(full, settings.root)).as_posix() if inside
                else name.as_posix())
    kind = classify(path) if name is not None else "python"
    target = SourceFile(path, kind or "python")
    project = ([*discover(settings.root, [settings.root], settings.excludes,
                          respect_gitignore=settings.respect_gitignore), target]
               if any(r.cross for r in settings.rules) else [target])
    def checked(text: bytes) -> Report:
        return engine.run(settings._replace(cache_dir=None, overlay={path: text}), [target],
                          project)

    report = checked(data)
    for _ in range(MAX_PASSES if fix else 0):  # as `_fix`: again while a pass fixed some
        decoded = decode(path, data)
        if decoded is None:
            break
        pairs = [(d, d.autofix) for d in report.diagnostics if d.autofix and d.fixable(unsafe)]
        after, done = apply_edits(decoded[0], pairs)
        if not done:
            break
        data = after.encode(decoded[1])
        report = checked(data)
    # reported under the name the editor gave, as ruff does
    shown = name.as_posix() if name is not None else "-"
    source_lines: Lines = {
        (shown, None): data.decode("utf-8", "replace").splitlines(keepends=True)}
    report = report._replace(unsafe_fixes=unsafe, diagnostics=tuple(
        d._replace(path=shown) if d.path == path else d for d in report.diagnostics))
    if fix:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        text = render(settings.output_format, report, False, max(quiet, 1), source_lines,
                       from_cwd=False)
        if quiet < 2 and report.diagnostics:
            click.echo(text, nl=False, err=True)
    else:
        color = use_color(sys.stdout.isatty())
        text = render(settings.output_format, report, color, quiet, source_lines,
                       from_cwd=False)
        if quiet < 2:
            click.echo(text, nl=False, color=color)
    for line in report.errors:
        error(line)
    if report.errors:
        return 2
    return 0 if exit_zero else findings_exit(report, settings.fail_on)
