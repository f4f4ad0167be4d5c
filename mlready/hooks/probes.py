"""The disk as cross-file rules see it, recorded, so that a remembered run can be trusted.

A rule's ``finalize`` reads the project as facts, but a few rules also look at the disk
directly: a lock file in a folder (MLR2xx), a README (MLR601/602), ``.gitattributes``
(MLR501). Those answers are in no file's facts, so the run memo (`mlready.hooks.memo`)
could not see them change. Rules therefore ask through `Probes`, reached as
``project.disk``, which records each question with its answer: a path's file type, a
folder's names (as a digest), a file's first bytes (as a digest), an environment
variable (``GIT_INDEX_FILE``, which names the index a commit hook must read). A
remembered run is reused only while every question still gets the same answer. Answers,
not timestamps: a file replaced with the same size and time (``cp -p``, an unpacked
archive) is still seen, and git touching ``.git/`` does not count as a change to "is
there a ``.git``".

Rule modules never call ``Path.exists``/``iterdir``/``read_*`` themselves in
``finalize``; a test sweeps the rule sources for it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from mlready.hooks.cache import digest

# Question ("type:<path>", "list:<path>", "read:<limit>:<path>", "env:<name>") -> its answer.
Answer = int | str | None


def _type(path: Path) -> int | None:
    try:
        return stat.S_IFMT(path.stat().st_mode)
    except (OSError, ValueError):  # ValueError: a NUL byte in a name taken from a file
        return None


def _names(folder: Path) -> list[str] | None:
    try:
        return sorted(entry.name for entry in folder.iterdir())
    except (OSError, ValueError):
        return None


def _head(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file (`mlready.reading`: a FIFO or a
    ``.gitattributes -> /dev/stdin`` would block the run), else None."""
    from mlready.reading import read_regular

    try:
        return read_regular(path, head=limit)
    except OSError:
        return None


def _listing(names: list[str] | None) -> str | None:
    return None if names is None else digest("\0".join(names).encode("utf-8", "surrogateescape"))


def _content(data: bytes | None) -> str | None:
    return None if data is None else digest(data)


class Probes:
    """File-system questions that leave a trace in `seen` (question -> answer)."""

    def __init__(self) -> None:
        self.seen: dict[str, Answer] = {}

    def _type(self, path: Path) -> int | None:
        answer = _type(path)
        self.seen.setdefault(f"type:{path}", answer)
        return answer

    def exists(self, path: Path) -> bool:
        return self._type(path) is not None

    def is_file(self, path: Path) -> bool:
        return self._type(path) == stat.S_IFREG

    def is_dir(self, path: Path) -> bool:
        return self._type(path) == stat.S_IFDIR

    def listdir(self, folder: Path) -> list[str]:
        """The names in ``folder``, sorted; empty when it cannot be listed."""
        names = _names(folder)
        self.seen.setdefault(f"list:{folder}", _listing(names))
        return names or []

    def read(self, path: Path, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a file, or None when it cannot be read."""
        data = _head(path, limit)
        self.seen.setdefault(f"read:{limit}:{path}", _content(data))
        return data

    def environ(self, name: str) -> str | None:
        """An environment variable: git hands its hooks the index to read in
        ``GIT_INDEX_FILE``, so a run remembered outside a commit must not be reused
        inside one."""
        value = os.environ.get(name)
        self.seen.setdefault(f"env:{name}", value)
        return value


def _answer(question: str) -> Answer:
    kind, _, rest = question.partition(":")
    if kind == "type":
        return _type(Path(rest))
    if kind == "list":
        return _listing(_names(Path(rest)))
    if kind == "read":
        limit, _, path = rest.partition(":")
        return _content(_head(Path(path), int(limit)))
    if kind == "env":
        return os.environ.get(rest)
    raise ValueError(f"unknown question {question!r}")


def unchanged(seen: Mapping[str, Answer]) -> bool:
    """Whether every recorded question still gets its recorded answer."""
    return all(_answer(question) == answer for question, answer in seen.items())
