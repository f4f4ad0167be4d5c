"""A shuffled multi-process ``DataLoader`` without ``worker_init_fn`` or ``generator``
in a seeded run.

## What it does
Flags ``torch.utils.data.DataLoader(..., shuffle=True, num_workers=N)`` with ``N`` > 0
(or not a literal) and neither ``worker_init_fn`` nor ``generator``, in an entrypoint
that seeds torch. A DataLoader called with ``**kwargs`` is not checked, nor one that
does not shuffle: PyTorch reseeds ``random``, torch and NumPy in each worker from a
base seed drawn from the seeded global generator, so their workers repeat run to run.

## Why is this bad?
The run asks for reproducibility, but its data order (and each worker's base seed) is
drawn from torch's global generator, so it changes whenever anything else draws from
it first (a new layer, an extra augmentation), and libraries other than torch,
``random`` and NumPy are not reseeded in workers at all. PyTorch's reproducibility
notes recommend a dedicated ``generator`` and a ``worker_init_fn``.

## Example
```python
torch.manual_seed(cfg.seed)
loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True, num_workers=4)
```

## Use instead
```python
def seed_worker(worker_id: int) -> None:
    worker_seed = torch.initial_seed() % 2**32
    numpy.random.seed(worker_seed)
    random.seed(worker_seed)

g = torch.Generator()
g.manual_seed(cfg.seed)
loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True, num_workers=4,
                    worker_init_fn=seed_worker, generator=g)
```

## Options
None.

## References
- https://pytorch.org/docs/stable/notes/randomness.html#dataloader
- https://pytorch.org/docs/stable/data.html#randomness-in-multi-process-data-loading
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR008"
SEVERITY = "error"
NAME = "unseeded-dataloader-workers"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """MLR008: shuffled multi-process DataLoaders without ``worker_init_fn``/``generator``
    in a run that seeds torch."""
    if "torch" not in entry.summary.seeds:
        return
    for loader in entry.summary.loaders:
        where = flow.place(entry, loader)
        if where is None:
            continue
        message = (f"{flow.describe(entry, loader, where)} in seeded entrypoint "
                   f"`{flow.label(entry)}` has neither `worker_init_fn` nor `generator`")
        fix = ("pass `generator=torch.Generator().manual_seed(seed)` and a `worker_init_fn` "
               "that seeds numpy and random from `torch.initial_seed()`")
        yield flow.diagnostic(where, CODE, message, fix)
