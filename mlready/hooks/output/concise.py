"""``concise``: one line per finding, ``path:line:col: CODE message``, exactly like ruff.

Notebook cells read ``path:cell N:line:col``, as in ruff. A summary line follows, so
that an empty output is never ambiguous; it counts the findings by severity.
Control characters in names and messages are printed as Python escapes
(`mlready.hooks.output.printable`).
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import line_start, paint, printable, severities
from mlready.hooks.output import summary as count_line


def line(diagnostic: Diagnostic, unsafe_fixes: bool = False, color: bool = False) -> str:
    """One finding; the path and message escaped (`printable`), as in every text format.
    ``[*]`` after the code marks a finding ``--fix`` would fix, as ruff marks it. With
    ``color``, ruff's colours: the path bold, the separators cyan, the code red and
    bold, the fix mark cyan."""
    mark = paint("[*]", color, fg="cyan") + " " if diagnostic.fixable(unsafe_fixes) else ""
    sep = paint(":", color, fg="cyan")
    cell = f"cell {diagnostic.cell}{sep}" if diagnostic.cell is not None else ""
    where = (f"{paint(line_start(printable(diagnostic.path)), color, bold=True)}{sep}{cell}"
             f"{diagnostic.line}{sep}{diagnostic.col}{sep}")
    return (f"{where} {paint(diagnostic.code, color, fg='red', bold=True)} {mark}"
            f"{printable(diagnostic.message)}")


def summary(report: Report) -> str:
    """``Found 3 findings: 2 errors, 1 warning.``, or ``All checks passed!``; after ``--fix``,
    as ruff counts it: ``Found 3 findings (2 fixed, 1 remaining: 1 warning).``"""
    remaining = count_line(report.diagnostics, severities(report.rules))
    fixed = len(report.fixed)
    if not fixed:
        return remaining
    total = len(report.diagnostics) + fixed
    kinds = f": {remaining.split(': ', 1)[1][:-1]}" if report.diagnostics else ""
    return (f"Found {total} finding{'s' if total != 1 else ''} ({fixed} fixed, "
            f"{len(report.diagnostics)} remaining{kinds}).")


def fix_hint(report: Report) -> list[str]:
    """ruff's line under the summary: how many findings ``--fix`` would fix, and how
    many more ``--unsafe-fixes`` would (hidden fixes)."""
    fixable = sum(d.fixable(report.unsafe_fixes) for d in report.diagnostics)
    hidden = 0 if report.unsafe_fixes else sum(
        d.autofix is not None and not d.fixable() for d in report.diagnostics)
    more = (f" ({hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the "
            "`--unsafe-fixes` option)") if hidden else ""
    if fixable:
        return [f"[*] {fixable} fixable with the `--fix` option{more}."]
    return [f"No fixes available{more}."] if hidden else []


def render(report: Report, color: bool = False, quiet: bool = False) -> str:
    """Every finding, then (unless ``quiet``: ``-q``) the summary and the fix hint."""
    lines = [line(d, report.unsafe_fixes, color) for d in report.diagnostics]
    if quiet:
        return "".join(f"{text}\n" for text in lines)
    lines.append(summary(report))
    lines.extend(fix_hint(report))
    return "\n".join(lines) + "\n"
