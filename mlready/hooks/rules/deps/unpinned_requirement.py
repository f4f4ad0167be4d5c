"""MLR201 `unpinned-requirement`: a requirements file entry without an exact version.

## What it does
Flags an entry of a pip requirements file (``requirements*.txt``, ``requirements/*.txt``,
``*.in``) that does not pin one version with ``==`` or ``===`` (or a ``--hash``), when
nothing else in the project pins it: no lock file (``uv.lock``, ``poetry.lock``,
``pdm.lock``, ``Pipfile.lock``, ``pixi.lock``, ``pylock.toml``, or a ``pip-compile`` /
``uv pip compile`` output) and no pinned entry for the same package in a file it
includes with ``-r``/``-c``. Entries of a ``.in`` file are also covered by a pinned
entry anywhere in the project (its compiled output). Constraints files are not
checked: bounding versions is their purpose. Nor are the documentation's own
requirements (``docs/requirements.txt``, ``requirements-docs.txt``): they build the
docs, not the stack that produces results.

## Why is this bad?
``pip install -r requirements.txt`` with ``torch>=2.0`` installs whatever is newest
on the day: the same commit trains a different model next month, and a result can
no longer be reproduced or bisected. Pinning every package (or committing a lock
file) makes the environment a function of the commit.

## Example
```text
torch>=2.0
numpy
```

## Use instead
```text
torch==2.3.1
numpy==1.26.4
```
or keep the ranges in ``requirements.in`` and commit the ``requirements.txt`` that
``pip-compile`` (or ``uv pip compile``) generates from it.

## Fix safety
A bare entry (a name, maybe extras, a marker or a comment, no version at all) is
pinned with ``==`` to the version installed in the environment mlready runs in. The
fix is unsafe, applied only with ``--unsafe-fixes``: that environment may not be the
one the project runs in (pre-commit installs mlready in its own). An entry with a
range (``torch>=2.0``), and a package that is not installed, get no fix.

## References
- [pip: Repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
- [pip: Requirements file format](https://pip.pypa.io/en/stable/reference/requirements-file-format/)
- [PEP 440: Version matching](https://peps.python.org/pep-0440/#version-matching)
- [pip-tools](https://pip-tools.readthedocs.io/)
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.fixes import line_starts
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.rules.deps.facts import LOCK_HINT, DepsProject, is_docs_manifest, manifest_facts

CODE = "MLR201"
SEVERITY = "error"
NAME = "unpinned-requirement"
KINDS = ("requirements",)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    return manifest_facts(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    deps = DepsProject(project)
    if deps.compiled:
        return
    every_pin = deps.pinned(deps.requirements)
    for path in sorted(deps.requirements):
        if path not in project.targets or deps.locked(path) or deps.is_constraints(path) \
                or is_docs_manifest(path):
            continue
        covered = every_pin if path.endswith(".in") else deps.pinned(deps.reachable(path))
        for entry in deps.requirements[path]["entries"]:
            if entry["status"] == "unpinned" and entry["name"] not in covered:
                yield project.diagnostic(
                    path, entry["line"], entry["col"], CODE,
                    f"`{entry['text']}`: requirement is not pinned to an exact version",
                    fix=f"pin it with `==` (the version `pip freeze` shows), {LOCK_HINT}",
                )


# A bare requirement: a name, optional extras, then nothing but a marker or a comment.
_BARE = patterns.compile(r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*"
                         r"(?P<extras>\[[^\]\n]*\])?(?P<rest>[ \t]*(?:;[^\n]*|[ \t]#[^\n]*)?)$")


def autofix(diagnostic: Diagnostic, source: str) -> Fix | None:
    """Pin a bare entry to the installed version (unsafe: environment-dependent)."""
    starts = line_starts(source)
    if not 0 < diagnostic.line <= len(starts):
        return None
    begin = starts[diagnostic.line - 1]
    stop = starts[diagnostic.line] if diagnostic.line < len(starts) else len(source)
    text = source[begin:stop].rstrip("\r\n")
    start = diagnostic.col - 1
    match = _BARE.match(text, start)
    if match is None:
        return None
    try:
        version = metadata.version(match["name"])
    except (metadata.PackageNotFoundError, ValueError):
        return None
    at = begin + (match.end("extras") if match["extras"] else match.end("name"))
    return Fix("unsafe", (Edit(at, at, f"=={version}"),),
               f"pin it to the installed version `=={version}`")
