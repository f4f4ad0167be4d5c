"""The one gate through which mlready opens a file of the user's project.

A project is untrusted input: a pull request can commit ``.gitattributes`` as a
symlink to ``/dev/stdin``, make a FIFO out of ``requirements.txt`` in a build step, or
link ``config.yaml`` to a file outside the checkout. Reading such a path the plain way
blocks forever (a FIFO, a terminal) or leaks what lies outside the project into a
finding. So every read goes through `read_regular`: the path must be a regular file
(after resolving symlinks), inside ``root`` when one is given, and it is opened with
``O_NONBLOCK`` so that a FIFO swapped in between the check and the open still cannot
block (the descriptor is checked again with ``fstat`` before anything is read).
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK:
          "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
MB = 1_000_000


class NotReadable(OSError):
    """A path mlready will not read; ``str()`` is the one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class TooLarge(NotReadable):
    """A regular file over the size limit: reported, never read into memory."""


def megabytes(size: float) -> str:
    """``12 MB``, ``0.5 MB``: a size as the limit's message shows it."""
    value = size / MB
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


@functools.lru_cache(maxsize=4096)
def _real(folder: str) -> str:
    """A folder's real path, once per folder: ``realpath`` costs an ``lstat`` per path
    component, which per file tripled the cost of reading a project."""
    return os.path.realpath(folder)


def _inside(text: str, root: Path, link: bool) -> bool:
    """Whether ``text`` (a symlink when ``link``) lies inside ``root`` once resolved."""
    folder, name = os.path.split(text)
    real = os.path.realpath(text) if link else f"{_real(folder).rstrip(os.sep)}{os.sep}{name}"
    base = _real(os.fspath(root))
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _stat(path: Path, root: Path | None) -> os.stat_result:
    """The file's status, following a symlink; with ``root``, refuse a path that
    resolves outside it. One ``lstat`` for a plain file (the common case)."""
    text = os.fspath(path)
    try:
        info = path.lstat() if root is not None else path.stat()
        link = stat.S_ISLNK(info.st_mode)
        if link:
            info = path.stat()
    except ValueError:  # a NUL byte in a name taken from a file
        raise NotReadable("not a valid file name") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotReadable(f"not a regular file ({_kind(info.st_mode)})")
    if root is not None and not _inside(text, root, link):
        raise NotReadable("a symlink to outside the project")
    return info


def read_regular(path: Path, root: Path | None = None, max_size: int | None = None,
                 head: int | None = None, vetted: bool = False) -> bytes:
    """The bytes of ``path`` (its first ``head`` bytes when given) if it is a regular
    file, inside ``root`` when given, of at most ``max_size`` bytes; else raise
    `NotReadable` (`TooLarge` for the size) or the `OSError` of the failed open.
    Never blocks on a FIFO or a device.

    ``vetted``: discovery has just checked the path (`mlready.hooks.discovery` lists only
    regular files inside the project), so skip the status calls before the open; the
    descriptor is still checked, so a file swapped since is refused all the same.
    """
    if not vetted:
        _stat(path, root)
    fd = os.open(path, _FLAGS)
    with open(fd, "rb", closefd=True) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the stat and the open
            raise NotReadable(f"not a regular file ({_kind(info.st_mode)})")
        if max_size is not None and info.st_size > max_size:
            raise TooLarge(f"too large to check ({megabytes(info.st_size)} > "
                           f"{megabytes(max_size)})")
        if head is not None:
            return handle.read(head)
        data = handle.read() if max_size is None else handle.read(max_size + 1)
    if max_size is not None and len(data) > max_size:  # grew while being read
        raise TooLarge(f"too large to check ({megabytes(len(data))} > {megabytes(max_size)})")
    return data


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OWN_FLAGS = os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def mine(info: os.stat_result) -> bool:
    """Whether a file or folder is this user's alone: owned by the effective user and
    writable by no one else. A cache folder may be shared (``cache-dir`` on a group
    drive, a ``/tmp`` path): what another local user wrote, or could have replaced,
    must never be read back as our own result, nor deleted as our own leftover."""
    owner = getattr(os, "geteuid", lambda: info.st_uid)()
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_own(path: Path, max_size: int, *, owned: bool = False) -> bytes | None:
    """The bytes of a file mlready wrote itself (a cache entry, its tag, the machine key),
    or None: missing, a symbolic link (never followed), not a regular file (a FIFO does
    not block), larger than ``max_size``, or, with ``owned``, not `mine`. Unlike
    `read_regular` nothing here is the user's to report on, so every failure is a miss."""
    try:
        fd = os.open(path, _OWN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_size \
                or (owned and not mine(info)):
            return None
        chunks = []
        while chunk := os.read(fd, max(info.st_size, 1 << 16)):
            chunks.append(chunk)
        data = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= max_size else None
