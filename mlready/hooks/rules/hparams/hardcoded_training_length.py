"""Training lengths (epochs, steps, timesteps, loop bounds) written as literals.

## What it does
Flags a numeric literal that fixes how long training runs: Lightning's
``Trainer(max_epochs=..., max_steps=..., min_epochs=..., min_steps=...)`` (``lightning``,
``lightning.pytorch``, ``pytorch_lightning``), Hugging Face ``TrainingArguments``'
``num_train_epochs`` and ``max_steps``, Stable-Baselines3's
``model.learn(total_timesteps=...)``, and the literal bound of a ``for ... in
range(...)`` loop whose body trains: it calls ``optimizer.step()`` (or
``scaler.step(opt)``) or a ``train_one_epoch``-style function, or ``loss.backward()``
in a loop over ``epoch``/``step``/``it``... (gradient checks call ``backward`` in
``for i in range(10)`` too, so a bare ``backward`` needs the counter's name).

## Why is this bad?
A smoke test, a resumed run and a full run need different lengths; with a literal each
one is an edit of the code, and the length is missing from the run's logged config.

## Example
```python
for epoch in range(100):
    train_one_epoch(model, loader, optimizer)
```

## Use instead
```python
for epoch in range(cfg.epochs):
    train_one_epoch(model, loader, optimizer)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

Only the innermost ``range`` loop around the training call is blamed, so an outer
``for seed in range(3):`` is not a finding; a loop variable named like a counter
(``epoch``, ``step``, ``it``...) looks through a nested ``range`` loop. ``-1`` (Lightning's
and HF's "no limit") and ``0`` are not findings.

## References
- Checklist 000, "Configuration Management" and "Checkpointing".
- https://lightning.ai/docs/pytorch/stable/common/trainer.html
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.TRAINING_LENGTH
NAME = "hardcoded-training-length"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
