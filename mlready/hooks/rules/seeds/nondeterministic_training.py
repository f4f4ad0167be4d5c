"""A torch training entrypoint that never turns on deterministic algorithms.

## What it does
Flags the training of an entrypoint (``loss.backward()`` with an optimizer step,
directly or in a helper it calls, also when a trainer object does the backward pass
in one method and the step in another, or Lightning's ``trainer.fit``) when its flow,
followed across files, never asks for determinism: neither
``torch.use_deterministic_algorithms(...)`` nor
``torch.backends.cudnn.deterministic = ...`` (both also count with a config value,
``use_deterministic_algorithms(cfg.deterministic)``, or inside
``if cfg.deterministic:``), nor ``Trainer(deterministic=...)``,
``TrainingArguments(full_determinism=True)``, ``transformers.enable_full_determinism``
or accelerate's ``set_seed(seed, deterministic=True)``, nor turns cuDNN off
(``torch.backends.cudnn.enabled = False``, or set from an option).

## Why is this bad?
Seeding is not enough on a GPU: cuDNN and many CUDA kernels pick non-deterministic
algorithms by default, so two runs with the same seed still diverge and a resumed run
cannot be compared with an uninterrupted one.

## Example
```python
def main(cfg):
    torch.manual_seed(cfg.seed)
    for batch in loader:
        loss = model(batch).mean()
        loss.backward()
        optimizer.step()
```

## Use instead
```python
def main(cfg):
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(cfg.deterministic)
    for batch in loader:
        ...
```

## Options
None. Only runs that use CUDA (``.cuda()``, ``.to("cuda")``, ``torch.device("cuda")``,
``torch.cuda.*``, a Lightning ``Fabric`` not told ``accelerator="cpu"``) or
Lightning's ``Trainer`` are checked; CUDA calls behind a test of a device option
whose default is ``"cpu"`` (``if args.device.startswith("cuda"):``) do not count: on
the CPU torch's kernels are deterministic already. Stable-Baselines3 and Hugging Face
``Trainer`` runs are not checked here.

## References
- https://pytorch.org/docs/stable/notes/randomness.html
- https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
- Checklist 000: "Deterministic mode enabled for CUDA operations".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units
from mlready.hooks.rules.seeds.callgraph import Entrypoint

CODE = "MLR006"
SEVERITY = "error"
NAME = "nondeterministic-training"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """MLR006: a torch training flow that never asks for deterministic algorithms."""
    train = entry.summary.train
    if train is None or entry.summary.det is not None:
        return
    lightning = train.api.endswith(".fit")
    if not lightning and entry.summary.cuda is None:
        return  # on the CPU, torch's kernels are deterministic already
    where = flow.place(entry, train)
    if where is None:
        return
    hint = "pass `Trainer(deterministic=True)`" if lightning else \
        "call `torch.use_deterministic_algorithms(True)`"
    message = (f"{flow.describe(entry, train, where)} trains in entrypoint "
               f"`{flow.label(entry)}` without deterministic algorithms; {hint}")
    fix = ("call `torch.use_deterministic_algorithms(True)` (set "
           "`CUBLAS_WORKSPACE_CONFIG=:4096:8`) or `torch.backends.cudnn.deterministic = True`"
           " before training, behind a config flag if speed matters")
    yield flow.diagnostic(where, CODE, message, fix)
