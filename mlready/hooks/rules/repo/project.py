"""Shared by the project-level repository rules: the folders a project's settings live
in, and where a finding about the whole project is reported.

A finding about something missing (no tests, no CI, no ``.gitignore``) has no line of
its own: it is reported on the project root, the path ``.``, line 1, which the engine
keeps when the whole project is checked (`mlready.hooks.engine`). Files the engine does
not read (``.gitignore``, CI configs) are looked at through ``project.disk``, so that a
remembered run notices when one appears.
"""

from __future__ import annotations

from pathlib import Path

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import PROJECT_PATH

ROOT = PROJECT_PATH  # the path of a finding about the whole project


def folders(project: ProjectContext) -> list[Path]:
    """The root, then its parents up to the top of the git work tree (a package in
    ``repo/python/`` is tested and built by ``repo/``'s files); only the root outside
    a work tree."""
    chain = [project.root, *project.root.parents]
    for depth, folder in enumerate(chain):
        if project.disk.exists(folder / ".git"):
            return chain[: depth + 1]
    return [project.root]


def has_python(project: ProjectContext) -> bool:
    """Whether the project has Python modules (a notebooks-only tutorial has none)."""
    return any(path.endswith(".py") for path in project.files)
