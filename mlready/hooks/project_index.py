"""The project index: one entry per project that says, for each file, what the last runs
knew of it (its stat, its content digest, its cross-file facts) and what each cross-file
rule found, so that a one-file hook run reads this entry and the named files, and not
one cache entry per file of the project.

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

The entry lives in the cache's salt folder, named by the machine key, and is read only
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

    def __init__(self, cache: Cache, entries: dict[str, list[int | str]],
                 rest: bytes = b"") -> None:
        self.cache, self.entries = cache, entries
        self._rest = rest  # the facts and results, parsed when first asked for
        self._tables: tuple[dict[str, tuple[str, str, StoredFacts]], Any] | None = None
        self.taken = time.time_ns()  # before any signature of this run is taken

    @classmethod
    def load(cls, cache: Cache) -> ProjectIndex:
        """This project's index, or an empty one (missing, foreign or malformed). Only
        the stat part is parsed now: a run the memo answers needs nothing else."""
        data = read_entry(cls._path(cache))
        if data is not None:
            try:
                head, _, rest = data.partition(b"\n")
                loaded = json.loads(head)
                if loaded["format"] == FORMAT and isinstance(loaded["files"], dict):
                    return cls(cache, {str(p): e for p, e in loaded["files"].items()
                                       if isinstance(e, list) and len(e) == 5}, rest)
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
                self._tables = _tables(self._rest)
            except Exception:  # truncated or malformed: no facts known, no results kept
                self._tables = ({}, None)
        return self._tables

    @staticmethod
    def _path(cache: Cache) -> Path:
        return cache.run_entry(cache.name("project index"))

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
        if entries == self.entries and finalized == self.finalized and self._same(rows):
            return
        self.cache.write(self._path(self.cache), _text(entries, rows, finalized))
        self.entries = entries

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


def _tables(rest: bytes) -> tuple[dict[str, tuple[str, str, StoredFacts]], Any]:
    """The facts and results lines: a table (each file's kind, digest and value
    numbers, the values' digests, the rules' results), then one line per value."""
    table, _, values_part = rest.partition(b"\n")
    loaded = json.loads(table)
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


def _text(entries: Mapping[str, list[int | str]], facts: Mapping[str, FactsRow],
          finalized: Any) -> str:
    """The entry: the stat part's line, the facts table's line (each file's value
    numbers, the values' digests, the rules' results), then one line per value."""
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
    head = json.dumps({"format": FORMAT, "files": entries}, separators=(",", ":"))
    tables = json.dumps({"facts": table, "digests": digests, "finalized": finalized},
                        separators=(",", ":"))
    return "\n".join([head, tables, *(line.decode() for line in lines)])
