"""``full``: each finding with its source in context, the span marked, the hint and the fix.

Shaped like ruff's full output: two lines of context either side, carets under the
span (every line of a multi-line span), the help line, and the automatic fix as ruff
shows it, the changed lines with their old and new numbers::

    train.py:3:7: MLR301 [*] `torch.load(path)`: unpickles arbitrary objects
      |
    1 | import torch
    2 |
    3 | ckpt = torch.load(path)
      |        ^^^^^^^^^^^^^^^^ MLR301
      |
      = help: pass weights_only=True

    \N{INFORMATION SOURCE} Safe fix: add weights_only=True
    1 1 | import torch
    2 2 |
    3   |-ckpt = torch.load(path)
      3 |+ckpt = torch.load(path, weights_only=True)

The source lines are handed in (`mlready.hooks.output.sources`, with their line
endings, so that a fix's character offsets apply to them as to the file).
"""

from __future__ import annotations

from collections.abc import Sequence

from mlready.hooks.engine import Report
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import Lines, paint, printable
from mlready.hooks.output.concise import fix_hint, summary
from mlready.hooks.output.concise import line as header

CONTEXT = 2  # lines shown before and after the span, and around a fix's changes (ruff's)
MAX_SPAN = 8  # lines of a multi-line span marked; the rest is cut


def _shown(text: str) -> str:
    return printable(text.rstrip("\r\n").expandtabs(1))


def _marks(diagnostic: Diagnostic, number: int, text: str) -> tuple[int, int]:
    """The [start, stop) columns marked on line ``number`` of the span."""
    start = diagnostic.col - 1 if number == diagnostic.line else len(text) - len(text.lstrip())
    if number == (diagnostic.end_line or diagnostic.line) and diagnostic.end_col:
        stop = diagnostic.end_col - 1
    else:
        stop = len(text.rstrip())
    start = max(start, 0)
    return start, max(stop, start + 1)


def snippet(diagnostic: Diagnostic, lines: Lines, color: bool = False) -> list[str]:
    """The source around the finding with its span marked, and the help line."""
    source = lines.get((diagnostic.path, diagnostic.cell))
    out: list[str] = []
    blue = {"fg": "blue", "bold": True}
    if source is None or not 0 < diagnostic.line <= len(source):
        if diagnostic.fix:
            out.append(f"  {paint('=', color, **blue)} help: {printable(diagnostic.fix)}")
        return out
    last = max(min(diagnostic.end_line or diagnostic.line, len(source)), diagnostic.line)
    last = min(last, diagnostic.line + MAX_SPAN - 1)
    first_shown = max(1, diagnostic.line - CONTEXT)
    last_shown = min(len(source), last + CONTEXT)
    width = len(str(last_shown))
    bar = paint("|", color, **blue)
    gutter = f"{' ' * width} {bar}"
    out.append(gutter)
    for number in range(first_shown, last_shown + 1):
        text = _shown(source[number - 1])
        out.append(f"{paint(str(number).rjust(width), color, **blue)} {bar} {text}".rstrip())
        if diagnostic.line <= number <= last:
            start, stop = _marks(diagnostic, number, text)
            label = f" {diagnostic.code}" if number == last else ""
            out.append(f"{gutter} {' ' * start}"
                       f"{paint('^' * (stop - start) + label, color, fg='red', bold=True)}")
    out.append(gutter)
    if diagnostic.fix:
        out.append(f"{' ' * width} {paint('=', color, **blue)} help: "
                   f"{printable(diagnostic.fix)}")
    return out


def _apply(text: str, diagnostic: Diagnostic) -> str | None:
    fix = diagnostic.autofix
    if fix is None:
        return None
    pieces, last = [], 0
    for edit in sorted(fix.edits):
        if edit.start < last or edit.end > len(text) or edit.start > edit.end:
            return None
        pieces += [text[last:edit.start], edit.content]
        last = edit.end
    return "".join(pieces) + text[last:]


def fix_lines(diagnostic: Diagnostic, lines: Lines | None = None,
              color: bool = False) -> list[str]:
    """The automatic fix: whether ``--fix`` alone applies it, what it does, and (with the
    source) the changed lines, as ruff shows them (``3   |-old`` and ``  3 |+new``)."""
    fix = diagnostic.autofix
    if fix is None:
        return []
    kind = "Safe fix" if fix.applicability == "safe" else "Unsafe fix"
    how = "" if fix.applicability == "safe" else " (needs --unsafe-fixes)"
    info = paint("\N{INFORMATION SOURCE}", color, fg="cyan")
    out = [f"{info} {kind}: {printable(fix.message)}{how}"]
    source = (lines or {}).get((diagnostic.path, diagnostic.cell))
    after = _apply("".join(source), diagnostic) if source is not None else None
    if source is None or after is None:
        return out
    return out + _diff(list(source), after.splitlines(keepends=True), color)


def _diff(before: Sequence[str], after: Sequence[str], color: bool) -> list[str]:
    import difflib

    width = len(str(max(len(before), len(after), 1)))
    blank = " " * width
    out: list[str] = []
    groups = difflib.SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(
        CONTEXT)
    for index, group in enumerate(groups):
        if index:
            out.append(f"{blank} {blank} {paint('|', color, fg='blue', bold=True)} ...")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [f"{i + 1:>{width}} {j + 1:>{width}} | {_shown(before[i])}".rstrip()
                        for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            out += [paint(f"{i + 1:>{width}} {blank} |-{_shown(before[i])}", color, fg="red")
                    for i in range(i1, i2)]
            out += [paint(f"{blank} {j + 1:>{width}} |+{_shown(after[j])}", color, fg="green")
                    for j in range(j1, j2)]
    return out


def render(report: Report, lines: Lines | None = None, color: bool = False,
           quiet: bool = False) -> str:
    """Every finding with its source; then, unless ``quiet``, the summary and fix hint."""
    blocks = []
    for diagnostic in report.diagnostics:
        fix = fix_lines(diagnostic, lines, color)
        blocks.append("\n".join([header(diagnostic, report.unsafe_fixes, color),
                                 *snippet(diagnostic, lines or {}, color),
                                 *([""] if fix else []), *fix]))
    if not quiet:
        blocks.append("\n".join([summary(report), *fix_hint(report)]))
    return "\n\n".join(blocks) + "\n" if blocks else ""
