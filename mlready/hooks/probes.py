"""The disk as cross-file rules see it, recorded, so that a remembered run can be trusted.

A rule's ``finalize`` reads the project as facts, but a few rules also look at the disk
directly: a lock file in a folder (MLR2xx), a README (MLR601/602), ``.gitattributes``
(MLR501). Those answers are in no file's facts, so the run memo (`mlready.hooks.memo`)
could not see them change. Rules therefore ask through `Probes`, reached as
``project.disk``, which notes a stamp of every path it answered about (type, size,
modification time; a folder's time changes when an entry is added or removed). A
remembered run is reused only while every stamp is still the same: the file system
answers cheaply what would otherwise mean re-running every rule.

Rule modules never call ``Path.exists``/``iterdir``/``read_*`` themselves in
``finalize``; a test sweeps the rule sources for it.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from os import stat_result
from pathlib import Path

Stamp = tuple[int, int, int] | None  # (file type bits, size, mtime in ns); None: missing


def _stamp(result: stat_result | None) -> Stamp:
    if result is None:
        return None
    return (stat.S_IFMT(result.st_mode), result.st_size, result.st_mtime_ns)


def _stat(path: Path | str) -> stat_result | None:
    try:
        return Path(path).stat()
    except (OSError, ValueError):  # ValueError: a NUL byte in a name taken from a file
        return None


class Probes:
    """File-system questions that leave a trace in `seen` (absolute path -> stamp)."""

    def __init__(self) -> None:
        self.seen: dict[str, Stamp] = {}

    def _look(self, path: Path) -> stat_result | None:
        result = _stat(path)
        self.seen.setdefault(str(path), _stamp(result))
        return result

    def exists(self, path: Path) -> bool:
        return self._look(path) is not None

    def is_file(self, path: Path) -> bool:
        result = self._look(path)
        return result is not None and stat.S_ISREG(result.st_mode)

    def is_dir(self, path: Path) -> bool:
        result = self._look(path)
        return result is not None and stat.S_ISDIR(result.st_mode)

    def listdir(self, folder: Path) -> list[str]:
        """The names in ``folder``, sorted; empty when it cannot be listed."""
        if self._look(folder) is None:
            return []
        try:
            return sorted(entry.name for entry in folder.iterdir())
        except OSError:
            return []

    def read(self, path: Path, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a file, or None when it cannot be read."""
        if self._look(path) is None:
            return None
        try:
            with open(path, "rb") as handle:
                return handle.read(limit)
        except OSError:
            return None


def unchanged(seen: Mapping[str, Stamp]) -> bool:
    """Whether every recorded path still has its recorded stamp."""
    return all(_stamp(_stat(path)) == recorded for path, recorded in seen.items())
