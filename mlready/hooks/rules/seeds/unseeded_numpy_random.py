"""NumPy's legacy global random state used in an entrypoint that never seeds it first.

## What it does
Flags the first draw from ``np.random``'s global state (``np.random.rand``,
``randn``, ``choice``, ``permutation``, ``normal``, ...) in an entrypoint when nothing
seeds it before (``np.random.seed``, ``lightning.seed_everything``, ``set_seed``
helpers of transformers/accelerate/Stable-Baselines3, or a project helper that calls
one of these, followed across files). Also flags ``np.random.default_rng()`` and
``np.random.RandomState()`` created without a seed: no global seed reaches them.
A generator created with a seed, ``np.random.default_rng(seed)``, is seeded by
construction and its draws are never findings.

## Why is this bad?
Unseeded NumPy draws make data splits, noise and sampled batches differ between runs,
so results cannot be reproduced or compared.

## Example
```python
if __name__ == "__main__":
    idx = np.random.permutation(len(data))
    rng = np.random.default_rng()
```

## Use instead
```python
if __name__ == "__main__":
    rng = np.random.default_rng(cfg.seed)
    idx = rng.permutation(len(data))
```

## Options
None. Entrypoints are as in MLR001; a seeding call inside an ``if`` counts.

## References
- https://numpy.org/doc/stable/reference/random/index.html
- https://numpy.org/doc/stable/reference/random/generated/numpy.random.seed.html
- Checklist 000, "Random Seed Management".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units, unseeded
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR002"
SEVERITY = "error"
NAME = "unseeded-numpy-random"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """numpy's global generator, then generators made without a seed."""
    yield from unseeded.decide(entry, "numpy")
    yield from unseeded.decide(entry, "numpy_rng")
