"""Files' cross-file facts as the project index (`mlready.hooks.project_index`) keeps
them: each distinct value of a file as one line of JSON, with its digest.

A one-file hook run needs every other file's facts, but only for the cross-file rules it
recomputes (`mlready.hooks.finalize` reuses the others), so a stored value is parsed
when first asked for, not when the index is loaded. Values are shared between the codes
of one file, as the per-file cache shares them (sibling rules collect one object), never
between files: a value is never one object in two files' facts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mlready.hooks.cache import digest


class Values:
    """The value lines of one loaded index, parsed on first use."""

    def __init__(self, lines: list[bytes], digests: list[str]) -> None:
        self.lines, self.digests = lines, digests
        self._parsed: dict[int, Any] = {}

    def get(self, number: int) -> Any:
        if number not in self._parsed:
            self._parsed[number] = json.loads(self.lines[number])
        return self._parsed[number]


class StoredFacts(Mapping[str, Any]):
    """One file's facts (rule code -> value) from the index, each parsed when read."""

    def __init__(self, refs: Mapping[str, int], values: Values) -> None:
        self.refs, self.table = refs, values

    def __getitem__(self, code: str) -> Any:
        return self.table.get(self.refs[code])

    def __contains__(self, code: object) -> bool:  # without parsing the value
        return code in self.refs

    def __iter__(self) -> Iterator[str]:
        return iter(self.refs)

    def __len__(self) -> int:
        return len(self.refs)


def encoded(facts: Mapping[str, Any]) -> dict[str, tuple[bytes, str]]:
    """Each code's value as a stored line and its digest (a stored file's as loaded;
    a fresh one's written once per distinct object, as `mlready.hooks.cache` writes it)."""
    if isinstance(facts, StoredFacts):
        table = facts.table
        return {code: (table.lines[n], table.digests[n]) for code, n in facts.refs.items()}
    lines: dict[int, tuple[bytes, str]] = {}
    out: dict[str, tuple[bytes, str]] = {}
    for code, value in facts.items():
        if id(value) not in lines:
            line = json.dumps(value, separators=(",", ":")).encode()
            lines[id(value)] = (line, digest(line))
        out[code] = lines[id(value)]
    return out
