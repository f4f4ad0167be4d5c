"""MLR205 `no-dependency-manifest`: third-party imports and no file saying what to install.

## What it does
Reports once per project, on the project root (``.``, as ruff reports a finding about
the whole project: it is shown when the whole project is checked, as the
``mlready-deps`` hook does), with the third-party packages the code imports, when the
project has no dependency manifest at all: no ``requirements*.txt`` (or
``requirements/``, ``*.in``), ``pyproject.toml`` that declares dependencies, ``setup.cfg``,
``setup.py``, ``Pipfile``, conda ``environment.yml`` or lock file. An import is
third-party when it is neither in the standard library (``sys.stdlib_module_names``)
nor a module or folder of the project itself.

A ``pyproject.toml`` that holds only tool settings (``[tool.ruff]``, the table that
``mlready init`` writes) says nothing about what to install, so it does not count; one
with a ``[project]`` table, dependency groups or Poetry dependencies does. A notebook
that installs its own packages in a cell (``!pip install ...``, ``%pip install ...``,
the Colab way) declares its dependencies there: its imports are not reported.

## Why is this bad?
Whoever clones the repository has to guess the packages from import errors, one
run at a time, and then guess their versions. The results the code produced cannot
be reproduced, and the next person to pick the project up starts with archaeology.

## Example
```text
train.py        # import torch, numpy
model.py
```

## Use instead
```text
train.py
model.py
requirements.txt    # torch==2.3.1, numpy==1.26.4  (pip freeze > requirements.txt)
```

## References
- [pip: Requirements files](https://pip.pypa.io/en/stable/user_guide/#requirements-files)
- [Python Packaging User Guide: Writing your pyproject.toml](https://packaging.python.org/en/latest/guides/writing-pyproject-toml/)
"""

from __future__ import annotations

import ast
import fnmatch
import json
import posixpath
import re
import sys
from collections.abc import Iterator
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import LOCK_NAMES, is_lock_file
from mlready.hooks.rules.repo.project import ROOT

CODE = "MLR205"
SEVERITY = "error"
NAME = "no-dependency-manifest"
KINDS = ("python", "pyproject")

_MANIFEST_NAMES = frozenset({"pyproject.toml", "setup.cfg", "setup.py", "Pipfile"})
_MANIFEST_GLOBS = ("requirements*.txt", "requirements*.in", "constraints*.txt",
                   "environment*.yml", "environment*.yaml", "conda*.yml", "conda*.yaml",
                   "env.yml", "env.yaml")
_SHOWN = 5


def _imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Module-level imports, also under ``if``/``try``/``with`` (not inside functions)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With):
            for block in (node.body, getattr(node, "orelse", []),
                          getattr(node, "finalbody", [])):
                yield from _imports(block)
            for handler in getattr(node, "handlers", []):
                yield from _imports(handler.body)


_INSTALL_CELL = patterns.compile(r"^\s*[!%]\s*(?:pip3?|uv pip|conda|mamba)\s+install\b",
                                  re.MULTILINE)


def _table(data: object, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _declares_dependencies(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    project = _table(data, "project")
    tool = _table(data, "tool")
    poetry = _table(tool, "poetry")
    # A [project] table is package metadata even without a dependency list: whether
    # that list is complete is another question than "is there a manifest at all".
    return (bool(project) or "dependency-groups" in data or "dependencies" in poetry
            or "group" in poetry or "pixi" in tool)


def _installs_in_a_cell(ctx: FileContext) -> bool:
    """A notebook's ``!pip install`` cell (its code context blanks IPython lines, so the
    notebook's own JSON is read)."""
    try:
        data = json.loads((ctx.root / ctx.path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    cells = data.get("cells") if isinstance(data, dict) else None
    for cell in cells if isinstance(cells, list) else ():
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(str(part) for part in source) if isinstance(source, list) else str(source)
        if _INSTALL_CELL.search(text):
            return True
    return False


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The top-level names of absolute, non-stdlib imports: [line, col, name]; for a
    pyproject.toml, whether it declares dependencies at all."""
    if ctx.kind == "pyproject":
        return {"declares": _declares_dependencies(ctx.data)}
    if ctx.tree is None:
        return None
    if ctx.notebook and _installs_in_a_cell(ctx):
        return {"imports": []}
    found: list[list[Any]] = []
    for node in _imports(ctx.tree.body):
        if isinstance(node, ast.ImportFrom):
            names = [node.module] if node.level == 0 and node.module else []
        else:
            names = [alias.name for alias in node.names]
        for name in names:
            top = name.split(".", 1)[0]
            if top not in sys.stdlib_module_names and top != "__future__":
                found.append([node.lineno, node.col_offset + 1, top])
    return {"imports": found}


def _is_manifest(path: str) -> bool:
    name = posixpath.basename(path)
    if name in _MANIFEST_NAMES or is_lock_file(path):
        return True
    if posixpath.basename(posixpath.dirname(path)) == "requirements" and name.endswith(".txt"):
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _MANIFEST_GLOBS)


def _local_names(files: tuple[str, ...]) -> frozenset[str]:
    """Every folder and module stem of the project: what a script can import as its own."""
    names: set[str] = set()
    for path in files:
        if path.endswith((".py", ".pyi", ".ipynb")) or "." not in posixpath.basename(path):
            parts = path.split("/")
            names.update(parts[:-1])
            names.add(parts[-1].split(".", 1)[0])
    return frozenset(names)


def _counts(path: str, project: ProjectContext) -> bool:
    """A manifest, unless it is a pyproject.toml whose facts say it declares nothing."""
    if not _is_manifest(path):
        return False
    facts = project.facts.get(path)
    return not (posixpath.basename(path) == "pyproject.toml" and isinstance(facts, dict)
                and facts.get("declares") is False)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    listed = frozenset(project.files)
    if any(_counts(path, project) for path in project.files) or any(
            name not in listed and project.disk.is_file(project.root / name)
            for name in (*_MANIFEST_NAMES, *LOCK_NAMES)):
        return
    local = _local_names(project.files)
    third_party: dict[str, list[list[Any]]] = {}
    for path in sorted(project.facts):
        facts = project.facts[path]
        if isinstance(facts, dict) and "imports" in facts:
            third_party[path] = [hit for hit in facts["imports"] if hit[2] not in local]
    names = sorted({hit[2] for hits in third_party.values() for hit in hits})
    if not names:
        return
    shown = ", ".join(f"`{n}`" for n in names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
    # About the project, not about one import: on the root, never on an arbitrary line.
    yield project.diagnostic(
        ROOT, 1, 1, CODE,
        f"the project imports third-party packages ({shown}) but has no "
        "dependency manifest",
        fix="add a requirements.txt (`pip freeze > requirements.txt`, then trim it) or a "
            "pyproject.toml",
    )
