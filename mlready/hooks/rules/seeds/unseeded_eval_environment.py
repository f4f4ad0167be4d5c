"""MLR009 `unseeded-eval-environment`: an evaluation environment that nothing seeds.

## What it does
In a file that imports an RL environment library (Gym, Gymnasium, Stable-Baselines3,
tianshou), reports where an environment kept for evaluation is built: a variable named
like one (``eval_env``, ``test_envs``, ``self.val_env``) bound to an env construction
(``gym.make``, ``make_vec_env``, ``DummyVecEnv``, tianshou's vector envs, a project
factory such as ``make_env``), when nothing in the same function (the whole file for
``self.<attr>`` and module-level code) seeds it: no seed among the construction's
arguments (``make_vec_env(..., seed=cfg.seed + 1)``, ``make_env(name, seed)``), no
``eval_env.seed(...)``, no ``eval_env.reset(seed=...)``, no call given it together
with a seed (``evaluate(agent, eval_env, cfg.seed)`` may seed it).
Only environments used for evaluation count: given to a call named like one
(``evaluate_policy``, ``EvalCallback``, ``test_agent``, tianshou's ``Collector``) or
built in a function named like one (a video recorder's env is not a measurement). Left
alone: a construction that wraps an env it is given (``DummyVecEnv([lambda: eval_env])``),
an env a factory returns (its caller seeds it), and test files.

## Why is this bad?
An unseeded evaluation environment draws different initial states every run, so the
reported return changes between two runs of the same checkpoint: comparisons between
runs, seeds or algorithms measure the evaluation's noise as well as the policy. SB3's
``EvalCallback`` and ``evaluate_policy`` reset the env they are given without a seed,
and the algorithm's ``seed=`` seeds only its training env.

## Example
```python
model = PPO("MlpPolicy", make_vec_env("CartPole-v1", n_envs=4, seed=cfg.seed))
eval_env = gym.make("CartPole-v1")
mean_reward, _ = evaluate_policy(model, eval_env, n_eval_episodes=20)
```

## Use instead
```python
eval_env = gym.make("CartPole-v1")
eval_env.reset(seed=cfg.seed + 1000)  # a seed of its own, apart from the training envs'
mean_reward, _ = evaluate_policy(model, eval_env, n_eval_episodes=20)
```

## Options
None.

## References
- Checklist 000 "Reproducibility & experiment management", Random Seed Management:
  "Environment seeds set (Gym, Isaac Lab)"; checklist 004 "Evaluation"
- [Gymnasium: Env.reset(seed=...)](https://gymnasium.farama.org/api/env/#gymnasium.Env.reset)
- [Stable-Baselines3: reproducibility](https://stable-baselines3.readthedocs.io/en/master/guide/algos.html#reproducibility)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import rl_envs

CODE = "MLR009"
SEVERITY = "error"
NAME = "unseeded-eval-environment"
KINDS = ("python",)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if not rl_envs.reads_rl(ctx):
        return
    seen: set[tuple[str, int]] = set()
    for binding in rl_envs.bindings(ctx):
        key = (binding.name, id(binding.scope))
        if key in seen or not rl_envs.is_eval_name(binding.name):
            continue
        seen.add(key)
        if rl_envs.wraps_existing(binding) or rl_envs.returned(binding) \
                or not rl_envs.evaluates_on(ctx, binding) \
                or rl_envs.seeded(ctx, binding.name, binding.scope):
            continue
        yield ctx.diagnostic(
            CODE, binding.call, f"`{binding.name}` = `{rl_envs.text(binding.call.func)}(...)`: "
            "the evaluation environment is never seeded, so each run evaluates on different "
            "episodes", fix=f"seed it: `{binding.name}.reset(seed=...)` (or pass `seed=` where "
                            "it is built), apart from the training envs' seeds")
