"""MLR203 `missing-requirements-include`: an include that names nothing.

## What it does
Flags a ``-r``/``--requirement`` or ``-c``/``--constraint`` line of a requirements file
whose target (resolved relative to the including file, as pip does) is not in the
project, and a PEP 735 ``{include-group = "..."}`` in ``[dependency-groups]`` that
names a group the file does not define. Targets outside the project root and URLs
are not checked.

## Why is this bad?
``pip install -r requirements.txt`` stops with "Could not open requirements file"
and ``uv sync`` refuses the dependency groups: a fresh clone cannot be installed.
It usually means a file was renamed or moved without updating its includes.

## Example
```text
# requirements/dev.txt
-r base.txt        # the file is requirements/common.txt
```

## Use instead
```text
-r common.txt
```

## References
- [pip: Requirements file format](https://pip.pypa.io/en/stable/reference/requirements-file-format/)
- [PEP 735: Dependency Groups](https://peps.python.org/pep-0735/)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.deps.facts import DepsProject, manifest_facts

CODE = "MLR203"
NAME = "missing-requirements-include"
KINDS = ("requirements", "pyproject")


def collect(ctx: FileContext) -> dict[str, Any] | None:
    return manifest_facts(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    deps = DepsProject(project)
    for path in sorted(deps.facts):
        if path not in project.targets:
            continue
        facts = deps.facts[path]
        for include in facts.get("includes", ()):
            target = include["target"]
            if target is not None and not deps.exists(target):
                yield project.diagnostic(
                    path, include["line"], include["col"], CODE,
                    f"`{include['written']}`: included file `{target}` "
                    "does not exist",
                    fix="fix the path (it is relative to the including file) or remove "
                        "the line",
                )
        for group in facts.get("group_includes", ()):
            if not group["exists"]:
                yield project.diagnostic(
                    path, group["line"], group["col"], CODE,
                    f"`{{include-group = \"{group['target']}\"}}`: dependency group "
                    f"`{group['target']}` is not defined",
                    fix="define the group under `[dependency-groups]` or fix the name",
                )
