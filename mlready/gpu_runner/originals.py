"""The project's own files where the runs write their checkpoints, kept from the runs.

A train command that saves to a fixed path (``out/ckpt.pt``) overwrites, on its first
short run, whatever the user had there: the checkpoint of last week's real training.
So before each run, every file outside the runs' folders that the checkpoint glob can
match, whatever the seed and step count (``{steps}`` and the like read as ``*``), and
that no run of this session wrote, is copied into the session's work folder; when the
session ends it is put back, bytes and modification time, and a link the runs replaced
by a file is a link again. Files are known by their real path, so one file spelled two
ways (through ``{run_dir}/..``, through a link) is kept once. A file the runs created is
left where they wrote it: nothing of the user's folder is deleted.

Putting back is a copy next to the file, then a rename over it, with Ctrl-C and SIGTERM
held off meanwhile: the file is the run's or the user's, never half of each. If one
cannot be put back, the work folder is kept and the runner says where the original is.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from mlready.gpu_runner import outside
from mlready.gpu_runner.outside import Signature
from mlready.records import NamedTuple

FOLDER = "originals"  # in the session's work folder


class CannotKeep(Exception):
    """A file that could not be copied aside: the run must not start and overwrite it."""


class _Kept(NamedTuple):
    backup: Path
    signature: Signature  # the file's as it was kept: put back only when it changed
    link: tuple[Path, str] | None  # (the path as globbed, its target) when it was a link


class Originals:
    """The files kept aside by one session, and the ones its runs created."""

    def __init__(self, work_dir: Path) -> None:
        self.folder = work_dir / FOLDER
        self._kept: dict[Path, _Kept] = {}  # by real path
        self._created: set[Path] = set()  # real paths

    def keep(self, found: Mapping[Path, Signature], cwd: Path) -> None:
        """Copy aside each of ``found`` (stat'ed before a run) that no run has written;
        `CannotKeep`, or `OSError` with ``ENOSPC`` (the caller's disk-full path), when
        one cannot be."""
        for path, signature in found.items():
            real = Path(os.path.realpath(path))
            if real in self._kept or real in self._created:
                continue
            backup = self.folder / outside.spelled(real, cwd)
            link = (path, str(path.readlink())) if path.is_symlink() else None
            try:
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(real, backup)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise
                raise CannotKeep(f"cannot copy {path} aside before the run overwrites it: "
                                 f"{exc.strerror or exc}") from None
            self._kept[real] = _Kept(backup, signature, link)

    def created(self, paths: Iterable[Path]) -> None:
        """Files a run wrote where nothing was before: the user had nothing there."""
        for path in paths:
            real = Path(os.path.realpath(path))
            if real not in self._kept:
                self._created.add(real)

    def restore(self) -> tuple[list[Path], list[str]]:
        """Put back every kept file the runs changed or removed: (those put back, why
        others were not, each naming where its original is)."""
        restored: list[Path] = []
        failed: list[str] = []
        with _signals_held():
            for real, kept in self._kept.items():
                try:
                    changed = _put_link_back(kept.link)
                    if outside.signature(real) != kept.signature:
                        _replace_with_copy(kept.backup, real)
                        changed = True
                except OSError as exc:
                    failed.append(f"cannot put back {real} ({exc.strerror or exc}); its "
                                  f"original is {kept.backup}")
                    continue
                if changed:
                    restored.append(kept.link[0] if kept.link else real)
        return restored, failed


def _put_link_back(link: tuple[Path, str] | None) -> bool:
    """A link the runs replaced (an atomic save renames a file over it), made again."""
    if link is None:
        return False
    path, target = link
    if path.is_symlink() and str(path.readlink()) == target:
        return False
    temporary = path.with_name(f".mlready-restore-{os.getpid()}-{path.name}")
    temporary.symlink_to(target)
    temporary.replace(path)
    return True


def _replace_with_copy(backup: Path, path: Path) -> None:
    """``backup`` copied next to ``path``, then renamed over it (the folder made again
    if the runs removed it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".mlready-restore-{os.getpid()}-{path.name}")
    try:
        shutil.copy2(backup, temporary)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM ignored while files are put back (a second Ctrl-C is a common
    habit, and a checkpoint of gigabytes takes seconds to copy); only the main thread may
    set handlers, and elsewhere nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
