"""Learning-rate schedule parameters (warm-up, decay, step size, length) as literals.

## What it does
Flags a numeric literal passed to an LR scheduler: ``StepLR(step_size, gamma)``,
``MultiStepLR(milestones, gamma)``, ``ExponentialLR(gamma)``, ``CosineAnnealingLR(T_max,
eta_min)``, ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)``, ``LinearLR``,
``ConstantLR``, ``PolynomialLR``, ``SequentialLR(milestones)``,
``ReduceLROnPlateau(factor, patience)``, ``CyclicLR(step_size_up)``,
``OneCycleLR(total_steps, epochs, pct_start)``, ``SWALR(anneal_epochs)``; the warm-up
schedules of ``transformers`` (``get_linear_schedule_with_warmup(optimizer,
num_warmup_steps, num_training_steps)`` and friends, ``get_scheduler``); and
``TrainingArguments(warmup_steps=..., warmup_ratio=...)``. Positional arguments are
read with each constructor's signature.

## Why is this bad?
The schedule has to agree with the training length and batch size, which usually come
from the config; a literal here silently stops agreeing when those change (a
``T_max=100`` left over after moving to 300 epochs).

## Example
```python
scheduler = get_linear_schedule_with_warmup(optimizer, 500, 10_000)
```

## Use instead
```python
scheduler = get_linear_schedule_with_warmup(optimizer, cfg.warmup_steps, total_steps)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

``0`` (no warm-up, ``eta_min=0``), ``T_mult=1`` and ``step_size=1`` (decay every
epoch, as in ``StepLR(opt, step_size=1, gamma=args.gamma)``) are not findings.

## References
- Checklist 000, "Training Loop": learning-rate scheduling configured.
- https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.SCHEDULE
NAME = "hardcoded-lr-schedule"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
