"""``concise``: one line per finding, ``path:line:col: CODE message``, exactly like ruff.

Notebook cells read ``path:cell N:line:col``, as in ruff. A summary line follows, so
that an empty output is never ambiguous; it counts the findings by severity.
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import severities
from mlready.hooks.output import summary as count_line


def line(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.location}: {diagnostic.code} {diagnostic.message}"


def summary(report: Report) -> str:
    return count_line(report.diagnostics, severities(report.rules))


def render(report: Report) -> str:
    lines = [line(d) for d in report.diagnostics]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
