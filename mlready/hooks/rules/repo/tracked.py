"""The files git tracks, with their sizes, read from the index itself (MLR612).

No subprocess: ``.git/index`` is read through ``project.disk`` (so a remembered run
sees a ``git add``), and its entries (format versions 2 and 3; gitformat-index(5))
give each tracked path and the size of the file when it was staged. Version 4 (path
compression, opt-in) and split or sparse indexes are not read: no entries, no
findings. A ``.git`` file (a worktree or submodule: ``gitdir: <path>``) is followed.
Outside a git work tree there is no index; the model and data files on disk that the
first ``git add -A`` would take (not ignored by a ``.gitignore``) stand in for it.
"""

from __future__ import annotations

import posixpath
import struct
from pathlib import Path

from mlready.hooks.context import ProjectContext
from mlready.hooks.discovery import DEFAULT_EXCLUDES
from mlready.hooks.rules.repo.gitignore import Matcher

MAX_INDEX_BYTES = 256 * 1024 * 1024
MAX_WALK = 20_000  # files looked at outside git


def _git_dir(project: ProjectContext, top: Path) -> Path | None:
    dot_git = top / ".git"
    if project.disk.is_dir(dot_git):
        return dot_git
    data = project.disk.read(dot_git, 4096)
    if data and data.startswith(b"gitdir:"):
        target = Path(data[7:].decode("utf-8", "replace").strip())
        return target if target.is_absolute() else top / target
    return None


def parse_index(data: bytes) -> list[tuple[str, int]] | None:
    """(path, size) per stage-0 entry of a version 2 or 3 index, or None."""
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3):
        return None
    entries: list[tuple[str, int]] = []
    offset = 12
    for _ in range(count):
        if offset + 62 > len(data):
            return None
        size = struct.unpack(">I", data[offset + 36:offset + 40])[0]
        flags = struct.unpack(">H", data[offset + 60:offset + 62])[0]
        start = offset + 62 + (2 if version == 3 and flags & 0x4000 else 0)
        end = data.find(b"\0", start)
        if end == -1:
            return None
        path = data[start:end].decode("utf-8", "surrogateescape")
        if (flags >> 12) & 3 == 0:  # merge stage 0: the file as it will be committed
            entries.append((path, size))
        length = end - offset  # the entry pads to a multiple of 8 with 1-8 NUL bytes
        offset += (length + 8) & ~7
    return entries


def _walk(project: ProjectContext, top: Path, below: str, suffixes: tuple[str, ...],
          limit: int) -> list[tuple[str, int]]:
    """What ``git add -A`` would take outside a repository: only the files named like
    ``suffixes``, each read up to just past ``limit`` bytes (reading every file of a data folder
    to learn its size would cost more than the check is worth)."""
    matcher = Matcher(project, top)
    found: list[tuple[str, int]] = []
    stack = [""]
    while stack and len(found) < MAX_WALK:
        folder = stack.pop()
        for name in project.disk.listdir(project.root / folder):
            rel = posixpath.join(folder, name) if folder else name
            if name in DEFAULT_EXCLUDES or name == ".git":
                continue
            full = project.root / rel
            if project.disk.is_dir(full):
                if not matcher.ignored(below + rel, True):
                    stack.append(rel)
            elif name.lower().endswith(suffixes) and project.disk.is_file(full) \
                    and not matcher.ignored(below + rel, False):
                data = project.disk.read(full, limit + 1)
                found.append((rel, len(data) if data is not None else 0))
    return found


def tracked(project: ProjectContext, top: Path, suffixes: tuple[str, ...],
            limit: int) -> list[tuple[str, int]]:
    """(root-relative path, size) of every tracked file under the project root (outside
    git: the ``suffixes`` files on disk, sizes known up to ``limit``)."""
    below = project.root.relative_to(top).as_posix()
    prefix = "" if below == "." else below + "/"
    git_dir = _git_dir(project, top)
    if git_dir is None:
        return _walk(project, top, prefix, suffixes, limit)
    data = project.disk.read(git_dir / "index", MAX_INDEX_BYTES)
    entries = parse_index(data) if data else None
    return [(path[len(prefix):], size) for path, size in entries or []
            if path.startswith(prefix)]
