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

## References
- https://pytorch.org/docs/stable/notes/randomness.html#cuda-convolution-benchmarking
- https://pytorch.org/docs/stable/backends.html#torch.backends.cudnn.benchmark
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units
from mlready.hooks.rules.seeds.callgraph import Entrypoint

CODE = "MLR007"
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
    message = (f"{flow.describe(entry, bench, where)} in entrypoint `{flow.label(entry, bench)}`, "
               f"which asks for determinism{at}; benchmark mode picks kernels by timing")
    yield flow.diagnostic(where, CODE, message,
                      "set `torch.backends.cudnn.benchmark = False` when determinism is on")
