"""``concise``: one line per finding, ``path:line:col: CODE message``, exactly like ruff.

Notebook cells read ``path:cell N:line:col``, as in ruff. A summary line follows, so
that an empty output is never ambiguous. Control characters in names and messages are
printed as Python escapes (`mlready.hooks.output.printable`).
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import line_start, printable


def line(diagnostic: Diagnostic) -> str:
    """One finding; the path and message escaped (`printable`), as in every text format."""
    return line_start(f"{printable(diagnostic.location)}: {diagnostic.code} "
                      f"{printable(diagnostic.message)}")


def summary(count: int) -> str:
    if count == 0:
        return "All checks passed!"
    return f"Found {count} error{'s' if count != 1 else ''}."


def render(report: Report) -> str:
    lines = [line(d) for d in report.diagnostics]
    lines.append(summary(len(report.diagnostics)))
    return "\n".join(lines) + "\n"
