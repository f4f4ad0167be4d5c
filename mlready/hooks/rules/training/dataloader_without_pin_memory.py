"""MLR708 `dataloader-without-pin-memory`: a GPU training run whose batches are copied
from pageable memory.

## What it does
In a GPU training entrypoint (a file that is run, trains in its own code and names
CUDA), reports each ``torch.utils.data.DataLoader(...)`` built without
``pin_memory``, outside evaluation functions (``evaluate``, ``validate``). A loader whose
arguments cannot all be read (``**kwargs``), or that says ``pin_memory=False`` or
``pin_memory=args.cuda`` (a choice), is left alone, and so are loaders built in other
files.

Off by default: a performance hint, and an opinion (it matters for large batches
copied every step, not for data already on the GPU). Select it with
``select = ["MLR708"]``.

## Why is this bad?
A copy from ordinary (pageable) host memory to the GPU goes through a staging buffer and
blocks; from pinned memory it is a direct DMA transfer that ``.to(device,
non_blocking=True)`` can overlap with computation. Without it each step waits for its
batch to be copied.

## Example
```python
loader = DataLoader(dataset, batch_size=cfg.batch_size, num_workers=cfg.workers)
for x, y in loader:
    x, y = x.cuda(), y.cuda()
```

## Use instead
```python
loader = DataLoader(dataset, batch_size=cfg.batch_size, num_workers=cfg.workers,
                    pin_memory=True)
for x, y in loader:
    x, y = x.cuda(non_blocking=True), y.cuda(non_blocking=True)
```

## Options
None.

## References
- Checklist 000 "Model & training quality", Data Handling: "Pinned memory for faster GPU
  transfer"; "Performance & scalability", GPU Utilization: "Non-blocking data transfers"
- [PyTorch: memory pinning](https://pytorch.org/docs/stable/data.html#memory-pinning)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.training.gpu_entrypoint import (
    argument,
    is_gpu_training_entrypoint,
    loader_calls,
)

CODE = "MLR708"
SEVERITY = "note"
NAME = "dataloader-without-pin-memory"
KINDS = ("python",)
DEFAULT = False  # a performance opinion (see the docstring)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "DataLoader" not in ctx.source or not is_gpu_training_entrypoint(ctx):
        return
    for call in loader_calls(ctx):
        pinned = argument(call, "pin_memory", 7)
        if pinned is None:
            yield ctx.diagnostic(
                CODE, call, "`DataLoader(...)` without `pin_memory` in a GPU training "
                "run: every batch is copied to the GPU from pageable memory",
                fix="pass `pin_memory=True` and move batches with `.to(device, "
                    "non_blocking=True)`")
