"""RL algorithm hyper-parameters (discount, GAE, clipping, KL beta...) as literals.

## What it does
Flags a numeric literal passed as an RL hyper-parameter of Stable-Baselines3 and
sb3-contrib algorithms (``PPO``, ``A2C``, ``DQN``, ``SAC``, ``TD3``, ``DDPG``, ``TQC``,
``RecurrentPPO``...: ``gamma``, ``gae_lambda``, ``clip_range``, ``ent_coef``,
``vf_coef``, ``tau``, ``buffer_size``, ``learning_starts``, ``target_update_interval``,
``exploration_fraction``, ``exploration_final_eps``, ``n_epochs``) and of TRL's
preference and RL configs (``DPOConfig(beta=...)``, ``PPOConfig(kl_coef=...,
cliprange=..., gamma=..., lam=...)``, ``GRPOConfig(beta=...)``...).

## Why is this bad?
RL results are notoriously sensitive to these values; a run is only reproducible and
comparable when they are logged with it and changed from one place.

## Example
```python
model = PPO("MlpPolicy", env, gamma=0.98, gae_lambda=0.92, clip_range=0.1)
```

## Use instead
```python
model = PPO("MlpPolicy", env, gamma=cfg.gamma, gae_lambda=cfg.gae_lambda,
            clip_range=cfg.clip_range)
```

## Options
- ``include-tests`` (default false): also check tests/, ``test_*.py`` and ``conftest.py``.
- ``config-modules``: extra module names whose literals are configuration.

``0`` (for example ``ent_coef=0``) is not a finding; strings such as
``ent_coef="auto"`` are not literals of a number and are never findings.

## References
- Checklist 002 (RL lunar lander) and 003 (LLM RL fine-tuning): PPO clip range,
  KL coefficient, beta "configured".
- https://stable-baselines3.readthedocs.io/en/master/modules/ppo.html
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.hparams import finder, options

CODE = options.RL
NAME = "hardcoded-rl-hyperparameter"
KINDS = ("python",)
OPTIONS = options.OPTIONS


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    return finder.diagnostics(ctx, CODE)
