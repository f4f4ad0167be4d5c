"""MLR707 `dataloader-without-workers`: a GPU training run that loads its data in the
main process.

## What it does
In a GPU training entrypoint (a file that is run, trains in its own code and names
CUDA), reports each ``torch.utils.data.DataLoader(...)`` built without ``num_workers``
(an explicit ``num_workers=0`` is a choice, and is left alone), outside evaluation
functions (``evaluate``, ``validate``: a loader rebuilt for a few batches). A loader
whose arguments cannot all be read (``**kwargs``) is left alone, and so are loaders
built in other files.

Off by default: a performance hint, and an opinion (a dataset already in GPU memory, or
a tiny one, gains nothing from workers). Select it with ``select = ["MLR707"]``.

## Why is this bad?
With ``num_workers=0`` every batch is read, decoded and collated by the training process
itself, between two GPU steps: the GPU waits for the CPU at every step, and the run's
throughput is that of the data pipeline, not of the model.

## Example
```python
loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True)
model.cuda()
```

## Use instead
```python
loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True,
                    num_workers=cfg.num_workers, pin_memory=True)
```

## Options
None.

## References
- Checklist 000 "Model & training quality", Data Handling: "Data loading efficient
  (DataLoader with num_workers)"
- [PyTorch: single- and multi-process data loading](https://pytorch.org/docs/stable/data.html#single-and-multi-process-data-loading)
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

CODE = "MLR707"
SEVERITY = "note"
NAME = "dataloader-without-workers"
KINDS = ("python",)
DEFAULT = False  # a performance opinion (see the docstring)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "DataLoader" not in ctx.source or not is_gpu_training_entrypoint(ctx):
        return
    for call in loader_calls(ctx):
        workers = argument(call, "num_workers", 5)
        if workers is None:
            yield ctx.diagnostic(
                CODE, call, "`DataLoader(...)` without `num_workers` in a GPU training run: "
                "batches are loaded in the training process and the GPU waits for them",
                fix="pass `num_workers=` (read it from the config) to load batches in "
                    "worker processes")
