"""``concise``: one line per finding, ``path:line:col: CODE message``, exactly like ruff.

Notebook cells read ``path:cell N:line:col``, as in ruff. A summary line follows, so
that an empty output is never ambiguous.
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic


def line(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.location}: {diagnostic.code} {diagnostic.message}"


def summary(count: int) -> str:
    if count == 0:
        return "All checks passed!"
    return f"Found {count} error{'s' if count != 1 else ''}."


def render(report: Report) -> str:
    lines = [line(d) for d in report.diagnostics]
    lines.append(summary(len(report.diagnostics)))
    return "\n".join(lines) + "\n"
