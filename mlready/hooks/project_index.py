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

The facts part is `mlready.hooks.facts_index`'s: a base with every file's facts
and a recent part with what changed since, and a table of every file's facts digest,
so that a one-file run reads, compares and writes about what changed.

All entries live in the cache's salt folder, named by the machine key, and are read only
when this user alone could have written them (`mlready.hooks.cache.read_entry`), so no
committed or shared file can say a file is unchanged or what its facts are.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlready.hooks.cache import Cache, read_entry
from mlready.hooks.discovery import Signature, signature_of
from mlready.hooks.facts_index import FORMAT, FactsIndex, FactsRow, Part, Rows
from mlready.hooks.stored_facts import StoredFacts, encoded

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

RACY_NS = 2_000_000_000  # FAT's 2 s timestamps are the coarsest in common use


def signature(path: str | Path) -> Signature | None:
    """The file's signature (following a link, as the reads do), or None."""
    try:
        return signature_of(os.stat(path))  # noqa: PTH116 - a Path method per file costs more
    except (OSError, ValueError):
        return None


class ProjectIndex:
    """The index of one project: path -> (signature, digest); path -> (kind, digest,
    facts), recent rows first, then the base's; and the cross-file rules' last results
    (`finalized`, opaque here)."""

    def __init__(self, cache: Cache, entries: dict[str, list[int | str]],
                 taken: int | None = None) -> None:
        self.cache, self.entries = cache, entries
        self.facts = FactsIndex(cache, ProjectIndex._path)
        self.served: set[str] = set()  # the files whose facts the index gives this run
        # Before any signature of this run is taken (``taken``: when the listing that
        # took some of them began, `mlready.hooks.discovery.Listing`).
        now = time.time_ns()
        self.taken = min(taken, now) if taken is not None else now

    @classmethod
    def load(cls, cache: Cache, taken: int | None = None) -> ProjectIndex:
        """This project's index, or an empty one (missing, foreign or malformed). Only
        the stat part is read now: a run the memo answers needs nothing else (for torch's
        tree the facts are 14 MB, the stat part a fiftieth of that). ``taken``: the time
        before the earliest signature this run took already."""
        data = read_entry(cls._path(cache, "stat"))
        if data is not None:
            try:
                loaded = json.loads(data)
                if loaded["format"] == FORMAT and isinstance(loaded["files"], dict):
                    return cls(cache, {str(p): e for p, e in loaded["files"].items()
                                       if isinstance(e, list) and len(e) == 5}, taken)
            except Exception:  # truncated or not ours: every file is read again
                return cls(cache, {}, taken)
        return cls(cache, {}, taken)

    @property
    def recent(self) -> Part:
        """The recent part: its rows, the rules' results, the table, the base it names."""
        return self.facts.recent

    @property
    def base(self) -> Rows:
        return self.facts.base

    @property
    def finalized(self) -> Any:
        """What `mlready.hooks.finalize` kept of the last run's cross-file rules."""
        return self.facts.recent.finalized

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
        """The facts collected from ``path`` at this content digest, or None."""
        return self.facts.facts_of(path, kind, file_digest)

    def deferred(self, path: str, kind: str, file_digest: str,
                 otherwise: Callable[[str, str, str], Mapping[str, Any]],
                 ) -> Mapping[str, Any] | None:
        """The facts of ``path`` at this content as a mapping read on first use (the
        base is read only when some rule needs them), when the index has them; else
        None. Should the row be gone by then, ``otherwise(path, kind, file_digest)``
        computes them (one callable for every file of a run: this is asked for each
        file of the project)."""
        if not self.facts.indexed(path, kind, file_digest):
            return None
        self.served.add(path)
        return Deferred(self._facts_or, path, kind, file_digest, otherwise)

    def _facts_or(self, path: str, kind: str, file_digest: str,
                  otherwise: Callable[[str, str, str], Mapping[str, Any]]) -> Mapping[str, Any]:
        stored = self.facts.facts_of(path, kind, file_digest)
        return stored if stored is not None else otherwise(path, kind, file_digest)

    def save(self, seen: Mapping[str, tuple[Signature, str]], keep: Collection[str],
             facts: Mapping[str, FactsRow] | None = None, finalized: Any = None,
             dropped: Collection[str] = ()) -> None:
        """Index what this run saw: each signature with the digest of content read after
        it was taken, the ``facts`` of the files it did not take from the index (`row`
        of their results; ``dropped``: read, with none to keep), the cross-file rules'
        results; earlier entries of ``keep``'s files it did not look at are kept. A file
        changed within `RACY_NS` of `taken` is left out of the stat part (ambiguous).
        Unchanged, the index is not written again."""
        keep = set(keep)  # a tuple's `in` is a scan: quadratic over torch's 2285 files
        cutoff = self.taken - RACY_NS
        entries = {p: e for p, e in self.entries.items() if p in keep and p not in seen}
        for path, (sig, file_digest) in seen.items():
            if file_digest and max(sig[1], sig[2]) < cutoff:
                entries[path] = [*sig, file_digest]
        if entries != self.entries:
            self.cache.write(self._path(self.cache, "stat"), json.dumps(
                {"format": FORMAT, "files": entries}, separators=(",", ":")))
            self.entries = entries
        self.facts.save(keep, facts or {}, dropped, finalized)


class Deferred(Mapping[str, Any]):
    """A file's facts, loaded on first use (``load(*args)``: no closure per file)."""

    def __init__(self, load: Callable[..., Mapping[str, Any]], *args: Any) -> None:
        self._load: Callable[..., Mapping[str, Any]] | None = load
        self._args = args
        self._facts: Mapping[str, Any] = {}

    def _get(self) -> Mapping[str, Any]:
        if self._load is not None:
            self._facts, self._load = self._load(*self._args), None
            self._args = ()
        return self._facts

    def __getitem__(self, code: str) -> Any:
        return self._get()[code]

    def __contains__(self, code: object) -> bool:
        return code in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def row(kind: str, result: FileResult) -> FactsRow:
    """What the index keeps of one file's result."""
    return (kind, result.digest, encoded(result.facts))
