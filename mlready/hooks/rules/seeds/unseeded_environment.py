"""A Gym/Gymnasium environment or action space used in an entrypoint without a seed.

## What it does
Flags, in an entrypoint, the first ``env.reset()`` when no earlier (or this) reset
passed ``seed=`` and no ``env.seed(...)``, ``make_vec_env(..., seed=...)``, vector-env
factory given a seed (``gym.vector.make(..., seed=...)``, ``envpool.make(..., seed=...)``)
or Stable-Baselines3 algorithm with ``seed=`` came first; and the first
``env.action_space.sample()`` when the space was never seeded with
``action_space.seed(...)``. ``env.reset(seed=...)`` does not seed the spaces.
A sampled *observation* (``observation_space.sample()``) is a dummy input, not a draw
of the run; an env stepped by hand in a notebook cell (a tutorial printing what comes
back) is not either, while episodes run in a function (``evaluate``) are.

## Why is this bad?
A Gymnasium environment draws its initial states from its own generator, seeded on
the first ``reset(seed=...)``; without it every run sees different episodes. Spaces
have their own generators too, so random exploration differs even with a seeded env.

## Example
```python
env = gym.make("CartPole-v1")
obs, info = env.reset()
action = env.action_space.sample()
```

## Use instead
```python
env = gym.make("CartPole-v1")
obs, info = env.reset(seed=cfg.seed)
env.action_space.seed(cfg.seed)
action = env.action_space.sample()
```

## Options
None. Environments are recognised by construction (``gym.make``, vector envs,
SB3's ``make_vec_env``, a project factory named like ``make_env``) or by name
(``env``, ``train_env``, ``envs``) in files that import gym, gymnasium or
Stable-Baselines3. An object of the project's own class (or of another library's,
such as an HTTP game client) is not a Gym env: its ``reset`` is followed into the
project's code, whose draws the other rules judge.

## References
- https://gymnasium.farama.org/introduction/basic_usage/
- https://gymnasium.farama.org/api/env/#gymnasium.Env.reset
- https://stable-baselines3.readthedocs.io/en/master/guide/algos.html#reproducibility
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import flow, units, unseeded
from mlready.hooks.rules.seeds.summary import Entrypoint

CODE = "MLR005"
SEVERITY = "error"
NAME = "unseeded-environment"
KINDS = frozenset({"python"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """The shared per-file seeding facts (one analysis for MLR001-MLR008)."""
    return units.collect(ctx)


def finalize(project: ProjectContext) -> list[Diagnostic]:
    """This rule's findings in the target entrypoints, resolved across files."""
    return flow.report(project, decide)


def decide(entry: Entrypoint) -> Iterator[Diagnostic]:
    """Environments, then action spaces, sampled before they are seeded."""
    yield from unseeded.decide(entry, "env")
    yield from unseeded.decide(entry, "space")
