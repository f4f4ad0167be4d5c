"""The per-file result cache: a second run over an unchanged tree parses nothing.

An entry is keyed by the file's path, kind and content hash; the folder it lives in
is keyed by everything else a result depends on (mlready's version, the stat of the
engine and rule sources so that editing a rule invalidates it, the selected rules,
their options). Entries are written to a temporary file and renamed into place, so
concurrent runs never see half an entry; anything unreadable is a miss, never an
error. The folder carries a CACHEDIR.TAG and a ``.gitignore`` of ``*``, and can be
deleted at any time.

It does not grow without bound: a run that writes prunes, at most once a day, whatever
nothing has written for `PRUNE_AFTER_S` (the folders of older mlready versions or other
interpreters, entries of files long since edited). A pruned entry is only a miss.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

try:  # hashlib's own blake2b, without hashlib loading OpenSSL (~2.5 ms of start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without _blake2
    from hashlib import blake2b

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mlready.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def salt(version: str, codes: Iterable[str], options: Mapping[str, Any],
         sources: Iterable[str]) -> str:
    """A key for everything besides the file that a file's result depends on."""
    h = blake2b(digest_size=8)
    h.update(version.encode())
    h.update(json.dumps(sorted(codes)).encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    for source in sorted(sources):
        try:
            stat = os.stat(source)  # noqa: PTH116 - a Path per source file costs more than the stat
        except OSError:
            continue
        h.update(f"{source}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return h.hexdigest()


class Cache(NamedTuple):
    """A cache folder for one salt. Picklable, so worker processes can write to it."""

    directory: Path
    salt: str

    def _entry(self, path: str, kind: str, file_digest: str) -> Path:
        key = digest(f"{path}\0{kind}\0{file_digest}".encode("utf-8", "surrogateescape"))
        # One flat folder: on ext4, creating 256 two-letter shard folders made a cold
        # run's writes four times as slow (bench/bench_check.py, (a)).
        return self.directory / self.salt / f"{key}.json"

    def get(self, path: str, kind: str, file_digest: str, need_full: bool) -> FileResult | None:
        """The stored result for this exact file content (by its `digest`), or None."""
        from mlready.hooks.results import FileResult  # only a run that is not remembered

        try:
            with open(self._entry(path, kind, file_digest), "rb") as handle:
                result = FileResult.from_json(json.load(handle))
        except Exception:  # a missing, truncated or foreign entry is just a miss
            return None
        if result.path != path or result.digest != file_digest or (need_full and not result.full):
            return None
        return result

    def put(self, kind: str, result: FileResult) -> None:
        """Store a result; silently does nothing when the folder is not writable."""
        if result.errors:
            return
        target = self._entry(result.path, kind, result.digest)
        try:
            text = json.dumps(result.to_json(), separators=(",", ":"))
        except (TypeError, ValueError):  # facts that are not JSON: do not cache
            return
        self.write(target, text)

    def write(self, target: Path, text: str) -> None:
        """Write an entry atomically (a temporary file, then a rename); a cache that
        cannot be written is silently not written."""
        folder = target.parent
        with contextlib.suppress(OSError):
            if folder not in _READY:  # once per folder and process, not once per entry
                self._ready(folder)
            try:
                _atomic_write(target, text)
            except FileNotFoundError:  # the folder was deleted since (it may be, any time)
                self._ready(folder)
                _atomic_write(target, text)

    def _ready(self, folder: Path) -> None:
        self._prepare()
        folder.mkdir(parents=True, exist_ok=True)
        _READY.add(folder)
        if folder != self.directory:  # a run's entries, not the settings beside them
            prune(self.directory, keep=folder)

    def run_entry(self, slot: str) -> Path:
        """Where the remembered run for ``slot`` lives (see `mlready.hooks.memo`)."""
        return self.directory / self.salt / "runs" / f"{slot}.json"

    def _prepare(self) -> None:
        if (self.directory / "CACHEDIR.TAG").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")):
            _atomic_write(self.directory / name, text)


PRUNE_AFTER_S = 30 * 24 * 3600  # unwritten this long: an old version's, or an old edit's
PRUNE_EVERY_S = 24 * 3600
_PRUNED = ".pruned"  # its modification time says when the folder was last pruned


def prune(directory: Path, keep: Path | None = None, now: float | None = None) -> None:
    """Delete what nothing has written into ``directory`` for `PRUNE_AFTER_S`, at most
    once every `PRUNE_EVERY_S`: whole salt folders (never the one holding ``keep``, about
    to be written), then single entries. Never raises; a concurrent run that loses an
    entry just computes it again."""
    import shutil
    import time

    now = time.time() if now is None else now
    marker = directory / _PRUNED
    with contextlib.suppress(OSError):
        if now - marker.stat().st_mtime < PRUNE_EVERY_S:
            return
    with contextlib.suppress(OSError):
        marker.touch()
        os.utime(marker, (now, now))
    cutoff = now - PRUNE_AFTER_S
    for folder in _entries(directory, dirs=True):
        in_use = keep is not None and (keep == folder or folder in keep.parents)
        if not in_use and _older(folder, cutoff):  # nothing written into it for a month
            shutil.rmtree(folder, ignore_errors=True)
            continue
        for sub in (folder, folder / "runs", folder / "bases"):
            for entry in _entries(sub, dirs=False):
                if _older(entry, cutoff):
                    with contextlib.suppress(OSError):
                        entry.unlink()


def _entries(folder: Path, *, dirs: bool) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder)
                if e.is_dir(follow_symlinks=False) == dirs and not e.name.startswith(".")
                and (dirs or e.name.endswith(".json"))]
    except OSError:
        return []


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except OSError:
        return False


# Folders this process has made sure exist (entries are written by the thousand).
_READY: set[Path] = set()
_TEMPORARY = itertools.count()


def _atomic_write(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``target``, named by process and a
    counter (unique without `tempfile`'s random names), then rename it into place, so
    that a concurrent reader sees the old entry or the new one, never half of one."""
    # pid and counter make it unique here; the random part, across containers that share
    # the cache folder and may reuse pids.
    temp = target.with_name(f".tmp-{os.getpid()}-{next(_TEMPORARY)}-{os.urandom(4).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
