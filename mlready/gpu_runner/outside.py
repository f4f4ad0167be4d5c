"""Checkpoints a run writes outside its own run directory, kept apart per run.

A train command without ``{run_dir}`` in it (``--save out/ckpt.pt``, Rainbow's
``results/default/``) writes every run's checkpoint to the same file. Left there, the
comparisons of two runs compare that file with itself: a same-seed pair, an
interrupted and an uninterrupted run, always read "bitwise identical", whatever the
training did. So each match of the checkpoint glob outside the run directory is
stat'ed before the run starts; after it, a match the run did not touch (same inode,
modification time and size) is not this run's output, and one it wrote is copied into
the run directory, where no later run overwrites it. The copy, not the file the next
run will overwrite, is what the checks compare, resume from and evaluate.

The project's own file stays where the command left it (nothing of the user's is moved
or deleted). On a file system whose modification times are coarser than the run (a
rewrite of the same size within one tick), a checkpoint the run did write reads as
untouched: the check then says that no checkpoint was written, never that two runs
agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from mlready.records import NamedTuple

FOLDER = "mlready-outside"  # in a run directory: the copies of what it wrote elsewhere

Signature = tuple[int, int, int]  # inode, modification time (ns), size


def signature(path: Path) -> Signature | None:
    """The stat by which a rewrite of ``path`` shows; None when there is no such file."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def signatures(paths: Iterable[Path], run_dir: Path) -> dict[Path, Signature]:
    """The `signature` of each of ``paths`` outside ``run_dir`` (a file gone: absent)."""
    found: dict[Path, Signature] = {}
    for path in paths:
        if not inside(path, run_dir) and (known := signature(path)) is not None:
            found[path] = known
    return found


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` really lies in ``folder``: with ``..`` undone and links followed
    (``{run_dir}/../shared/ckpt.pt``, and a link in the run directory to a shared file,
    are outside it: every run's would be the same file)."""
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


class Sorted(NamedTuple):
    """A run's checkpoint matches: what it wrote, and what it left as it was."""

    own: list[Path]  # inside the run directory, or written outside it by this run
    to_copy: list[tuple[Path, Path]]  # (written outside, where its copy goes)
    untouched: list[Path]  # outside, and as they were before the run started


def sort(found: Iterable[Path], before: Mapping[Path, Signature], run_dir: Path,
         cwd: Path) -> Sorted:
    """Tell this run's checkpoints from the files it found there; ``own`` lists the
    copies' paths for those written outside (`copy_to` says where each goes)."""
    own: list[Path] = []
    to_copy: list[tuple[Path, Path]] = []
    untouched: list[Path] = []
    after = signatures(found, run_dir)
    for path in found:
        if inside(path, run_dir):
            own.append(path)
        elif path not in after:  # gone since the glob saw it: nothing to compare
            continue
        elif before.get(path) == after[path]:
            untouched.append(path)
        else:
            target = copy_to(path, run_dir, cwd)
            to_copy.append((path, target))
            own.append(target)
    return Sorted(own, to_copy, untouched)


def copy_to(path: Path, run_dir: Path, cwd: Path) -> Path:
    """Where the copy of ``path`` goes: under the run directory's `FOLDER`, at its
    `spelled` name."""
    return run_dir / FOLDER / spelled(path, cwd)


def spelled(path: Path, cwd: Path) -> Path:
    """A relative name for ``path`` that stays below any folder it is joined to: its path
    relative to the folder the command ran in (``out/ckpt.pt``), or its absolute path
    without the root for one outside that folder (or reached through a link)."""
    try:
        relative = path.relative_to(cwd)
    except ValueError:
        relative = Path(*path.parts[1:]) if path.is_absolute() else path
    if ".." in relative.parts or path.is_symlink():
        relative = Path(*path.resolve().parts[1:])
    return relative
