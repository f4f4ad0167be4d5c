"""Where an item sits in a TOML file: a scanner for positions, not values.

``tomllib`` gives values without positions, yet a finding must point at the line of
the dependency string inside the array. The values come from the parsed document (the
truth) and the positions from this small scanner over the text, which only
understands what it needs: table headers, keys, strings, brackets and comments.
"""

from __future__ import annotations

from mlready.hooks import patterns

# The name inside the brackets, without the spaces around it. Possessive runs, and inner
# spaces only when a name character follows: linear on any line (a lazy name before
# `\s*\]` was cubic on `[` and a long run of spaces).
HEADER = patterns.compile(r"^\s*+\[\s*+((?:[^\[\]\s]++|\s++(?=[^\[\]\s]))++)\s*+\]\s*+(?:#.*)?$")
_KEY_PART = r"""(?:"[^"]*+"|'[^']*+'|[A-Za-z0-9_\-]++)"""  # possessive: no backtracking
KEY = patterns.compile(rf"^\s*+({_KEY_PART}(?:\s*+\.\s*+{_KEY_PART})*+)\s*+=\s*")
PART = patterns.compile(_KEY_PART)


Position = tuple[int, int]


def parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in PART.findall(dotted))


def _skip_string(lines: list[str], row: int, col: int) -> Position:
    """The position just after the TOML string that starts at (row, col)."""
    quote = lines[row][col]
    triple = lines[row].startswith(quote * 3, col)
    closing = quote * 3 if triple else quote
    col += len(closing)
    while row < len(lines):
        text = lines[row]
        while col < len(text):
            if quote == '"' and text[col] == "\\":
                col += 2
                continue
            if text.startswith(closing, col):
                return row, col + len(closing)
            col += 1
        if not triple:
            return row, len(text)
        row, col = row + 1, 0
    return row, 0


def _array_items(lines: list[str], row: int, col: int) -> list[Position]:
    """1-based (line, column) of each top-level item of the array opening at (row, col)."""
    items: list[Position] = []
    depth = braces = 0
    while row < len(lines):
        text = lines[row]
        while col < len(text):
            char = text[col]
            top = depth == 1 and braces == 0
            if char == "#":
                break
            if char in "\"'":
                if top:
                    items.append((row + 1, col + 1))
                row, col = _skip_string(lines, row, col)
                text = lines[row] if row < len(lines) else ""
                continue
            if char in "[{" and top:
                items.append((row + 1, col + 1))
            depth += char == "["
            depth -= char == "]"
            braces += char == "{"
            braces -= char == "}"
            if depth == 0:
                return items
            col += 1
        row, col = row + 1, 0
    return items


def locate_array(lines: list[str], path: tuple[str, ...]) -> tuple[int, list[Position]]:
    """The key's 1-based line and its array items' positions, for a dotted ``path``."""
    table: tuple[str, ...] = ()
    for row, text in enumerate(lines):
        header = HEADER.match(text)
        if header:
            table = ("[[",) if text.lstrip().startswith("[[") else parts(header.group(1))
            continue
        key = KEY.match(text)
        if key is None or table + parts(key.group(1)) != path:
            continue
        start = key.end()
        if start < len(text) and text[start] == "[":
            return row + 1, _array_items(lines, row, start)
        return row + 1, []
    return 0, []



def key_line(lines: list[str], table: tuple[str, ...], key: str) -> tuple[int, int]:
    """1-based (line, column) of ``key = ...`` inside ``[table]`` (or of the table's header)."""
    current: tuple[str, ...] = ()
    for row, text in enumerate(lines):
        header = HEADER.match(text)
        if header:
            current = parts(header.group(1))
            if current == (*table, key):
                return row + 1, 1
            continue
        match = KEY.match(text)
        if match and current == table and parts(match.group(1)) == (key,):
            return row + 1, len(text) - len(text.lstrip()) + 1
    return 1, 1
