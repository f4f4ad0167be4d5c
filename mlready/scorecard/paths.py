"""Where the project sits in its git repository.

Findings are relative to the project root, but GitHub wants paths relative to the
repository root: in blob links, in annotations' ``file=`` and in ``git diff`` output.
They differ when the project is a sub-directory (the Action's ``working-directory``,
a monorepo). Found by walking up to the ``.git`` entry, without gitpython.
"""

from __future__ import annotations

from pathlib import Path


def repo_prefix(project_root: Path) -> str:
    """``"sub/dir/"`` for a project in a sub-directory of its repository, else ``""``."""
    here = project_root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            relative = here.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""
