"""MLR900 `unused-noqa`: a ``# noqa`` for an mlready rule that silences nothing.

## What it does
Reports a ``# noqa: MLR001`` (or a code in a longer list) on a line where that rule,
selected in this run, reported nothing, and a ``# noqa`` naming an ``MLR`` code that is
no rule at all. Codes of other tools (``E501``, ``F401``) are theirs and left alone, a
bare ``# noqa`` may be for another tool and is left alone too, and a code whose rule is
not selected is never judged: nobody can tell what it would have reported. A prefix
(``# noqa: MLR1``) is judged only when every rule it covers is selected. This is
ruff's ``RUF100``.

A file that did not parse (MLR000) is not judged, since no other rule read it, nor are
notebook cells and file-level ``# mlready: noqa`` comments.

## Why is this bad?
A ``noqa`` outlives the finding it was written for: the code is fixed, or the rule got
smarter, and the comment stays. It then silences the next real finding on that line
without anyone deciding to, and tells a reader that something is wrong where nothing is.

## Example
```python
import random

random.seed(0)  # noqa: MLR001, E501
```

## Use instead
```python
import random

random.seed(0)  # noqa: E501
```

## Fix safety
The fix is safe: it removes the unused codes from the comment, or the whole ``# noqa``
when no code is left (other comments on the line stay), so that nothing that is
reported today changes.

## References
- [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
- [ruff: error suppression](https://docs.astral.sh/ruff/linter/#error-suppression)
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.suppression import ALL, Directive, directives

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult
    from mlready.hooks.rules import Rule

CODE = "MLR900"
SEVERITY = "warning"
NAME = "unused-noqa"
KINDS = ("python", "requirements", "pyproject", "setup_cfg", "config")
EXPLICIT = True  # off by default, as ruff's RUF100: only its code, its name or ALL
OURS = "MLR"
_SYNTAX_ERROR = "MLR000"


def _judge(code: str, selected: Collection[str], known: Collection[str]) -> str | None:
    """Why ``code`` may be called unused: ``unused`` (its rules all ran), ``unknown``
    (no rule has it), or None when we cannot tell (another tool's, or not selected)."""
    if not code.startswith(OURS) or code == CODE:
        return None
    covered = [c for c in known if c.startswith(code)]
    if not covered:
        return "unknown" if len(code) == len(CODE) else None
    return "unused" if all(c in selected for c in covered) else None


def _used(noqa_lines: Mapping[int, tuple[str, ...]], found: Sequence[Diagnostic]
          ) -> dict[int, set[str]]:
    """Line -> the noqa codes there that silenced a finding of this run."""
    used: dict[int, set[str]] = {}
    for diagnostic in found:
        for line in {diagnostic.line, diagnostic.end_line or diagnostic.line}:
            codes = noqa_lines.get(line, ())
            used.setdefault(line, set()).update(
                c for c in codes if c != ALL[0] and diagnostic.code.startswith(c))
    return used


def _comment_starts(text: str) -> dict[int, int] | None:
    """Line -> column of its comment, for Python (a ``# noqa`` in a string is no
    comment); None when the file does not tokenize."""
    try:
        return {tok.start[0]: tok.start[1]
                for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT}
    except (tokenize.TokenError, SyntaxError):
        return None


def _edit(line_text: str, begin: int, directive: Directive, drop: set[int]) -> Edit:
    """The edit that removes codes ``drop`` (indexes) from one directive."""
    kept = [code for n, (code, _, _) in enumerate(directive.codes) if n not in drop]
    if kept:
        first, last = directive.codes[0][1], directive.codes[-1][2]
        return Edit(begin + first, begin + last, ", ".join(kept))
    rest = line_text[directive.end:]
    after = directive.end + len(rest) - len(rest.lstrip())
    if rest.strip() and not rest.lstrip().startswith("#"):
        # words after the codes (`noqa: MLR001 because ...`) stay a comment
        return Edit(begin + directive.start, begin + after, "# ")
    before = len(line_text[:directive.start].rstrip())
    return Edit(begin + before, begin + directive.end, "")


def file_findings(path: str, text: str, noqa_lines: Mapping[int, tuple[str, ...]],
                  found: Sequence[Diagnostic], selected: Collection[str],
                  known: Collection[str]) -> Iterator[Diagnostic]:
    """The unused codes of one file's ``# noqa`` comments, each directive one finding
    with its fix. ``found`` are the file's findings before ``noqa`` (after
    ``per-file-ignores``), ``selected`` the codes that ran, ``known`` every rule's code."""
    from mlready.hooks.fixes import line_starts

    used = _used(noqa_lines, found)
    starts = line_starts(text)
    comments = _comment_starts(text) if path.endswith(".py") else None
    if path.endswith(".py") and comments is None:
        return
    for number in sorted(noqa_lines):
        if noqa_lines[number] == ALL or number > len(starts):
            continue
        begin = starts[number - 1]
        end = starts[number] if number < len(starts) else len(text)
        line_text = text[begin:end].rstrip("\r\n")
        for directive in directives(line_text):
            if comments is not None and directive.start < comments.get(number, len(line_text)):
                continue  # inside a string, not a comment
            drop: dict[int, str] = {}
            for n, (code, _, _) in enumerate(directive.codes):
                why = _judge(code, selected, known)
                if why == "unknown" or (why == "unused" and code not in used.get(number, ())):
                    drop[n] = code
            if not drop:
                continue
            names = ", ".join(drop.values())
            yield Diagnostic(
                path, number, directive.codes[min(drop)][1] + 1, CODE,
                f"unused `noqa` directive: {_why(list(drop.values()), selected, known)}",
                end_line=number, end_col=directive.codes[max(drop)][2] + 1,
                fix=f"remove {names} from the comment",
                autofix=Fix("safe", (_edit(line_text, begin, directive, set(drop)),),
                            f"remove the unused {names}"))


def _why(codes: list[str], selected: Collection[str], known: Collection[str]) -> str:
    """``MLR001 reported nothing on this line; MLR999 is no mlready rule``."""
    unknown = [c for c in codes if _judge(c, selected, known) == "unknown"]
    unused = [c for c in codes if c not in unknown]
    parts = []
    if unused:
        parts.append(f"{', '.join(unused)} reported nothing on this line")
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        parts.append(f"{', '.join(unknown)} {verb} no mlready rule")
    return "; ".join(parts)


def findings(root: Path, results: Mapping[str, FileResult], found: Sequence[Diagnostic],
             rules: Sequence[Rule], all_codes: Collection[str],
             overlay: Mapping[str, bytes] | None = None) -> list[Diagnostic]:
    """Every unused ``noqa`` of the reported files (``results``), from their findings
    before suppression (``found``) and the selected ``rules``. Works the same on a warm
    per-file cache: a cached result keeps its findings before ``noqa``, and its ``noqa``."""
    from mlready.hooks.cache import digest
    from mlready.hooks.fixes import decode
    from mlready.reading import read_regular

    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in found:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    selected = {rule.code for rule in rules}
    out: list[Diagnostic] = []
    for path, result in sorted(results.items()):
        mine = by_path.get(path, [])
        if not result.noqa.lines or result.cells is not None or result.errors or any(
                d.code == _SYNTAX_ERROR for d in mine):
            continue
        data = (overlay or {}).get(path)  # stdin's text stands in for the file
        try:
            data = data if data is not None else read_regular(root / path, root)
        except OSError:
            continue
        decoded = decode(path, data) if digest(data) == result.digest else None
        if decoded is not None:
            out.extend(file_findings(path, decoded[0], result.noqa.lines, mine, selected,
                                     all_codes))
    return out
