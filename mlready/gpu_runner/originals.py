"""The project's own files where the runs write their checkpoints, kept from the runs.

A train command that saves to a fixed path (``out/ckpt.pt``) overwrites, on its first
short run, whatever the user had there: the checkpoint of last week's real training.
So before each run, every file outside the runs' folders that the checkpoint glob can
match, whatever the seed and step count (``{steps}`` and the like read as ``*``), and
that no run of this session wrote, is copied into the session's work folder; when the
session ends it is put back, bytes and modification time, and every link to it that the
runs replaced or removed is a link again. Contents are known by their real path, so one
file spelled two ways (through ``{run_dir}/..``, through a link) is kept once. A file
the runs created is left where they wrote it: nothing of the user's folder is deleted.

Putting back is a copy next to the file, then a rename over it, with Ctrl-C and SIGTERM
ignored meanwhile: the file is the run's or the user's, never half of each (a file with
other hard links is written in place, so that they read the original too). If one cannot
be put back, the work folder is kept and the runner says where the original is. The
copies cost disk: every past checkpoint the glob matches (``ckpts/step_{steps}/``) is
copied before the first run, and a full disk stops the runs before they start.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    links: int  # its hard links then: with more than one, put back in place (below)


class Originals:
    """The files kept aside by one session, and the ones its runs created."""

    def __init__(self, work_dir: Path) -> None:
        self.folder = work_dir / FOLDER
        self._kept: dict[Path, _Kept] = {}  # contents, by real path
        self._links: dict[Path, str] = {}  # each symbolic link the glob met -> its target
        self._created: set[Path] = set()  # real paths

    def keep(self, found: Mapping[Path, Signature], cwd: Path) -> None:
        """Copy aside each of ``found`` (stat'ed before a run) that no run has written;
        `CannotKeep`, or `OSError` with ``ENOSPC`` (the caller's disk-full path), when
        one cannot be."""
        for path, signature in found.items():
            real = Path(os.path.realpath(path))
            if real in self._created:
                continue
            if path.is_symlink():  # every link to a file is the user's, not only the first
                self._links.setdefault(Path(os.path.normpath(path.absolute())),
                                       str(path.readlink()))
            if real in self._kept:
                continue
            backup = self.folder / outside.spelled(real, cwd)
            try:
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(real, backup)
                links = real.stat().st_nlink
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise
                raise CannotKeep(f"cannot copy {path} aside before the run overwrites it: "
                                 f"{exc.strerror or exc}") from None
            self._kept[real] = _Kept(backup, signature, links)

    def created(self, paths: Iterable[Path]) -> None:
        """Files a run wrote where nothing was before: the user had nothing there."""
        for path in paths:
            real = Path(os.path.realpath(path))
            if real not in self._kept:
                self._created.add(real)

    def restore(self) -> tuple[list[Path], list[str]]:
        """Put back every kept link and file the runs changed or removed: (those put back,
        why others were not, each naming where its original is)."""
        restored: list[Path] = []
        failed: list[str] = []
        with _signals_held():
            for link, target in self._links.items():
                try:
                    if _put_link_back(link, target):
                        restored.append(link)
                except OSError as exc:
                    failed.append(f"cannot make the link {link} -> {target} again "
                                  f"({exc.strerror or exc})")
            for real, kept in self._kept.items():
                if outside.signature(real) == kept.signature:
                    continue
                try:
                    _put_file_back(kept, real)
                except OSError as exc:
                    failed.append(f"cannot put back {real} ({exc.strerror or exc}); its "
                                  f"original is {kept.backup}")
                else:
                    restored.append(real)
        return restored, failed


def _put_link_back(path: Path, target: str) -> bool:
    """A link the runs replaced (an atomic save renames a file over it) or removed, made
    again; False when it is as it was."""
    if path.is_symlink() and str(path.readlink()) == target:
        return False
    _swap_in(path, lambda temporary: temporary.symlink_to(target))
    return True


def _put_file_back(kept: _Kept, path: Path) -> None:
    """The original copied next to ``path``, then renamed over it (the folder made again
    if the runs removed it). A file with other hard links is written in place instead, so
    that they read the original too (signals are held off either way)."""
    if kept.links > 1 and path.is_file():
        shutil.copy2(kept.backup, path)
        return
    _swap_in(path, lambda temporary: shutil.copy2(kept.backup, temporary))


def _swap_in(path: Path, make: Callable[[Path], object]) -> None:
    """``make`` a temporary beside ``path`` (its folder made again if the runs removed
    it), then rename it over ``path``: it is the old one or the new one, never half;
    a temporary that failed is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".mlready-restore-{os.getpid()}-{path.name}")
    try:
        make(temporary)
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
        for number, handler in previous.items():  # None: set outside Python, so default
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
