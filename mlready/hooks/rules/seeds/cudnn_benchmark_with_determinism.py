"""``cudnn.benchmark = True`` in a run that asks for deterministic algorithms.

## What it does
Flags ``torch.backends.cudnn.benchmark = True`` (or ``Trainer(benchmark=True)``,
``torch.backends.cudnn.flags(benchmark=True)``) in an entrypoint whose flow also asks
for determinism (``torch.use_deterministic_algorithms``,
``cudnn.deterministic = True``, ``Trainer(deterministic=True)``). Setting benchmark
inside an ``if`` (``if not cfg.deterministic: ...``) or from a config value is not a
finding.

## Why is this bad?
Benchmark mode times the available convolution algorithms on the first batch and
keeps the fastest; the choice depends on timing noise, so it can change between runs
and defeat the determinism the run asked for.

## Example
```python
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = True
```

## Use instead
```python
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = False
```

## Options
None.

## Fix safety
The fix deletes the ``cudnn.benchmark = True`` line (the default is off). It is safe,
and offered only, when the assignment is alone on its line (a trailing comment goes
with it); when it is the only statement of its block it becomes ``pass``. The other
spellings (``Trainer(benchmark=True)``, ``cudnn.flags(...)``), and notebooks, get no fix.

## References
- https://pytorch.org/docs/stable/notes/randomness.html#cuda-convolution-benchmarking
- https://pytorch.org/docs/stable/backends.html#torch.backends.cudnn.benchmark
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.fixes import line_starts, node_offset
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.rules.seeds import flow, units
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR007"
SEVERITY = "error"
NAME = "cudnn-benchmark-with-determinism"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """MLR007: ``cudnn.benchmark = True`` in a flow that asks for determinism."""
    bench, det = entry.summary.bench, entry.summary.det
    if bench is None or det is None:
        return
    where = flow.place(entry, bench)
    if where is None:
        return
    asked = flow.place(entry, det)
    at = f" (line {asked.frame.line})" if asked is not None and not entry.notebook else ""
    message = (f"{flow.describe(entry, bench, where)} in entrypoint `{flow.label(entry)}`, "
               f"which asks for determinism{at}; benchmark mode picks kernels by timing")
    yield flow.diagnostic(where, CODE, message,
                      "set `torch.backends.cudnn.benchmark = False` when determinism is on")


def autofix(diagnostic: Diagnostic, source: str) -> Fix | None:
    """Delete the flagged ``<...>.benchmark = True`` when it is alone on its line."""
    if diagnostic.cell is not None or not diagnostic.path.endswith(".py"):
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for body in _bodies(tree):
        for statement in body:
            if statement.lineno == diagnostic.line and _sets_benchmark(statement):
                return _delete(source, statement, len(body) == 1)
    return None


def _bodies(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body
        if isinstance(node, ast.Try | ast.TryStar):
            for handler in node.handlers:
                yield handler.body


def _sets_benchmark(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    target, value = statement.targets[0], statement.value
    return isinstance(target, ast.Attribute) and target.attr == "benchmark" and \
        isinstance(value, ast.Constant) and value.value is True and \
        statement.lineno == statement.end_lineno


def _delete(source: str, statement: ast.stmt, only: bool) -> Fix | None:
    starts = line_starts(source)
    line = statement.lineno
    begin = starts[line - 1]
    stop = starts[line] if line < len(starts) else len(source)
    start = node_offset(source, line, statement.col_offset, starts)
    end = node_offset(source, line, statement.end_col_offset or 0, starts)
    rest = source[end:stop].strip()
    if source[begin:start].strip() or (rest and not rest.startswith("#")):
        return None  # another statement shares the line (``a = 1; ...``)
    if only:  # the block would be empty: keep it valid
        return Fix("safe", (Edit(start, end, "pass"),), "replace it with `pass`")
    return Fix("safe", (Edit(begin, stop, ""),), "delete the `cudnn.benchmark = True` line")
