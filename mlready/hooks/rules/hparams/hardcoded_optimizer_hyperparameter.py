"""Optimizer hyper-parameters (weight decay, momentum, betas, clipping) as literals.

## What it does
Flags a numeric literal passed as ``weight_decay``, ``momentum``, ``dampening`` or
``betas`` of a ``torch.optim`` optimizer (also positional, with each constructor's own
signature: ``SGD(params, lr, momentum, dampening, weight_decay)``, ``Adam(params, lr,
betas, eps, weight_decay)``...), Hugging Face's ``weight_decay``, ``adam_beta1``,
``adam_beta2`` and ``max_grad_norm``, Lightning's ``gradient_clip_val``,
Stable-Baselines3's ``max_grad_norm``, and the threshold of
``torch.nn.utils.clip_grad_norm_(params, 1.0)`` / ``clip_grad_value_``.

## Why is this bad?
These values are tuned together with the learning rate; hard-coded, they are neither
swept nor logged, and a copy of the script quietly trains a different model.

## Example
```python
optimizer = torch.optim.AdamW(params, lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.1)
```

## Use instead
```python
optimizer = torch.optim.AdamW(params, lr=cfg.lr, betas=cfg.betas,
                              weight_decay=cfg.weight_decay)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

``eps`` is not checked: it guards a division and is almost never tuned. ``0`` (off)
is not a finding.

## References
- Checklist 000, "Optimization": weight decay configured.
- https://pytorch.org/docs/stable/optim.html#algorithms
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.OPTIMIZER
NAME = "hardcoded-optimizer-hyperparameter"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
