"""Shared by the README rules (MLR601, MLR602): where the README is, where to report.

The engine reads only files of the kinds it knows, and a README is none of them, so
these rules look for it by name: in the project root, then in the folders above it up
to the top of the git work tree (a package in ``repo/python/`` is documented by
``repo/README.md``), or wherever ``[project] readme`` in the root pyproject.toml points.
A README finding sits at the file it is about, as ruff places project-level findings:
on the README itself (line 1), or on the project root (``.``) when there is none or it
lives above the root. Neither is a file the engine reads, so the engine shows them when
the whole project is checked, never on a partial run (`mlready.hooks.engine`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.probes import Probes
from mlready.hooks.rules.repo.project import ROOT

KINDS = ("pyproject", "setup_cfg", "python")
_ANCHORS = ("pyproject.toml", "setup.cfg", "setup.py")
_README_SUFFIXES = frozenset({"", ".md", ".markdown", ".rst", ".txt", ".adoc", ".org"})
MAX_BYTES = 1_000_000  # a README larger than this is read only this far


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The root pyproject.toml's declared readme (``[project]`` or Poetry), if any."""
    if ctx.kind != "pyproject" or ctx.path != "pyproject.toml" or not isinstance(ctx.data, dict):
        return None
    tool = ctx.data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    for table in (ctx.data.get("project"), poetry):
        value = table.get("readme") if isinstance(table, dict) else None
        if isinstance(value, dict):
            value = value.get("file")
        if isinstance(value, str) and value:
            return {"readme": value}
        if isinstance(value, list) and value and isinstance(value[0], str):
            return {"readme": value[0]}  # Poetry allows a list of files
    return None


def _named_readme(disk: Probes, folder: Path) -> Path | None:
    for name in disk.listdir(folder):
        stem, dot, suffix = name.partition(".")
        if stem.lower() == "readme" and (dot + suffix).lower() in _README_SUFFIXES \
                and disk.is_file(folder / name):
            return folder / name
    return None


def _folders(disk: Probes, root: Path) -> list[Path]:
    """The root, then its parents up to the top of the git work tree (none outside one)."""
    chain = [root, *root.parents]
    for depth, folder in enumerate(chain):
        if disk.exists(folder / ".git"):
            return chain[: depth + 1]
    return [root]


def find(project: ProjectContext) -> Path | None:
    """The project's README, or None when there is none."""
    declared = project.facts.get("pyproject.toml")
    name = declared.get("readme") if isinstance(declared, dict) else None
    if isinstance(name, str):
        path: Path = project.root / name
        if project.disk.is_file(path):
            return path
    for folder in _folders(project.disk, project.root):
        found = _named_readme(project.disk, folder)
        if found is not None:
            return found
    return None


def documentable(project: ProjectContext) -> bool:
    """Whether the project has something to document: a Python file or a manifest."""
    return any(p.endswith(".py") or p in _ANCHORS for p in project.files)


def anchor(project: ProjectContext, readme: Path | None) -> str:
    """Where a README finding is reported: the README's path when it is inside the
    project, else the project root (``.``)."""
    if readme is not None:
        shown = display(readme, project.root)
        if not shown.startswith("../") and shown != "..":
            return shown
    return ROOT


def display(path: Path, root: Path) -> str:
    """The README's path as the user sees it: relative to the root when it is inside."""
    return Path(os.path.relpath(path, root)).as_posix()


def read(project: ProjectContext, path: Path) -> str | None:
    data = project.disk.read(path, MAX_BYTES)
    return data.decode("utf-8", "replace") if data is not None else None
