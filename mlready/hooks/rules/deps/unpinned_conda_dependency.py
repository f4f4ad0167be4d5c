"""MLR206 `unpinned-conda-dependency`: a conda environment file that floats.

## What it does
Flags a dependency of a conda environment file (``environment*.yml``, ``conda*.yml``,
``env*.yml``, or any YAML file with ``channels:`` and ``dependencies:``) that names no
version: a bare ``pytorch``, a range ``numpy>=1.24`` or a wildcard ``cuda=12.*``, and
an entry of its ``pip:`` list without ``==``. ``name=1.2.3``, ``name==1.2.3`` and
``name=1.2.3=build`` pin a release (``python=3.11`` counts: conda reads it as
``3.11.*``), and ``pip`` itself is not checked. Nothing is reported when a lock file
(``conda-lock.yml``, ``*.conda-lock.yml``, ``conda-<platform>.lock``, ``pixi.lock``)
sits next to the file or above it.

## Why is this bad?
``conda env create -f environment.yml`` resolves the newest packages of the day, and
for ``pytorch`` that also means a different CUDA build: the environment that produced
a result is gone the moment a new release lands, and "works on my machine" begins.

## Example
```yaml
dependencies:
  - python=3.11
  - pytorch
  - numpy>=1.24
  - pip:
      - wandb
```

## Use instead
```yaml
dependencies:
  - python=3.11
  - pytorch=2.3.1
  - numpy=1.26.4
  - pip:
      - wandb==0.17.0
```
or generate a lock file with ``conda-lock -f environment.yml`` and commit it.

## References
- [conda: Managing environments (sharing an environment)](https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html#sharing-an-environment)
- [conda: Package match specifications](https://docs.conda.io/projects/conda-build/en/latest/resources/package-spec.html#package-match-specifications)
- [conda-lock](https://conda.github.io/conda-lock/)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import DepsProject, manifest_facts

CODE = "MLR206"
NAME = "unpinned-conda-dependency"
KINDS = ("config",)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    return manifest_facts(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    deps = DepsProject(project)
    for path, entry in deps.entries(("conda",)):
        if entry["status"] == "unpinned" and not deps.locked(path):
            yield project.diagnostic(
                path, entry["line"], entry["col"], CODE,
                f"`{entry['text']}`: conda environment dependency has no exact version",
                fix="pin it (`name=1.2.3`, as `conda env export --no-builds` shows) or commit "
                    "a lock file (`conda-lock -f environment.yml`)",
            )
