"""torch draws on CUDA in an entrypoint that seeds only the CPU generator.

## What it does
Flags the first torch random draw of an entrypoint that uses CUDA (``.cuda()``,
``.to("cuda")``, ``torch.device("cuda")``, ``torch.cuda.is_available()``) when
the only torch seeding before it is CPU-only: ``torch.default_generator.manual_seed``
or ``torch.set_rng_state``. ``torch.manual_seed`` seeds every device (since torch
0.4), so it, ``torch.cuda.manual_seed(_all)``, ``torch.cuda.set_rng_state(_all)`` and
the seed-everything helpers all satisfy this rule. An entrypoint that seeds nothing
gets MLR003's finding instead of this one.

## Why is this bad?
On a GPU, dropout masks and on-device random tensors come from the CUDA generators;
seeding only the CPU generator leaves them different on every run.

## Example
```python
torch.set_rng_state(checkpoint["rng_state"])
model = Net().cuda()
```

## Use instead
```python
torch.set_rng_state(checkpoint["rng_state"])
torch.cuda.set_rng_state_all(checkpoint["cuda_rng_state"])
model = Net().cuda()
```

## Options
None.

## References
- https://pytorch.org/docs/stable/notes/randomness.html
- https://pytorch.org/docs/stable/generated/torch.manual_seed.html
- https://pytorch.org/docs/stable/cuda.html#random-number-generator
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units, unseeded
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR004"
SEVERITY = "error"
NAME = "unseeded-cuda-random"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """MLR004: torch draws on CUDA when only the CPU generator was seeded before them."""
    summary = entry.summary
    use, cpu = flow.torch_use(summary), summary.seeds.get("torch")
    if use is None or summary.cuda is None or cpu is None or cpu.pos > use.pos:
        return  # no draw, no CUDA, or MLR003's finding already covers it
    cuda = summary.seeds.get("cuda")
    if cuda is not None and cuda.pos < use.pos:
        return
    where = flow.place(entry, use)
    if where is None:
        return
    message = (f"{flow.describe(entry, use, where)} used with CUDA in entrypoint "
               f"`{flow.label(entry)}` but only the CPU generator is seeded "
               f"(`{cpu.api}`); call `torch.cuda.manual_seed_all(seed)`")
    yield flow.diagnostic(where, CODE, message, unseeded.FIXES["cuda"])
