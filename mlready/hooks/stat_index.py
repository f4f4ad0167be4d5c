"""The project index: each file's stat beside its content digest, so that a file unchanged
since the last run is known by one ``stat`` instead of a read and a hash.

A one-file hook run in a large project would otherwise read and hash every file of the
project to key the run memo (`mlready.hooks.memo`), whatever changed. A file's
signature is its size, modification and status-change times (ns) and inode. Writing a
file changes its status-change time, and nothing but the kernel sets that, so a file
replaced with the same size and a copied-back modification time (``cp -p``,
``touch -r``, an unpacked archive) still has a new signature.

What stays ambiguous is a file written twice within one tick of the filesystem's clock:
the second write can leave the signature as it was. As git does for its index ("racy
git"), a signature is trusted only when the file had not changed for `RACY_NS` before
it was taken; a file changed more recently is not indexed and so is read and hashed
again next time. The index is one entry per project in the cache's salt folder, named
by the machine key and read only when this user alone could have written it, so no
committed or shared file can say a file is unchanged.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Collection, Mapping
from pathlib import Path

from mlready.hooks.cache import Cache, read_entry

FORMAT = 1
RACY_NS = 2_000_000_000  # FAT's 2 s timestamps are the coarsest in common use
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def signature(path: Path) -> Signature | None:
    """The file's signature (following a link, as the reads do), or None."""
    try:
        info = os.stat(path)  # noqa: PTH116 - a Path method per file costs more
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class StatIndex:
    """The index of one project: path -> (signature, content digest)."""

    def __init__(self, cache: Cache, entries: dict[str, list[int | str]]) -> None:
        self.cache, self.entries = cache, entries
        self.taken = time.time_ns()  # before any signature of this run is taken

    @classmethod
    def load(cls, cache: Cache) -> StatIndex:
        """This project's index, or an empty one (missing, foreign or malformed)."""
        entries: dict[str, list[int | str]] = {}
        data = read_entry(cls._path(cache))
        if data is not None:
            try:
                loaded = json.loads(data)
                if loaded["format"] == FORMAT and isinstance(loaded["files"], dict):
                    entries = {str(p): e for p, e in loaded["files"].items()
                               if isinstance(e, list) and len(e) == 5}
            except Exception:  # truncated or not ours: every file is read again
                entries = {}
        return cls(cache, entries)

    @staticmethod
    def _path(cache: Cache) -> Path:
        return cache.run_entry(cache.name("project index"))

    def known(self, path: str, sig: Signature) -> str | None:
        """The digest of ``path`` when its signature is the one indexed with it."""
        entry = self.entries.get(path)
        if entry is None or tuple(entry[:4]) != sig or not isinstance(entry[4], str):
            return None
        return entry[4]

    def save(self, seen: Mapping[str, tuple[Signature, str]], keep: Collection[str]) -> None:
        """Index what this run saw (each signature with the digest of content read after
        it was taken), keeping earlier entries of ``keep``'s files it did not look at;
        a file changed within `RACY_NS` of `taken` is left out (ambiguous)."""
        cutoff = self.taken - RACY_NS
        entries = {p: e for p, e in self.entries.items() if p in keep and p not in seen}
        for path, (sig, file_digest) in seen.items():
            if file_digest and max(sig[1], sig[2]) < cutoff:
                entries[path] = [*sig, file_digest]
        if entries == self.entries:
            return
        text = json.dumps({"format": FORMAT, "files": entries}, separators=(",", ":"))
        self.cache.write(self._path(self.cache), text)
        self.entries = entries
