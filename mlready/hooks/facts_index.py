"""The facts half of the project index (`mlready.hooks.project_index`): each file's
cross-file facts, and the cross-file rules' last results, kept so that a one-file run
reads, compares and writes about what changed, not the whole project's facts.

Two entries, as git splits its index. The base holds every file's facts (14 MB for
torch's tree) and is read only when a rule has to be run again or a file's facts are
needed. The recent part, read by every run the memo does not answer, holds the rows of
the files that changed since the base was written, the rules' results, and one line per
file of the project: its kind, its content digest and a digest of its facts (`summed`).
That table says, without the base, which files the index has facts for and whether a
file just read has the facts it had when the rules' results were computed
(`mlready.hooks.finalize` reuses a result on that). The base is written anew (folded)
when the recent part's rows pass an eighth of it, so writing costs a run about what
changed.

A file's facts are a function of its path, kind and content under one cache salt: a row
is right for that content whichever run wrote it. So a base gone or replaced (two runs
at once, one folding) costs speed, never exactness: a file the table knows but no row
holds is read from its own cache entry, or analysed again, when its facts are needed.
The base has two names (`SLOTS`), and a fold writes the one the recent part does not
name, so a project's index is never more than three files. With a new random name per
fold (as before), two runs folding at once each wrote a base, the recent part named
one, and the other stayed until the cache's 30-day prune (four cold runs at once left
three orphaned bases of the whole project's facts); deleting the predecessor could also
take a base from under a run that had just read the recent part naming it. Now nothing
is deleted: a fold renames over the older slot, and a run that reads a slot another run
has since rewritten finds rows checked by content digest, as with any replaced base.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from mlready.hooks.cache import Cache, digest, read_entry
from mlready.hooks.stored_facts import StoredFacts, Values, encoded
from mlready.records import NamedTuple

FORMAT = 3
FOLD_ROWS = 64  # the recent part is folded into the base past this many rows (and
FOLD_SHARE = 8  # past an eighth of the base's)
SLOTS = ("a", "b")  # the base's names: a fold writes the one the recent part does not name

# A file's facts as indexed: its kind, its content digest, and each code's value as a
# stored line with that line's digest (`mlready.hooks.stored_facts.encoded`).
FactsRow = tuple[str, str, Mapping[str, tuple[bytes, str]]]
Rows = dict[str, tuple[str, str, StoredFacts]]  # path -> (kind, digest, facts), as read
Sums = dict[str, tuple[str, str, str]]  # path -> (kind, content digest, `summed` facts)


def summed(values: Mapping[str, tuple[bytes, str]]) -> str:
    """One digest of a file's facts: its codes, each with its value's digest."""
    return digest("\0".join(f"{code}\0{values[code][1]}" for code in sorted(values)).encode())


def encoded_row(stored: tuple[str, str, StoredFacts]) -> FactsRow:
    kind, file_digest, facts = stored
    return (kind, file_digest, encoded(facts))


class Part(NamedTuple):
    """One facts entry as read: its rows, and (the recent part's) the rules' results,
    the table of every file's facts digest, and the base it sits on with its row count."""

    rows: Rows
    finalized: Any = None
    sums: Sums = {}  # noqa: RUF012 - never mutated: each part read builds its own
    base: str | None = None
    base_rows: int = 0


class FactsIndex:
    """The recent part (read on first use) and the base (read only when needed)."""

    def __init__(self, cache: Cache, entry: Any) -> None:
        self.cache, self._entry = cache, entry  # entry(cache, part) -> the entry's path
        self._recent: Part | None = None
        self._base: Rows | None = None

    def path(self, part: str) -> Path:
        return self._entry(self.cache, part)  # type: ignore[no-any-return]

    @property
    def recent(self) -> Part:
        if self._recent is None:
            self._recent = _part(read_entry(self.path("recent")))
        return self._recent

    @property
    def base(self) -> Rows:
        """The base's rows (empty when the base the recent part names is gone)."""
        if self._base is None:
            name = self.recent.base
            self._base = _part(read_entry(self.path(f"facts {name}"))).rows if name else {}
        return self._base

    def indexed(self, path: str, kind: str, file_digest: str) -> bool:
        """Whether the index has the facts of ``path`` at this content (the table's
        word; the row itself is read when the facts are)."""
        return self.recent.sums.get(path, ("", "", ""))[:2] == (kind, file_digest)

    def facts_of(self, path: str, kind: str, file_digest: str) -> StoredFacts | None:
        """The facts of ``path`` at this content: the recent part's row, else the
        base's (read on first need), or None."""
        for rows in (self.recent.rows, None):
            stored = (rows if rows is not None else self.base).get(path)
            if stored is not None and stored[0] == kind and stored[1] == file_digest:
                return stored[2]
        return None

    def changed_codes(self, path: str, fresh: FactsRow) -> frozenset[str] | None:
        """The codes whose facts in ``fresh`` (this run's row of ``path``) differ from
        the ones the index has for it: empty when the facts are the same (a comment
        edited), None when the index has no facts of that file to compare with."""
        known = self.recent.sums.get(path)
        if known is None or known[0] != fresh[0]:
            return None
        if known[2] == summed(fresh[2]):
            return frozenset()
        stored = self.facts_of(path, known[0], known[1])
        if stored is None:
            return None
        old = encoded(stored)
        return frozenset(code for code in {*old, *fresh[2]}
                         if (old.get(code) or (b"", ""))[1] != (fresh[2].get(code) or (b"", ""))[1])

    def save(self, keep: Collection[str], facts: Mapping[str, FactsRow],
             dropped: Collection[str], finalized: Any) -> None:
        """The recent part with this run's rows (``facts``; those ``dropped`` were read
        but have none to keep), the table updated, the rules' results; folded into a
        new base when its rows have grown. Files not in ``keep`` are gone."""
        recent = self.recent
        gone = {*facts, *dropped}
        sums: Sums = {p: s for p, s in recent.sums.items() if p in keep and p not in gone}
        sums.update({p: (r[0], r[1], summed(r[2])) for p, r in facts.items()})
        rows: dict[str, FactsRow] = {p: encoded_row(r) for p, r in recent.rows.items()
                                     if p in keep and p not in gone}
        base = self._base  # not read for this: only when folding
        for path, fresh in facts.items():
            if base is None or path in recent.rows or path not in base \
                    or encoded_row(base[path]) != fresh:
                rows[path] = fresh
        base_id, base_rows = recent.base, recent.base_rows
        if len(rows) > max(FOLD_ROWS, base_rows // FOLD_SHARE) or (not base_id and rows):
            base_id, base_rows, sums = self._fold(keep, rows, sums)
            rows = {}
        if (base_id, finalized, sums) == (recent.base, recent.finalized, recent.sums) \
                and _same_rows(recent.rows, rows):
            return
        self.cache.write(self.path("recent"), _text(rows, finalized, sums, base_id, base_rows))
        if base_id != recent.base and recent.base and recent.base not in SLOTS:
            with contextlib.suppress(OSError):  # an older release's randomly named base
                self.path(f"facts {recent.base}").unlink()

    def _fold(self, keep: Collection[str], rows: Mapping[str, FactsRow], sums: Sums
              ) -> tuple[str | None, int, Sums]:
        """A new base of the old one's rows the table still names, and ``rows``; the
        table as that base has it (a file whose row is gone is read again next time)."""
        merged: dict[str, FactsRow] = {}
        for path, stored in self.base.items():
            if path in keep and path not in rows and sums.get(path, ("", ""))[:2] == stored[:2]:
                merged[path] = encoded_row(stored)
        merged.update(rows)
        sums = {p: (r[0], r[1], summed(r[2])) for p, r in merged.items()}
        if self.recent.base and _same_rows(self.base, merged):
            return self.recent.base, len(merged), sums
        name = SLOTS[1] if self.recent.base == SLOTS[0] else SLOTS[0]
        self.cache.write(self.path(f"facts {name}"), _text(merged, None, {}, None, 0))
        return name, len(merged), sums


def _same_rows(old: Rows, new: Mapping[str, FactsRow]) -> bool:
    """Whether ``new`` holds the rows ``old`` does, value for value."""
    return old.keys() == new.keys() and all(encoded_row(old[p]) == r for p, r in new.items())


def _part(data: bytes | None) -> Part:
    """A facts entry, as `_text` writes it; empty when missing, truncated or malformed
    (no facts known, no results kept)."""
    if data is None:
        return Part({})
    try:
        return _tables(data)
    except Exception:
        return Part({})


def _tables(data: bytes) -> Part:
    table, _, values_part = data.partition(b"\n")
    loaded = json.loads(table)
    if loaded["format"] != FORMAT:
        raise ValueError("another format")
    lines = values_part.split(b"\n") if values_part else []
    digests = [str(d) for d in loaded["digests"]]
    if len(lines) != len(digests):
        raise ValueError("truncated")
    values = Values(lines, digests)
    facts = {str(p): (str(kind), str(file_digest),
                      StoredFacts({str(c): int(n) for c, n in refs.items()}, values))
             for p, (kind, file_digest, refs) in loaded["facts"].items()}
    for _, _, stored in facts.values():
        if any(not 0 <= n < len(lines) for n in stored.refs.values()):
            raise ValueError("a value out of range")
    sums: Sums = {str(p): (str(k), str(d), str(s)) for p, (k, d, s) in loaded["sums"].items()}
    base = loaded["base"]
    return Part(facts, loaded["finalized"], sums, str(base) if base else None,
                int(loaded["base_rows"]))


def _text(facts: Mapping[str, FactsRow], finalized: Any, sums: Sums, base: str | None,
          base_rows: int) -> str:
    """A facts entry: a table's line (each file's kind, digest and value numbers, the
    values' digests, the rules' results, the facts table, the base), then one line per
    value."""
    lines: list[bytes] = []
    digests: list[str] = []
    table: dict[str, list[Any]] = {}
    for path, (kind, file_digest, values) in facts.items():
        numbers: dict[bytes, int] = {}  # within one file: a value its codes share
        refs: dict[str, int] = {}
        for code, (line, value_digest) in values.items():
            if line not in numbers:
                numbers[line] = len(lines)
                lines.append(line)
                digests.append(value_digest)
            refs[code] = numbers[line]
        table[path] = [kind, file_digest, refs]
    tables = json.dumps({"format": FORMAT, "facts": table, "digests": digests,
                         "finalized": finalized, "sums": sums, "base": base,
                         "base_rows": base_rows}, separators=(",", ":"))
    return "\n".join([tables, *(line.decode() for line in lines)])
