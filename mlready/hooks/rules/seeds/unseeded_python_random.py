"""Python's ``random`` used in an entrypoint that never seeds it first.

## What it does
Flags the first draw from Python's global ``random`` state (``random.random``,
``randint``, ``choice``, ``shuffle``, ``sample``, ...), and any ``random.Random()``
created without a seed, in an entrypoint of an ML run when nothing seeds ``random``
before it. Entrypoints are ``__main__`` blocks, notebooks, click/typer/hydra mains,
functions that run a training loop and nothing in the project calls, and scripts
whose top level trains. A run is an ML run when its file imports an ML library
(numpy, torch, jax, gym, ...) or its flow uses one; a terminal demo drawing from
``random`` is not a finding. The entrypoint's calls are followed across the project, so a
helper such as ``utils/seed.py::seed_everything`` counts wherever it is defined.
Seeding through ``random.seed``, ``lightning.seed_everything``, ``transformers`` or
``accelerate``'s ``set_seed``, Stable-Baselines3's ``set_random_seed`` or an
algorithm's ``seed=`` all count.

## Why is this bad?
An unseeded run cannot be repeated: a shuffled split, an augmentation or an
exploration choice differs on every launch, so a regression cannot be told apart
from noise and a reported number cannot be reproduced.

## Example
```python
def main() -> None:
    random.shuffle(files)  # seeded only below
    random.seed(cfg.seed)
```

## Use instead
```python
def main() -> None:
    random.seed(cfg.seed)
    random.shuffle(files)
```

## Options
None. Test files are never entrypoints, nor is the ``__main__`` self-check of a module
that other project files import (unless it trains). A seeding call inside an ``if``
counts (the rule prefers a miss to a false alarm); draws at import time of library
modules and inside nested functions do not count.

## References
- https://docs.python.org/3/library/random.html#random.seed
- https://pytorch.org/docs/stable/notes/randomness.html
- Checklist 000, "Random Seed Management": all random seeds set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units, unseeded
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR001"
SEVERITY = "error"
NAME = "unseeded-python-random"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """Python's global `random`, then `random.Random()` instances made without a seed."""
    yield from unseeded.decide(entry, "random")
    yield from unseeded.decide(entry, "random_rng")
