"""Learning rates written as literals at the call site.

## What it does
Flags a numeric literal passed as the learning rate of a training API: the ``lr`` of
every ``torch.optim`` optimizer (also positional, ``SGD(params, 0.1)``), the peak and
base rates of ``OneCycleLR``/``CyclicLR`` and ``SWALR``'s ``swa_lr``, Hugging Face
``TrainingArguments(learning_rate=...)`` and TRL's configs, bitsandbytes optimizers,
and Stable-Baselines3 algorithms (``PPO(policy, env, 3e-4)``, ``learning_rate=``). A
name bound once to a literal in the same function or module (``lr = 3e-4``) counts
as the literal, and ``functools.partial(torch.optim.AdamW, lr=1e-3)`` as the call.

## Why is this bad?
The learning rate is the hyper-parameter most often tuned and the first one a reader
looks for. Buried in a call, it cannot be changed from the command line or a sweep,
it is not logged with the run, and two scripts drift apart silently.

## Example
```python
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
```

## Use instead
```python
@dataclass
class TrainConfig:
    lr: float = 3e-4

optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

Not findings: values from argparse/click/typer/hydra/OmegaConf (``args.lr``,
``cfg.optim.lr``), function parameters (``def make_opt(params, lr=1e-3)``), imports
(``from config import LR``), dataclass/pydantic defaults (they are the config),
anything in a config module (``config.py``, ``settings.py``, ``hparams.py``, files
under ``configs/``), ``lr=0``, and a library's own calls to its own API.

## References
- Checklist 000, "Configuration Management": no hard-coded learning rates.
- https://pytorch.org/docs/stable/optim.html
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.LEARNING_RATE
NAME = "hardcoded-learning-rate"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
