"""Batch sizes written as literals at the call site.

## What it does
Flags a numeric literal passed as a batch size: ``torch.utils.data.DataLoader``'s
``batch_size`` (also positional, ``DataLoader(ds, 64)``), Hugging Face
``TrainingArguments``' per-device batch sizes and ``gradient_accumulation_steps``,
Lightning's ``Trainer(accumulate_grad_batches=...)``, TRL's ``batch_size`` and
``mini_batch_size``, and Stable-Baselines3's ``batch_size`` and ``n_steps`` (the
rollout length per environment, i.e. the on-policy batch).

## Why is this bad?
The batch size decides memory use and, with the learning rate, the optimisation
itself. A literal cannot follow the GPU the job lands on, cannot be swept, and is not
recorded with the run's other hyper-parameters.

## Example
```python
loader = DataLoader(train_set, batch_size=64, shuffle=True)
```

## Use instead
```python
loader = DataLoader(train_set, batch_size=cfg.batch_size, shuffle=True)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

``batch_size=1`` is not a finding: it is ``DataLoader``'s default and the usual
setting of inference and evaluation code, not a tuned choice. Values from config
objects, parameters, imports and config modules are not findings either.

## References
- Checklist 000, "Configuration Management": no hard-coded batch sizes.
- https://pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.BATCH_SIZE
NAME = "hardcoded-batch-size"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
