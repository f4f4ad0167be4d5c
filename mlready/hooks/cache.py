"""The per-file result cache: a second run over an unchanged tree parses nothing.

An entry is keyed by the file's path, kind and content hash; the folder it lives in
is keyed by everything else a result depends on (mlready's version, the stat of the
engine and rule sources so that editing a rule invalidates it, the selected rules,
their options) and by this machine's secret (`mlready.hooks.machine_key`): the folder's
name is a MAC, and so is each entry's (its path, kind and content hash under the same
key), so an entry that anyone else wrote (a ``.mlready_cache/`` committed to the
repository, or one planted in a shared ``cache-dir`` whose folder names can be listed)
is never found. An entry is read only if this user alone could have written it
(`mlready.reading.mine`). Entries are written to a temporary file and renamed into
place, so concurrent runs never see half an entry; anything unreadable is a miss,
never an error. Where the folder is, what mlready may write and
delete in it, and its pruning: `mlready.hooks.cache_dir`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlready.hooks import cache_dir
from mlready.reading import read_own
from mlready.records import NamedTuple

if TYPE_CHECKING:
    from mlready.hooks.results import FileResult

try:  # hashlib's own blake2b, without hashlib loading OpenSSL (~2.5 ms of start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without _blake2
    from hashlib import blake2b


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def mac(key: bytes, data: bytes) -> str:
    """A name for ``data`` that only the holder of ``key`` can compute."""
    return blake2b(data, digest_size=16, key=key).hexdigest()


def salt(version: str, codes: Iterable[str], options: Mapping[str, Any],
         sources: Iterable[str], *, key: bytes) -> str:
    """A key for everything besides the file that a file's result depends on, under this
    machine's ``key``: the name of the folder of its entries."""
    h = blake2b(digest_size=8, key=key)
    h.update(version.encode())
    h.update(json.dumps(sorted(codes)).encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    for source in sorted(sources):
        try:
            info = os.stat(source)  # noqa: PTH116 - a Path per source file costs more than the stat
        except OSError:
            continue
        h.update(f"{source}:{info.st_mtime_ns}:{info.st_size}".encode())
    return h.hexdigest()


class Cache(NamedTuple):
    """A cache folder for one salt. Picklable, so worker processes can write to it.

    Entry names are MACs under ``key`` (the machine key), not plain hashes: the salt
    folder's name can be read off a shared disk, but an entry this machine would look
    up cannot be named without the key."""

    directory: Path
    salt: str
    key: bytes = b""

    def name(self, text: str) -> str:
        """The name under which this machine keeps what ``text`` identifies."""
        return mac(self.key, text.encode("utf-8", "surrogateescape"))

    def _entry(self, path: str, kind: str, file_digest: str) -> Path:
        key = self.name(f"{path}\0{kind}\0{file_digest}")
        # One flat folder: on ext4, creating 256 two-letter shard folders made a cold
        # run's writes four times as slow (bench/bench_check.py, (a)).
        return self.directory / self.salt / f"{key}.json"

    def get(self, path: str, kind: str, file_digest: str, need_full: bool) -> FileResult | None:
        """The stored result for this exact file content (by its `digest`), or None."""
        from mlready.hooks.results import FileResult  # only a run that is not remembered

        data = read_entry(self._entry(path, kind, file_digest))
        if data is None:
            return None
        try:
            entry = json.loads(data)
            values = entry["values"]
            result = FileResult.from_json(
                {**entry["result"], "facts": {code: values[n]
                                              for code, n in entry["facts"].items()}})
        except Exception:  # a truncated or foreign entry is just a miss
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
            text = _entry_text(result.to_json())
        except (TypeError, ValueError):  # facts that are not JSON: do not cache
            return
        self.write(target, text)

    def write(self, target: Path, text: str) -> None:
        """Write an entry atomically (a temporary file, then a rename); a cache that
        cannot be written, or may not be (`cache_dir.ready`), is silently not written."""
        folder = target.parent
        with contextlib.suppress(OSError):
            if not self._ready(folder) or not cache_dir.replaceable(target):
                return
            try:
                cache_dir.atomic_write(target, text)
            except FileNotFoundError:  # the folder was deleted since (it may be, any time)
                _READY.pop(folder, None)
                if self._ready(folder):
                    cache_dir.atomic_write(target, text)

    def _ready(self, folder: Path) -> bool:
        """Once per folder and process, not once per entry (they are written by the
        thousand): whether the folder may be written; prunes the cache when it may."""
        if folder not in _READY:
            _READY[folder] = cache_dir.ready(self.directory, folder)
            if _READY[folder]:
                cache_dir.prune(self.directory, keep=folder)
        return _READY[folder]

    def run_entry(self, slot: str) -> Path:
        """Where the remembered run for ``slot`` lives (see `mlready.hooks.memo`)."""
        return self.directory / self.salt / "runs" / f"{slot}.json"


MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a file larger than this is not one we wrote


def _entry_text(data: dict[str, Any]) -> str:
    """A result as stored: sibling rules share one facts value (the eight seeding rules
    one, the logging rules another), so each distinct value is written once and the
    codes refer to it; written once per code it made a warm run read 4x the JSON."""
    texts: dict[str, int] = {}
    refs = {code: texts.setdefault(_dumps(value), len(texts))
            for code, value in data["facts"].items()}
    rest = _dumps({k: v for k, v in data.items() if k != "facts"})
    return f'{{"result":{rest},"facts":{_dumps(refs)},"values":[{",".join(texts)}]}}'


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def read_entry(path: Path) -> bytes | None:
    """An entry's bytes, or None: missing, not a regular file (a link is not followed,
    and a FIFO does not block), or not this user's alone (`mlready.reading.mine`)."""
    return read_own(path, MAX_ENTRY_BYTES, owned=True)


# Folders this process has looked at, and whether they may be written.
_READY: dict[Path, bool] = {}
