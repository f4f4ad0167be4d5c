"""MLR205 `no-dependency-manifest`: third-party imports and no file saying what to install.

## What it does
Reports once per project, at the first module-level import of a third-party package,
when the project has no dependency manifest at all: no ``requirements*.txt`` (or
``requirements/``, ``*.in``), ``pyproject.toml``, ``setup.cfg``, ``setup.py``,
``Pipfile``, conda ``environment.yml`` or lock file. An import is third-party when it
is neither in the standard library (``sys.stdlib_module_names``) nor a module or
folder of the project itself.

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
import posixpath
import sys
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import LOCK_NAMES, is_lock_file

CODE = "MLR205"
NAME = "no-dependency-manifest"
KINDS = ("python",)

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


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The top-level names of absolute, non-stdlib imports: [line, col, name]."""
    if ctx.tree is None:
        return None
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


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if any(_is_manifest(path) for path in project.files) or any(
            project.disk.is_file(project.root / name) for name in (*_MANIFEST_NAMES, *LOCK_NAMES)):
        return
    local = _local_names(project.files)
    third_party: dict[str, list[list[Any]]] = {}
    for path in sorted(project.facts):
        facts = project.facts[path]
        if isinstance(facts, dict):
            third_party[path] = [hit for hit in facts["imports"] if hit[2] not in local]
    names = sorted({hit[2] for hits in third_party.values() for hit in hits})
    first = next(((path, hits[0]) for path, hits in third_party.items()
                  if hits and path in project.targets), None)
    if first is None:
        return
    path, (line, col, name) = first
    shown = ", ".join(f"`{n}`" for n in names[:_SHOWN]) + (", ..." if len(names) > _SHOWN else "")
    yield project.diagnostic(
        path, line, col, CODE,
        f"`{name}`: the project imports third-party packages ({shown}) but has no "
        "dependency manifest",
        fix="add a requirements.txt (`pip freeze > requirements.txt`, then trim it) or a "
            "pyproject.toml",
    )
