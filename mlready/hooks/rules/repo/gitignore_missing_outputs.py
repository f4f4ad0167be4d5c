"""MLR611 `gitignore-missing-outputs`: run outputs that the next ``git add`` would commit.

## What it does
Reports, on the project's ``.gitignore`` (line 1), each top-level folder or file the
project's own code writes and no committed ``.gitignore`` ignores, naming the first
place that writes it; and, on the project root (``.``), a project without any
``.gitignore``. What the code writes is read from its literal paths
(`mlready.hooks.rules.repo.outputs`): checkpoints (``torch.save``,
``save_pretrained``...), folders it creates, log and data files it opens for writing,
and the folders of the trackers it uses (``runs/``, ``wandb/``, ``mlruns/``,
``lightning_logs/``, Hydra's ``outputs/``). Whether a path is ignored follows git's
rules on the ``.gitignore`` files of the project and of its folders
(`mlready.hooks.rules.repo.gitignore`), for the path as seen from the root and from
the writing script's own folder (examples are often run from theirs). Not read: test
files; notebooks (often run in a hosted kernel, such as Colab, whose working folder is
not the clone); and modules of an importable package that have no ``__main__`` block,
whose relative paths land in the working folder of whoever imports them.

## Why is this bad?
``git add -A`` after a run commits gigabytes of checkpoints, event files and
downloaded data: the repository becomes slow to clone for everyone, forever (deleting
the files later does not shrink the history), and a checkpoint may carry private
data. Ignoring the folders the code writes is one line each.

## Example
```python
torch.save(model.state_dict(), "checkpoints/last.pt")  # .gitignore: __pycache__/
writer = SummaryWriter()                                # writes runs/
```

## Use instead
```text
# .gitignore
__pycache__/
checkpoints/
runs/
```

## Options
None.

## References
- Web4 RL Implementation Checklist: "Version control" (``.gitignore`` excludes
  checkpoints, logs, data)
- [Git: gitignore](https://git-scm.com/docs/gitignore)
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.repo import outputs
from mlready.hooks.rules.repo.gitignore import Matcher
from mlready.hooks.rules.repo.project import ROOT, folders, has_python

CODE = "MLR611"
SEVERITY = "warning"
NAME = "gitignore-missing-outputs"
KINDS = ("python", "other")  # `other`: `.gitignore` itself, when a run names it
GITIGNORE = ".gitignore"


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The outputs the file writes: [path, is a folder, line, col, what writes it], and
    whether the file is run (a ``__main__`` block) rather than only imported."""
    if ctx.tree is None or ctx.notebook or is_test_path(ctx.path):
        return None
    found = outputs.collect(ctx)
    if not found:
        return None
    return {"writes": found, "run": any(_main_guard(s) for s in ctx.tree.body)}


def _main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) \
        and "__name__" in ast.unparse(node.test)


def _library(path: str, facts: dict[str, Any], files: frozenset[str]) -> bool:
    """A module of an importable package that is not run itself: what it writes lands
    in the working folder of whoever imports it, not in this repository."""
    folder = posixpath.dirname(path)
    return bool(folder) and posixpath.join(folder, "__init__.py") in files \
        and not facts["run"]


def _prefix(project: ProjectContext) -> tuple[Matcher, str]:
    """The matcher from the work tree's top, and the root's path below that top."""
    top = folders(project)[-1]
    below = project.root.relative_to(top).as_posix()
    return Matcher(project, top), "" if below == "." else below + "/"


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not has_python(project):
        return
    matcher, below = _prefix(project)
    first: dict[str, tuple[str, int, int, str]] = {}  # top-level entry -> first writer
    files = frozenset(project.files)
    for path in sorted(project.facts):
        facts = project.facts[path]
        if _library(path, facts, files):
            continue
        here = posixpath.dirname(path)
        for output, folder, line, col, how in facts["writes"]:
            # run from the root, or from the script's own folder (``cd examples && ...``)
            if not output or matcher.ignored(below + output, folder) or (
                    here and matcher.ignored(f"{below}{here}/{output}", folder)):
                continue
            entry = output.split("/")[0] + ("/" if folder or "/" in output else "")
            first.setdefault(entry, (path, line, col, how))
    missing = sorted(first.items())
    own = project.disk.is_file(project.root / GITIGNORE)
    if not own and not any(project.disk.is_file(f / GITIGNORE) for f in folders(project)):
        shown = ", ".join(f"`{entry}`" for entry, _ in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        writes = f"; the code writes {shown}{more}" if missing else ""
        yield project.diagnostic(
            ROOT, 1, 1, CODE, f"the project has no `.gitignore`{writes}",
            fix="add a .gitignore with __pycache__/ and the folders the code writes "
                "(checkpoints, logs, tracker runs, data)")
        return
    anchor = GITIGNORE if own else ROOT
    for entry, (path, line, _col, how) in missing:
        yield project.diagnostic(
            anchor, 1, 1, CODE,
            f"`{entry}`: written by `{how}` at {path}:{line} but not ignored by `.gitignore`",
            fix=f"add `/{entry}` to .gitignore")
