"""The secret that keys every cache entry, so that only what this machine wrote is read back.

A cache folder can come from anywhere: a pull request can commit a ``.mlready_cache/``,
a shared folder can be written by another user. Were entries found by names anyone can
compute (a hash of the file, the rules, the version), a crafted entry would decide what
the check reports. So every entry's name is a keyed hash (a MAC) under a random key
that lives outside any project, in ``$XDG_CACHE_HOME/mlready/machine-key`` (else
``~/.cache/mlready/machine-key``): created on first use, readable only by its owner.
Whoever does not hold the key cannot name an entry this machine would read.

There is no key, and so no cache, when the key's place lies inside the project being
checked (a project could commit a key), when it is not a regular file of ours of the
right size, or when it cannot be created (a read-only home). Deleting the key only
makes every existing entry a miss.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mlready.reading import NOFOLLOW, read_own

KEY_BYTES = 32
_KEYS: dict[str, bytes | None] = {}  # by key path: read once per process


def key_path() -> Path | None:
    """Where this user's key lives, or None when there is no home to keep it in."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or ".")
    if not base.is_absolute():  # unset, or relative (which the XDG spec says to ignore)
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home directory to be found
            return None
        if not base.is_absolute():
            return None
    return base / "mlready" / "machine-key"


def machine_key(root: Path) -> bytes | None:
    """This machine's key (created on first use), or None: then nothing may be cached."""
    path = key_path()
    if path is None:
        return None
    where = str(path)
    if where not in _KEYS:
        _KEYS[where] = _load(path)
    key = _KEYS[where]
    if key is None or _inside(path, root):
        return None
    return key


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` lies in ``root`` (real paths, so a symlink cannot hide it)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _load(path: Path) -> bytes | None:
    key = _read(path)
    if key is not None or path.exists() or path.is_symlink():
        return key  # a key, or something that is not one: never replaced behind its back
    with contextlib.suppress(OSError):
        _create(path)
    return _read(path)  # ours, or the one a concurrent first run made first


def _read(path: Path) -> bytes | None:
    key = read_own(path, KEY_BYTES, owned=True)
    return key if key is not None and len(key) == KEY_BYTES else None


def _create(path: Path) -> None:
    """Write a new key under a temporary name and link it into place: the link fails if
    another process got there first, so every process ends up with the same key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}-{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
