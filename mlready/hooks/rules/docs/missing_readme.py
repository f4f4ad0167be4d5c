"""MLR601 `missing-readme`: the project has no README.

## What it does
Reports once per project when there is no README: no file named ``README`` (any case,
with no extension or ``.md``, ``.markdown``, ``.rst``, ``.txt``, ``.adoc``, ``.org``) in
the project root, nor in the folders above it up to the top of the git work tree (a
package in ``repo/python/`` is documented by ``repo/README.md``), and no existing file
named by ``readme`` in the root ``pyproject.toml`` (``[project]`` or
``[tool.poetry]``). The finding is about the whole project, so it is reported on the
project root (``.``, line 1), as ruff reports project-level findings: it is shown when
the whole project is checked (``mlready check``, the ``mlready-docs`` hook), not when
only some files are.

## Why is this bad?
The README is the first, and often the only, thing anyone reads: what the project
does, how to install it, which command trains a model and which evaluates it. Without
one, a reviewer or a new team member reverse-engineers the entry points from the code,
and the results cannot be reproduced by anyone who did not write it.

## Example
```text
pyproject.toml
train.py
model.py
```

## Use instead
```text
README.md          # what it does; install; train and evaluate commands
pyproject.toml
train.py
model.py
```

## References
- [GitHub Docs: About READMEs](https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-readmes)
- [Papers with Code: ML code completeness checklist](https://github.com/paperswithcode/releasing-research-code)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.docs import readme as _readme

CODE = "MLR601"
SEVERITY = "warning"
NAME = "missing-readme"
KINDS = _readme.KINDS

collect = _readme.collect


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not _readme.documentable(project) or _readme.find(project) is not None:
        return
    yield project.diagnostic(
        _readme.anchor(project, None), 1, 1, CODE,
        "`README`: the project has no README saying what it does and how to run it",
        fix="add a README.md with a one-paragraph description and the install, train and "
            "evaluate commands")
