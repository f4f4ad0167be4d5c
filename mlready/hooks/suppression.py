"""``# noqa`` comments, as ruff reads them.

- ``# noqa: MLR101, MLR102`` on a line silences those codes on that line;
  a bare ``# noqa`` silences every code on it.
- ``# mlready: noqa: MLR101`` anywhere in a file silences the code in the whole file;
  a bare ``# mlready: noqa`` silences the whole file.

Codes may be prefixes (``MLR1``), as in selections. The scan is a regular expression
over the lines rather than a tokenizer pass: it is cheap, works for every file type
with ``#`` comments (requirements, YAML, TOML), and a ``# noqa`` inside a string is
rare enough not to pay a tokenizer for. The result is a plain JSON-friendly value so
that the cache can keep it next to a file's findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from mlready.hooks.model import Diagnostic
from mlready.records import NamedTuple

_CODES = r"[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*"


@cache
def _line_re() -> re.Pattern[str]:
    return re.compile(rf"(?i:#\s*noqa)(?::\s*(?P<codes>{_CODES}))?")


@cache
def _file_re() -> re.Pattern[str]:
    return re.compile(rf"(?i:#\s*mlready:\s*noqa)(?::\s*(?P<codes>{_CODES}))?")


ALL = ("*",)


def _codes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ALL
    return tuple(code for code in re.split(r"[\s,]+", text.strip()) if code)


def _covers(codes: tuple[str, ...], code: str) -> bool:
    return codes == ALL or any(code.startswith(prefix) for prefix in codes)


class Noqa(NamedTuple):
    """The suppressions of one file: per line (1-based) and for the whole file."""

    lines: Mapping[int, tuple[str, ...]]
    file: tuple[str, ...] = ()

    def suppresses(self, diagnostic: Diagnostic) -> bool:
        if self.file and _covers(self.file, diagnostic.code):
            return True
        for line in {diagnostic.line, diagnostic.end_line or diagnostic.line}:
            codes = self.lines.get(line)
            if codes and _covers(codes, diagnostic.code):
                return True
        return False

    def to_json(self) -> dict[str, object]:
        return {"lines": {str(k): list(v) for k, v in self.lines.items()},
                "file": list(self.file)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Noqa:
        lines = data.get("lines", {})
        file = data.get("file", [])
        assert isinstance(lines, dict) and isinstance(file, list)
        return cls({int(k): tuple(v) for k, v in lines.items()}, tuple(file))


@cache
def _any_re() -> re.Pattern[str]:
    return re.compile(r"(?i)#\s*(?:mlready:\s*)?noqa")


@cache
def _code_re() -> re.Pattern[str]:
    return re.compile(r"[A-Z]+[0-9]*")


class Directive(NamedTuple):
    """One ``# noqa`` comment of a line, with offsets into that line's text: from its
    ``#`` to the end of its codes, and each code with its own span. What
    `mlready.hooks.rules.unused_noqa` edits when a code silences nothing."""

    start: int
    end: int
    codes: tuple[tuple[str, int, int], ...]  # (code, start, end); empty for a bare noqa


def directives(text: str) -> list[Directive]:
    """Every line-level ``# noqa`` of one line (a file-level ``# mlready: noqa`` is not
    one: its ``#`` is followed by ``mlready:``)."""
    found = []
    for match in _line_re().finditer(text):
        codes: tuple[tuple[str, int, int], ...] = ()
        if match.group("codes"):
            base = match.start("codes")
            codes = tuple((m.group(), base + m.start(), base + m.end())
                          for m in _code_re().finditer(match.group("codes")))
        found.append(Directive(match.start(), match.end(), codes))
    return found


def scan(source: str) -> Noqa:
    """Read every ``noqa`` comment of a file. One regex pass over the whole text finds
    the (rare) lines that have one, so clean files cost no per-line Python work.

    Several ``# noqa`` on one line (a comment for another tool after ours, say) add up:
    the line is silenced for the codes of all of them, for every code if one is bare.
    """
    per_line: dict[int, tuple[str, ...]] = {}
    file_codes: list[str] = []
    file_all = False
    last_end, number = 0, 1
    for hit in _any_re().finditer(source):
        start = source.rfind("\n", 0, hit.start()) + 1
        if start < last_end:
            continue  # a second `noqa` on a line already read: read with the first
        number += source.count("\n", last_end, start)
        end = source.find("\n", hit.start())
        last_end = len(source) if end < 0 else end  # the last line may lack its newline
        text = source[start:last_end]
        for whole in _file_re().finditer(text):
            codes = _codes(whole.group("codes"))
            if codes == ALL:
                file_all = True
            else:
                file_codes.extend(codes)
        found = directives(text)
        if found:
            if any(not d.codes for d in found):
                per_line[number] = ALL
            else:
                per_line[number] = tuple(dict.fromkeys(c for d in found for c, _, _ in d.codes))
    file = ALL if file_all else tuple(dict.fromkeys(file_codes))
    return Noqa(per_line, file)
