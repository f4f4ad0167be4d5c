"""What git holds for a notebook: its staged blob id, read from the index (MLR501).

MLR501 lets the ``nbstripout`` filter excuse a notebook only while the filter can still
strip it, which it can tell only from what git has staged: a notebook whose file is its
staged blob byte for byte has already gone through (or past) the filter as it is. The
index is read through ``project.disk`` (`mlready.hooks.rules.repo.tracked`), so a
remembered run (`mlready.hooks.memo`) is not reused once anything is staged; it is read
only when a notebook with outputs matches a filter pattern, which few runs meet.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from mlready.hooks.context import ProjectContext
from mlready.hooks.rules.repo.project import folders
from mlready.hooks.rules.repo.tracked import (
    MAX_INDEX_BYTES,
    git_dir,
    index_entries,
    index_file,
)
from mlready.records import NamedTuple


class Staged(NamedTuple):
    """The index as MLR501 needs it."""

    in_git: bool  # the project is in a git work tree
    blobs: Mapping[str, str] | None  # root-relative path -> staged blob id; None: unreadable

    def may_strip(self, path: str, ids: Collection[str]) -> bool:
        """Whether the filter may still strip ``path``, whose file has the blob ``ids``:
        it is not staged yet (``git add`` runs the filter), or its staged blob is another
        (the filter cleaned it, or it changed since). Outside git there is no filter; an
        index that cannot be read (a split index) leaves the filter trusted."""
        if not self.in_git:
            return False
        if self.blobs is None:
            return True
        blob = self.blobs.get(path)
        return blob is None or blob not in ids


def read_staged(project: ProjectContext) -> Staged:
    """The staged blob id of every file under the project root."""
    top = folders(project)[-1]
    folder = git_dir(project, top) if project.disk.exists(top / ".git") else None
    if folder is None:
        return Staged(in_git=False, blobs={})
    data = project.disk.read(index_file(project, top, folder), MAX_INDEX_BYTES)
    if data is None:  # a fresh `git init`: nothing staged yet
        return Staged(in_git=True, blobs={})
    entries = index_entries(data)
    if entries is None:
        return Staged(in_git=True, blobs=None)
    below = project.root.relative_to(top).as_posix()
    prefix = "" if below == "." else below + "/"
    return Staged(in_git=True, blobs={entry.path[len(prefix):]: entry.blob for entry in entries
                                      if entry.path.startswith(prefix)})
