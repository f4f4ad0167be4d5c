"""``full``: each finding with its source line, a caret under the span, and the fix hint.

Shaped like ruff's full output::

    train.py:12:23: MLR101 `torch.optim.Adam(lr=3e-4)`: learning rate is a literal
       |
    12 | opt = torch.optim.Adam(p, lr=3e-4)
       |                           ^^^^^^^ MLR101
       |
       = help: read it from the config
"""

from __future__ import annotations

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import Lines, printable
from mlready.hooks.output.concise import fix_hint, summary
from mlready.hooks.output.concise import line as header


def snippet(diagnostic: Diagnostic, lines: Lines) -> list[str]:
    source = lines.get((diagnostic.path, diagnostic.cell))
    out: list[str] = []
    if source is not None and 0 < diagnostic.line <= len(source):
        text = printable(source[diagnostic.line - 1].expandtabs(1))
        gutter = " " * len(str(diagnostic.line))
        start = max(diagnostic.col - 1, 0)
        if diagnostic.end_line == diagnostic.line and diagnostic.end_col:
            width = max(diagnostic.end_col - diagnostic.col, 1)
        else:
            width = max(len(text.rstrip()) - start, 1)
        out += [f"{gutter} |", f"{diagnostic.line} | {text}",
                f"{gutter} | {' ' * start}{'^' * width} {diagnostic.code}", f"{gutter} |"]
        if diagnostic.fix:
            out.append(f"{gutter} = help: {printable(diagnostic.fix)}")
    elif diagnostic.fix:
        out.append(f"  = help: {printable(diagnostic.fix)}")
    return out


def render(report: Report, lines: Lines | None = None) -> str:
    blocks = []
    for diagnostic in report.diagnostics:
        blocks.append("\n".join([header(diagnostic, report.unsafe_fixes),
                                 *snippet(diagnostic, lines or {}), *fix_lines(diagnostic)]))
    blocks.append("\n".join([summary(report),
                             *fix_hint(report)]))
    return "\n\n".join(blocks) + "\n"


def fix_lines(diagnostic: Diagnostic) -> list[str]:
    """What the automatic fix does, and whether ``--fix`` alone applies it."""
    fix = diagnostic.autofix
    if fix is None:
        return []
    how = "" if fix.applicability == "safe" else " (unsafe: needs --unsafe-fixes)"
    return [f"  = fix: {printable(fix.message)}{how}"]
