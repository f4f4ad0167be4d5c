"""``github``: GitHub Actions workflow commands, one annotation per finding.

The annotation's level is the rule's severity: ``::error`` for an error, ``::warning``
for a warning, ``::notice`` for a note. The message carries the fix as a ``help:`` line,
as ``full`` prints it.

The escaping is the Actions toolkit's (``@actions/core`` ``command.ts``): in the
message, ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D`` and ``%0A``; in property
values ``:`` and ``,`` are escaped too (``%3A``, ``%2C``), since they delimit
properties. A finding in a notebook cell has no line of the ``.ipynb`` file to point
at, so it becomes a file-level annotation whose message names the cell and line.

A finding about the whole project (no tests, no README, no dependency manifest: the
path ``.``) has no file either, and ``file=.`` names a folder, which GitHub cannot show
in a file. Its annotation has no ``file``, ``line`` or ``col`` at all: the workflow
commands take every property as optional, and without a file the annotation belongs
to the run and shows in its summary.
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import (
    UNKNOWN_SEVERITY,
    escape_data,
    escape_property,
    severities,
    severity_of,
    with_help,
)

# A severity's workflow command: GitHub calls its lowest annotation level "notice".
LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def command(diagnostic: Diagnostic, severity: str = UNKNOWN_SEVERITY) -> str:
    props: list[tuple[str, object]] = []
    message = with_help(diagnostic)
    if diagnostic.about_project:
        pass  # no file to point at: an annotation of the run (see the module docstring)
    elif diagnostic.cell is None:
        props += [("file", diagnostic.path), ("line", diagnostic.line),
                  ("col", diagnostic.col)]
        if diagnostic.end_line is not None:
            props.append(("endLine", diagnostic.end_line))
            if diagnostic.end_col is not None:
                props.append(("endColumn", diagnostic.end_col))
    else:
        props.append(("file", diagnostic.path))
        message = f"cell {diagnostic.cell}, line {diagnostic.line}: {message}"
    props.append(("title", diagnostic.code))
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{LEVELS.get(severity, 'error')} {rendered}::{escape_data(message)}"


def render(report: Report) -> str:
    table = severities(report.rules)
    return "".join(command(d, severity_of(d, table)) + "\n" for d in report.diagnostics)
