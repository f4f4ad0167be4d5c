"""MLR010 `eval-on-training-environment`: a policy evaluated on the env it trains on.

## What it does
In a file that imports an RL environment library, reports an evaluation call
(``evaluate_policy``, ``EvalCallback``, or a function named ``evaluate``/``test``...)
given the environment the agent trains on: the env passed to a Stable-Baselines3
algorithm in the same function (``PPO("MlpPolicy", env)``, ``env=env``), or the
algorithm's own ``model.get_env()``. Test files are left alone.

## Why is this bad?
Evaluating on the training env object interleaves evaluation episodes with the
training rollouts: it resets episodes the algorithm was in the middle of, mixes
evaluation episodes into the training statistics (``Monitor``), and a normalising
wrapper (``VecNormalize``) keeps updating its statistics from evaluation observations.
The score also comes from the very env instance, and seeds, the agent was tuned on:
the checklists ask for a separate evaluation environment.

## Example
```python
env = make_vec_env("CartPole-v1", n_envs=4, seed=cfg.seed)
model = PPO("MlpPolicy", env, seed=cfg.seed).learn(cfg.steps)
mean_reward, _ = evaluate_policy(model, env, n_eval_episodes=20)
```

## Use instead
```python
eval_env = make_vec_env("CartPole-v1", n_envs=1, seed=cfg.seed + 1000)
mean_reward, _ = evaluate_policy(model, eval_env, n_eval_episodes=20)
```

## Options
None.

## References
- Checklist 004 "Evaluation": "Separate Test Set: Don't evaluate on training
  environments"
- [Stable-Baselines3: evaluation helper](https://stable-baselines3.readthedocs.io/en/master/common/evaluation.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import apis, rl_envs

CODE = "MLR010"
SEVERITY = "warning"
NAME = "eval-on-training-environment"
KINDS = ("python",)

_EVAL_CALLS = frozenset({"evaluate_policy", "EvalCallback", "evaluate", "evaluate_agent",
                         "evaluate_model", "eval_policy", "test_policy", "test_agent",
                         "run_evaluation"})


def _trained_envs(nodes: list[ast.AST]) -> set[str]:
    """What a Stable-Baselines3 algorithm is given as its env (``PPO(policy, env)``)."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Call) and rl_envs.final(rl_envs.text(node.func)) in apis.SB3_ALGOS:
            given = [k.value for k in node.keywords if k.arg == "env"] or node.args[1:2]
            found |= {rl_envs.text(g) for g in given if isinstance(g, ast.Name | ast.Attribute)}
    return found


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if not rl_envs.reads_rl(ctx) or not any(n in ctx.source for n in _EVAL_CALLS):
        return
    assert ctx.tree is not None
    scopes = rl_envs.Scopes(ctx)
    by_scope: dict[int, list[ast.AST]] = {}
    for node in ast.walk(ctx.tree):
        by_scope.setdefault(id(scopes.around(node)), []).append(node)
    for nodes in by_scope.values():
        trained = _trained_envs(nodes)
        for call in (n for n in nodes if isinstance(n, ast.Call)):
            if rl_envs.final(rl_envs.text(call.func)) not in _EVAL_CALLS:
                continue
            for arg in (*call.args, *(k.value for k in call.keywords)):
                shown = rl_envs.text(arg)
                own = isinstance(arg, ast.Call) and rl_envs.final(shown.removesuffix("()")) \
                    == "get_env" and not arg.args
                if shown in trained or own:
                    yield ctx.diagnostic(
                        CODE, arg, f"`{rl_envs.text(call.func)}(..., {shown})` evaluates on the "
                        "environment the agent trains on: evaluation episodes mix with the "
                        "training rollouts and their statistics",
                        fix="build a separate evaluation env (with a seed of its own) and "
                            "evaluate on it")
                    break
