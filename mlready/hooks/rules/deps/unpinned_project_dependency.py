"""MLR204 `unpinned-project-dependency`: package metadata ranges with nothing pinning them.

## What it does
Flags a dependency in ``pyproject.toml`` (``[project] dependencies``,
``[project.optional-dependencies]``, ``[dependency-groups]``, Poetry's
``[tool.poetry.dependencies]`` and its groups) or ``setup.cfg``
(``install_requires``, ``extras_require``) without an exact ``==`` version, when the
project pins it nowhere: no lock file next to or above the manifest (``uv.lock``,
``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``, ``pixi.lock``, ``pylock.toml``), no
``pip-compile``/``uv pip compile`` output, and no requirements file pinning that
package.

## Why is this bad?
Ranges are right in package metadata: a published library must not force one
``torch`` on its users. But then the experiments need their exact versions written
somewhere else, or the repository cannot reproduce its own results. A research
repository whose only manifest says ``torch`` installs a different stack every month.

## Example
```toml
[project]
dependencies = ["torch>=2.1", "numpy"]
```

## Use instead
Keep the ranges and commit a lock file (``uv lock``, ``pdm lock``, ``poetry lock``),
or a pinned requirements file for the experiments:
```text
# requirements.txt (pip-compile pyproject.toml -o requirements.txt)
torch==2.3.1
numpy==1.26.4
```

## References
- [pip: Repeatable installs](https://pip.pypa.io/en/stable/topics/repeatable-installs/)
- [Python Packaging User Guide: install_requires vs requirements files](https://packaging.python.org/en/latest/discussions/install-requires-vs-requirements/)
- [PEP 621: dependencies](https://peps.python.org/pep-0621/#dependencies-optional-dependencies)
- [PEP 735: Dependency Groups](https://peps.python.org/pep-0735/)
- [PEP 751: pylock.toml](https://peps.python.org/pep-0751/)
- [Poetry: committing your poetry.lock file](https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import LOCK_HINT, DepsProject, manifest_facts

CODE = "MLR204"
NAME = "unpinned-project-dependency"
KINDS = ("requirements", "pyproject", "setup_cfg")


def collect(ctx: FileContext) -> dict[str, Any] | None:
    return manifest_facts(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    deps = DepsProject(project)
    if deps.compiled:
        return
    pinned = deps.pinned(deps.requirements)
    for path, entry in deps.entries(("pyproject", "setup_cfg")):
        if entry["status"] == "unpinned" and entry["name"] not in pinned \
                and not deps.locked(path):
            yield project.diagnostic(
                path, entry["line"], entry["col"], CODE,
                f"`{entry['text']}`: dependency is not pinned by a lock file or a "
                "pinned requirements file",
                fix=f"keep the range here and pin it in a requirements file, {LOCK_HINT}",
            )
