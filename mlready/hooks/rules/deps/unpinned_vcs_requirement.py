"""MLR202 `unpinned-vcs-requirement`: a VCS or archive URL that can change under you.

## What it does
Flags a direct reference that does not name one immutable artifact: a VCS URL
(``git+``, ``hg+``, ``svn+``, ``bzr+``) whose ``@ref`` is a branch, a tag or missing
rather than a full commit id, and a source-archive URL of a ref
(``.../archive/main.zip``) without a hash. It reads requirements files (also ``-e``
lines), ``[project]`` dependencies, optional dependencies, dependency groups and
Poetry's ``git`` dependencies (``branch``/``tag``/``rev``) in ``pyproject.toml``,
``setup.cfg``, the literal ``install_requires`` and ``extras_require`` lists of
``setup.py`` (read from its syntax tree, never run), and the ``pip:`` list of a conda
environment file.
Outside requirements files, a lock file next to or above the manifest records the
commit, so nothing is reported there.

## Why is this bad?
A branch moves with every push and a tag can be re-pointed: two installs of the
same commit of your project get different code for that dependency, and the
failure shows up as "it trained last week". A 40-character commit id (or a
``#sha256=`` hash for an archive) names exactly one tree.

## Example
```text
mylib @ git+https://github.com/org/mylib@main
git+https://github.com/org/other.git@v1.2#egg=other
```

## Use instead
```text
mylib @ git+https://github.com/org/mylib@8f3c2a1d9e0b4c5f6a7b8c9d0e1f2a3b4c5d6e7f
```

## References
- [pip: VCS support](https://pip.pypa.io/en/stable/topics/vcs-support/)
- [pip: Repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
- [PEP 508: direct references](https://peps.python.org/pep-0508/)
- [Direct URL data structure (VCS commit ids)](https://packaging.python.org/en/latest/specifications/direct-url-data-structure/)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import DepsProject, manifest_facts

if TYPE_CHECKING:
    from mlready.hooks.rules.deps.requirements import Entry

CODE = "MLR202"
SEVERITY = "error"
NAME = "unpinned-vcs-requirement"
KINDS = ("requirements", "pyproject", "setup_cfg", "config", "python")  # python: setup.py


def collect(ctx: FileContext) -> dict[str, Any] | None:
    return manifest_facts(ctx)


def _message(entry: Entry) -> tuple[str, str]:
    if entry["status"] == "url-unpinned":
        return (f"`{entry['text']}`: archive of a ref (`{entry['ref']}`) has no hash",
                "point at a commit's archive or append `#sha256=<hash>` to the URL")
    where = f"`{entry['ref']}` (a branch or tag)" if entry["ref"] else "the default branch"
    return (f"`{entry['text']}`: VCS requirement points at {where}, not a commit",
            "pin the full commit id (`git rev-parse <ref>`): `@<commit>` in the URL, "
            "`rev = \"<commit>\"` for Poetry")


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    deps = DepsProject(project)
    for path, entry in deps.entries(("requirements", "pyproject", "setup_cfg", "setup_py",
                                     "conda")):
        if entry["status"] not in ("vcs-unpinned", "url-unpinned"):
            continue
        manifest = deps.facts[path]["kind"] != "requirements"
        if (manifest and deps.locked(path)) or (not manifest and deps.is_constraints(path)):
            continue
        message, fix = _message(entry)
        yield project.diagnostic(path, entry["line"], entry["col"], CODE, message, fix=fix)
