"""The project's own files where the runs write their checkpoints, kept from the runs.

A train command that saves to a fixed path (``out/ckpt.pt``) overwrites, on its first
short run, whatever the user had there: the checkpoint of last week's real training.
So a file the checkpoint glob finds outside the run directory before a run, and that
no earlier run of this session wrote, is copied into the session's work folder first,
and put back, byte for byte and with its modification time, when the session ends
(also after Ctrl-C). A file the runs created is left where they wrote it: nothing of
the user's folder is deleted. If a file cannot be put back, the work folder is kept
and the runner says where the original is.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from mlready.gpu_runner import outside
from mlready.gpu_runner.outside import Signature

FOLDER = "originals"  # in the session's work folder


class CannotKeep(Exception):
    """A file that could not be copied aside: the run must not start and overwrite it."""


class Originals:
    """The files kept aside by one session, and the ones its runs created."""

    def __init__(self, work_dir: Path) -> None:
        self.folder = work_dir / FOLDER
        self._kept: dict[Path, tuple[Path, Signature]] = {}
        self._created: set[Path] = set()

    def keep(self, found: Mapping[Path, Signature], cwd: Path) -> None:
        """Copy aside each of ``found`` (stat'ed before a run) that no run has written;
        `CannotKeep` (or `OSError` with ``ENOSPC``) when one cannot be."""
        for path, signature in found.items():
            if path in self._kept or path in self._created:
                continue
            backup = outside.copy_to(path, self.folder, cwd)
            try:
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, backup)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise
                raise CannotKeep(f"cannot copy {path} aside before the run overwrites it: "
                                 f"{exc.strerror or exc}") from None
            self._kept[path] = (backup, signature)

    def created(self, paths: Iterable[Path]) -> None:
        """Files a run wrote where nothing was before: the user had nothing there."""
        self._created.update(path for path in paths if path not in self._kept)

    def restore(self) -> tuple[list[Path], list[str]]:
        """Put back every kept file the runs changed: (those put back, why others were
        not, each naming where its original is)."""
        restored: list[Path] = []
        failed: list[str] = []
        for path, (backup, signature) in self._kept.items():
            if outside.signature(path) == signature:
                continue
            try:
                shutil.copy2(backup, path)
            except OSError as exc:
                failed.append(f"cannot put back {path} ({exc.strerror or exc}); its "
                              f"original is {backup}")
            else:
                restored.append(path)
        return restored, failed
