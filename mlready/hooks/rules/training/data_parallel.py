"""MLR709 `data-parallel`: multi-GPU training with ``nn.DataParallel``.

## What it does
Reports each ``torch.nn.DataParallel(...)`` (however imported, also
``torch.nn.parallel.DataParallel`` and the ``data_parallel`` function) outside test
files.

Off by default: a performance opinion (on one machine with two GPUs and a small model
the difference can be small). Select it with ``select = ["MLR709"]``.

## Why is this bad?
``DataParallel`` runs every GPU from one Python process: each step it copies the model
to every device, scatters the batch and gathers the outputs on the first GPU, whose
memory and compute become the bottleneck, and the threads compete for the GIL. PyTorch's
own documentation recommends ``DistributedDataParallel`` (one process per GPU, gradients
all-reduced) even on a single machine; it is also the only one of the two that scales to
several machines.

## Example
```python
model = nn.DataParallel(model).cuda()
```

## Use instead
```python
torch.distributed.init_process_group("nccl")
model = DistributedDataParallel(model.to(local_rank), device_ids=[local_rank])
```
and launch with ``torchrun --nproc-per-node=N train.py``.

## Options
None.

## References
- Checklist 000 "Performance & scalability", Distributed Training: "Multi-GPU training
  configured (DataParallel, DistributedDataParallel)"
- [PyTorch: use nn.parallel.DistributedDataParallel instead of DataParallel](https://pytorch.org/docs/stable/notes/cuda.html#use-nn-parallel-distributeddataparallel-instead-of-multiprocessing-or-nn-dataparallel)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path

CODE = "MLR709"
SEVERITY = "note"
NAME = "data-parallel"
KINDS = ("python",)
DEFAULT = False  # a performance opinion (see the docstring)

_NAMES = frozenset({"torch.nn.DataParallel", "torch.nn.parallel.DataParallel",
                    "torch.nn.parallel.data_parallel.DataParallel",
                    "torch.nn.parallel.data_parallel"})


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if ("DataParallel" not in ctx.source and "data_parallel" not in ctx.source) \
            or is_test_path(ctx.path):
        return
    for call in ctx.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        name = ctx.resolver.qualname(call.func)
        if name in _NAMES:
            shown = name.rpartition(".")[2]
            yield ctx.diagnostic(
                CODE, call, f"`{shown}(...)`: one process drives every GPU and gathers on "
                "the first; DistributedDataParallel is faster and scales past one machine",
                fix="wrap the model in `DistributedDataParallel` and launch with `torchrun`")
