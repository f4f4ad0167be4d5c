"""The project index: what the last runs knew of each file of the project (its stat, its
content digest, its cross-file facts) and what each cross-file rule found, so that a
one-file hook run reads the index and the named files, not one cache entry per file.
Two entries: the stat part, read by every run (the memo is keyed through it), and the
facts part, read only by a run the memo does not answer.

A file's signature is its size, modification and status-change times (ns) and inode.
Writing a file changes its status-change time, and nothing but the kernel sets that, so
a file replaced with the same size and a copied-back modification time (``cp -p``,
``touch -r``, an unpacked archive) still has a new signature. What stays ambiguous is a
file written twice within one tick of the filesystem's clock: the second write can leave
the signature as it was. As git does for its index ("racy git"), a signature is trusted
only when the file had not changed for `RACY_NS` before it was taken; a file changed
more recently is not indexed by its stat and so is read and hashed again next time.

A file's facts are kept under its path, kind and content digest, as the per-file cache
keys them (`mlready.hooks.cache`), and serve only a file read for the cross-file rules'
facts whose digest is known (by its stat, or hashed): a named file's own findings still
come from its cache entry. The values are stored one per line and parsed when a rule
needs them (`mlready.hooks.stored_facts`). The cross-file rules' results are
`mlready.hooks.finalize`'s to read and keep.

The facts part is itself two entries, as git splits its index: a base with every file's
facts (14 MB for torch's tree), and the recent part, with the facts of the files that
changed since the base was written and the rules' results. A one-file run rewrites only
the recent part; the base is written again (folded) when the recent part has grown to
an eighth of it, so writing the facts costs a run about as much as what changed. The
base is named by a random id that the recent part names, and an old base is removed
only after the recent part naming its successor is written: a run that stops between
the two writes leaves the recent part with the base it was written beside.

All entries live in the cache's salt folder, named by the machine key, and are read only
when this user alone could have written them (`mlready.hooks.cache.read_entry`), so no
committed or shared file can say a file is unchanged or what its facts are.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlready.hooks.cache import Cache, read_entry
from mlready.hooks.stored_facts import StoredFacts, Values, encoded

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

FORMAT = 3
RACY_NS = 2_000_000_000  # FAT's 2 s timestamps are the coarsest in common use
FOLD_ROWS = 64  # the recent part is folded into the base past this many files (and
FOLD_SHARE = 8  # past an eighth of the base's)
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def signature(path: Path) -> Signature | None:
    """The file's signature (following a link, as the reads do), or None."""
    try:
        info = os.stat(path)  # noqa: PTH116 - a Path method per file costs more
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class ProjectIndex:
    """The index of one project: path -> (signature, digest); path -> (kind, digest,
    facts), recent rows first, then the base's; and the cross-file rules' last results
    (`finalized`, opaque here)."""

    def __init__(self, cache: Cache, entries: dict[str, list[int | str]]) -> None:
        self.cache, self.entries = cache, entries
        self._recent: _Part | None = None
        self._base: Rows | None = None
        self.served: set[str] = set()  # the files whose facts `facts_of` gave this run
        self.taken = time.time_ns()  # before any signature of this run is taken

    @classmethod
    def load(cls, cache: Cache) -> ProjectIndex:
        """This project's index, or an empty one (missing, foreign or malformed). Only
        the stat part is read now: a run the memo answers needs nothing else (for torch's
        tree the facts are 14 MB, the stat part a fiftieth of that)."""
        data = read_entry(cls._path(cache, "stat"))
        if data is not None:
            try:
                loaded = json.loads(data)
                if loaded["format"] == FORMAT and isinstance(loaded["files"], dict):
                    return cls(cache, {str(p): e for p, e in loaded["files"].items()
                                       if isinstance(e, list) and len(e) == 5})
            except Exception:  # truncated or not ours: every file is read again
                return cls(cache, {})
        return cls(cache, {})

    @property
    def recent(self) -> _Part:
        """The recent part: its rows, the rules' results, and the base it sits on."""
        if self._recent is None:
            self._recent = _part(read_entry(self._path(self.cache, "recent")))
        return self._recent

    @property
    def base(self) -> Rows:
        """The base's rows (empty when the base the recent part names is gone)."""
        if self._base is None:
            name = self.recent.base
            self._base = _part(read_entry(self._path(self.cache, f"facts {name}"))).rows \
                if name else {}
        return self._base

    @property
    def finalized(self) -> Any:
        """What `mlready.hooks.finalize` kept of the last run's cross-file rules."""
        return self.recent.finalized

    @staticmethod
    def _path(cache: Cache, part: str) -> Path:
        """The stat part's entry, the recent part's, or the base's (``facts ID``)."""
        return cache.run_entry(cache.name(f"project index: {part}"))

    def known(self, path: str, sig: Signature) -> str | None:
        """The digest of ``path`` when its signature is the one indexed with it."""
        entry = self.entries.get(path)
        if entry is None or tuple(entry[:4]) != sig or not isinstance(entry[4], str):
            return None
        return entry[4]

    def facts_of(self, path: str, kind: str, file_digest: str) -> StoredFacts | None:
        """The facts collected from ``path`` at this content digest, or None: the
        recent part's when it has them, else the base's (read on first need)."""
        for rows in (self.recent.rows, None):
            stored = (rows if rows is not None else self.base).get(path)
            if stored is not None and stored[0] == kind and stored[1] == file_digest:
                self.served.add(path)
                return stored[2]
        return None

    def save(self, seen: Mapping[str, tuple[Signature, str]], keep: Collection[str],
             facts: Mapping[str, FactsRow] | None = None, finalized: Any = None) -> None:
        """Index what this run saw: each signature with the digest of content read after
        it was taken, the ``facts`` of the files it did not take from the index (`row`
        of their results), the cross-file rules' results; earlier entries of ``keep``'s
        files it did not look at are kept. A file changed within `RACY_NS` of `taken` is
        left out of the stat part (ambiguous). Unchanged, the index is not written again."""
        cutoff = self.taken - RACY_NS
        entries = {p: e for p, e in self.entries.items() if p in keep and p not in seen}
        for path, (sig, file_digest) in seen.items():
            if file_digest and max(sig[1], sig[2]) < cutoff:
                entries[path] = [*sig, file_digest]
        if entries != self.entries:
            self.cache.write(self._path(self.cache, "stat"), json.dumps(
                {"format": FORMAT, "files": entries}, separators=(",", ":")))
            self.entries = entries
        self._save_facts(keep, facts or {}, finalized)

    def _save_facts(self, keep: Collection[str], facts: Mapping[str, FactsRow],
                    finalized: Any) -> None:
        """The recent part with this run's rows (those the recent part or, when read, the
        base already holds left out); folded into a new base when it has grown."""
        recent = self.recent
        base = self._base  # not read for this: only when folding
        rows: dict[str, FactsRow] = {p: encoded_row(r) for p, r in recent.rows.items()
                                     if p in keep and p not in facts}
        for path, fresh in facts.items():
            if path in recent.rows or base is None or path not in base \
                    or not _same_row(base[path], fresh):
                rows[path] = fresh
        base_id, base_rows = recent.base, recent.base_rows
        if len(rows) > max(FOLD_ROWS, base_rows // FOLD_SHARE) or (not base_id and rows):
            base_id, base_rows, rows = self._fold(keep, rows)
        if base_id == recent.base and finalized == recent.finalized \
                and _same_rows(recent.rows, rows):
            return
        self.cache.write(self._path(self.cache, "recent"),
                         _text(rows, finalized, base_id, base_rows))
        if base_id != recent.base and recent.base:
            with contextlib.suppress(OSError):  # our own entry, replaced by the new base
                self._path(self.cache, f"facts {recent.base}").unlink()

    def _fold(self, keep: Collection[str], rows: Mapping[str, FactsRow]
              ) -> tuple[str, int, dict[str, FactsRow]]:
        """A new base of the old one's rows of ``keep``'s files and ``rows``; the base
        stays as it was when that is what it holds already."""
        base = self.base
        merged: dict[str, FactsRow] = {p: encoded_row(r) for p, r in base.items()
                                       if p in keep and p not in rows}
        merged.update(rows)
        if self.recent.base and _same_rows(base, merged):
            return self.recent.base, len(merged), {}
        name = secrets.token_hex(8)
        self.cache.write(self._path(self.cache, f"facts {name}"),
                         _text(merged, None, None, 0))
        return name, len(merged), {}


# A file's facts as indexed: its kind, its content digest, and each code's value as a
# stored line with that line's digest (`mlready.hooks.stored_facts.encoded`).
FactsRow = tuple[str, str, Mapping[str, tuple[bytes, str]]]


def row(kind: str, result: FileResult) -> FactsRow:
    """What the index keeps of one file's result."""
    return (kind, result.digest, encoded(result.facts))


Rows = dict[str, tuple[str, str, StoredFacts]]  # path -> (kind, digest, facts)


class _Part(NamedTuple):
    """One facts entry as read: its rows, and (the recent part's) the rules' results
    and the base it sits on, with that base's count of rows."""

    rows: Rows
    finalized: Any = None
    base: str | None = None
    base_rows: int = 0


def encoded_row(stored: tuple[str, str, StoredFacts]) -> FactsRow:
    kind, file_digest, facts = stored
    return (kind, file_digest, encoded(facts))


def _same_row(old: tuple[str, str, StoredFacts] | FactsRow, new: FactsRow) -> bool:
    """Whether two rows hold one file's facts at one content, value for value."""
    if old[:2] != new[:2]:
        return False
    old_values = old[2]
    if isinstance(old_values, StoredFacts):
        refs, digests = old_values.refs, old_values.table.digests
        return refs.keys() == new[2].keys() and all(
            digests[n] == new[2][c][1] for c, n in refs.items())
    return old_values.keys() == new[2].keys() and all(
        old_values[c][1] == new[2][c][1] for c in old_values)


def _same_rows(old: Rows, new: Mapping[str, FactsRow]) -> bool:
    return old.keys() == new.keys() and all(_same_row(old[p], r) for p, r in new.items())


def _part(data: bytes | None) -> _Part:
    """A facts entry, as `_text` writes it; empty when missing, truncated or malformed
    (no facts known, no results kept)."""
    if data is None:
        return _Part({})
    try:
        return _tables(data)
    except Exception:
        return _Part({})


def _tables(data: bytes) -> _Part:
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
    base = loaded["base"]
    return _Part(facts, loaded["finalized"], str(base) if base else None,
                 int(loaded["base_rows"]))


def _text(facts: Mapping[str, FactsRow], finalized: Any, base: str | None,
          base_rows: int) -> str:
    """A facts entry: a table's line (each file's kind, digest and value numbers, the
    values' digests, the rules' results, the base), then one line per value."""
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
                         "finalized": finalized, "base": base, "base_rows": base_rows},
                        separators=(",", ":"))
    return "\n".join([tables, *(line.decode() for line in lines)])
