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

Both entries live in the cache's salt folder, named by the machine key, and are read only
when this user alone could have written it (`mlready.hooks.cache.read_entry`), so no
committed or shared file can say a file is unchanged or what its facts are.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlready.hooks.cache import Cache, read_entry
from mlready.hooks.stored_facts import StoredFacts, Values, encoded

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

FORMAT = 2
RACY_NS = 2_000_000_000  # FAT's 2 s timestamps are the coarsest in common use
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
    facts); and the cross-file rules' last results (`finalized`, opaque here)."""

    def __init__(self, cache: Cache, entries: dict[str, list[int | str]]) -> None:
        self.cache, self.entries = cache, entries
        self._tables: tuple[dict[str, tuple[str, str, StoredFacts]], Any] | None = None
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
    def facts(self) -> dict[str, tuple[str, str, StoredFacts]]:
        """path -> (kind, content digest, the facts collected from that content)."""
        return self._parsed()[0]

    @property
    def finalized(self) -> Any:
        """What `mlready.hooks.finalize` kept of the last run's cross-file rules."""
        return self._parsed()[1]

    def _parsed(self) -> tuple[dict[str, tuple[str, str, StoredFacts]], Any]:
        if self._tables is None:
            try:
                data = read_entry(self._path(self.cache, "facts"))
                self._tables = _tables(data) if data is not None else ({}, None)
            except Exception:  # truncated or malformed: no facts known, no results kept
                self._tables = ({}, None)
        return self._tables

    @staticmethod
    def _path(cache: Cache, part: str) -> Path:
        """The stat part's entry, or the facts part's (two entries of one index)."""
        return cache.run_entry(cache.name(f"project index: {part}"))

    def known(self, path: str, sig: Signature) -> str | None:
        """The digest of ``path`` when its signature is the one indexed with it."""
        entry = self.entries.get(path)
        if entry is None or tuple(entry[:4]) != sig or not isinstance(entry[4], str):
            return None
        return entry[4]

    def facts_of(self, path: str, kind: str, file_digest: str) -> StoredFacts | None:
        """The facts collected from ``path`` at this content digest, or None."""
        stored = self.facts.get(path)
        if stored is None or stored[0] != kind or stored[1] != file_digest:
            return None
        return stored[2]

    def save(self, seen: Mapping[str, tuple[Signature, str]], keep: Collection[str],
             facts: Mapping[str, FactsRow] | None = None, finalized: Any = None) -> None:
        """Index what this run saw: each signature with the digest of content read after
        it was taken, each file's ``facts`` (`row` of its result), the cross-file rules'
        results; earlier entries of ``keep``'s files it did not look at are kept. A file
        changed within `RACY_NS` of `taken` is left out of the stat part (ambiguous).
        Unchanged, the index is not written again."""
        cutoff = self.taken - RACY_NS
        entries = {p: e for p, e in self.entries.items() if p in keep and p not in seen}
        for path, (sig, file_digest) in seen.items():
            if file_digest and max(sig[1], sig[2]) < cutoff:
                entries[path] = [*sig, file_digest]
        rows: dict[str, FactsRow] = {
            p: (kind, file_digest, encoded(stored)) for p, (kind, file_digest, stored)
            in self.facts.items() if p in keep and p not in (facts or {})}
        rows.update(facts or {})
        if entries != self.entries:
            self.cache.write(self._path(self.cache, "stat"), json.dumps(
                {"format": FORMAT, "files": entries}, separators=(",", ":")))
            self.entries = entries
        if finalized != self.finalized or not self._same(rows):
            self.cache.write(self._path(self.cache, "facts"), _text(rows, finalized))

    def _same(self, rows: Mapping[str, FactsRow]) -> bool:
        """Whether ``rows`` are the facts already indexed, value for value."""
        if rows.keys() != self.facts.keys():
            return False
        for path, (kind, file_digest, values) in rows.items():
            old_kind, old_digest, stored = self.facts[path]
            if (kind, file_digest) != (old_kind, old_digest) \
                    or stored.refs.keys() != values.keys() \
                    or any(stored.table.digests[n] != values[c][1] for c, n in stored.refs.items()):
                return False
        return True


# A file's facts as indexed: its kind, its content digest, and each code's value as a
# stored line with that line's digest (`mlready.hooks.stored_facts.encoded`).
FactsRow = tuple[str, str, Mapping[str, tuple[bytes, str]]]


def row(kind: str, result: FileResult) -> FactsRow:
    """What the index keeps of one file's result."""
    return (kind, result.digest, encoded(result.facts))


def _tables(data: bytes) -> tuple[dict[str, tuple[str, str, StoredFacts]], Any]:
    """The facts part, as `_text` writes it."""
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
    return facts, loaded["finalized"]


def _text(facts: Mapping[str, FactsRow], finalized: Any) -> str:
    """The facts part: a table's line (each file's kind, digest and value numbers, the
    values' digests, the rules' results), then one line per value."""
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
                         "finalized": finalized}, separators=(",", ":"))
    return "\n".join([tables, *(line.decode() for line in lines)])
