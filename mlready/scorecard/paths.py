"""Where the project sits in its git repository.

Findings are relative to the project root, but GitHub wants paths relative to the
repository root: in blob links, in annotations' ``file=`` and in ``git diff`` output.
They differ when the project is a sub-directory (the Action's ``working-directory``,
a monorepo). Found by walking up to the ``.git`` entry, without gitpython.

Paths also come from files a pull request can write (the check JSON is an artifact), so
a path becomes part of a link only when `linkable` proves it stays inside the
repository: ``blob/<sha>/../../../../attacker/phish/blob/main/x.py`` resolves, in the
browser, to somebody else's repository.
"""

from __future__ import annotations

import re
from pathlib import Path

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")  # https:, javascript:, C: (a drive)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def linkable(path: str) -> bool:
    """Whether ``path`` is a plain relative POSIX path that cannot leave the repository
    when appended to a blob URL: no ``.``/``..`` or empty segment, not absolute, no
    backslash (browsers read it as ``/``), no scheme or drive, no control character.

    A path that fails is still shown, as code text, just never as a link.
    """
    if not path or path.startswith("/") or "\\" in path or _CONTROL.search(path):
        return False
    if _SCHEME.match(path):
        return False
    return all(segment not in ("", ".", "..") for segment in path.split("/"))


def repo_prefix(project_root: Path) -> str:
    """``"sub/dir/"`` for a project in a sub-directory of its repository, else ``""``."""
    here = project_root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            relative = here.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""
