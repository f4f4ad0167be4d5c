"""The stored shape of the seeding facts: what `units` packs per file and what
`callgraph` unpacks across files.

Kept apart from `mlready.hooks.rules.seeds.units` (the per-file analysis) so that the
cross-file pass, which runs on every check, does not import the analysis: a run that
finds every file in the cache never analyses one. `units` re-exports everything here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

VERSION = 5  # bump when the layout changes: `callgraph` ignores other versions
MODULE_UNIT = "<module>"
GUARD_UNIT = "__main__"

Facts = dict[str, Any]
Event = list[Any]


def pack(events: list[Event], calls: dict[str, int],
         column: Callable[[int, int], int] | None = None) -> str:
    """Events as one string: a line per event, tab-separated fields; a call's target is
    an index into the file's table ``calls`` (filled here), the end line is relative.
    ``column`` turns AST byte offsets into 1-based character columns (done here, for
    the events that are kept, rather than for every event found)."""
    rows = []
    for kind, line, col, end_line, end_col, name, extra in events:
        if column is not None:
            col, end_col = column(line, col), column(end_line, end_col)
        if isinstance(extra, list):
            extra = ",".join(extra)
        if kind == "c":
            text = str(calls.setdefault(name, len(calls)))
        else:
            text = name.replace("\t", " ").replace("\n", " ")
        rows.append(f"{kind}\t{line}\t{col}\t{end_line - line}\t{end_col}\t{text}\t"
                    f"{'' if extra is None else extra}")
    return "\n".join(rows)


def unpack(text: str, calls: list[str]) -> list[Event]:
    """The events `pack` packed, with call targets and ``extra`` restored."""
    events: list[Event] = []
    for row in text.split("\n") if text else ():
        kind, line, col, end_line, end_col, name, raw = row.split("\t")
        extra: Any = raw
        if kind == "s":
            extra = raw.split(",")
        elif kind in "cbk":
            extra = int(raw or 0)
        if kind == "c":
            name = calls[int(name)]
        start = int(line)
        events.append([kind, start, int(col), start + int(end_line), int(end_col), name, extra])
    return events


def unit_header(text: str) -> tuple[str, bool, str]:
    """A packed unit's (entry kind, trains in a loop, packed events).

    A unit is ``"<entry>\\t<0|1>\\n"`` followed by its packed events: the entry kind
    (``click``, ``hydra``, ... or empty) and whether it trains in a loop of its own.
    """
    header, _, packed = text.partition("\n")
    entry, _, loop = header.partition("\t")
    return entry, loop == "1", packed
