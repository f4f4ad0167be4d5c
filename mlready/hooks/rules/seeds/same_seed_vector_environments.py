"""MLR011 `same-seed-vector-environments`: every copy of a vector env given the same seed.

## What it does
In a file that imports an RL environment library, reports:

- a list (or generator) of environment constructions built in a comprehension or a
  loop, ``[make_env(args.seed) for i in range(n)]`` or ``[lambda: gym.make(id,
  seed=seed) for _ in range(n)]``, where the construction is given a fixed seed (not a
  call that draws one, ``next_seed()``) and none of its arguments depends on the loop
  variable (``make_env(seed, i)`` passes the rank, from which the factory can derive a
  seed of its own, and is left alone);
- a per-environment seed list with one value repeated, ``envs.reset(seed=[seed] * n)``,
  ``envs.seed([args.seed for _ in range(n)])``.

A single integer is fine: Gymnasium's ``VectorEnv.reset(seed=s)``, Stable-Baselines3's
``VecEnv.seed(s)`` and ``make_vec_env(..., seed=s)``, and tianshou's ``envs.seed(s)``
seed copy *i* with ``s + i``. Test files are left alone.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing (0
findings), so its precision on real code is not measured yet. Select it with
``select = ["MLR011"]``.

## Why is this bad?
Copies with the same seed play the same episodes in lockstep: a batch of 16 envs
collects one trajectory 16 times, the gradient estimate has the variance of one env,
and more envs stop buying more data. The run still looks seeded and reproducible, so
nothing points at the cause.

## Example
```python
envs = gym.vector.SyncVectorEnv(
    [lambda: make_env(cfg.env_id, seed=cfg.seed) for i in range(cfg.num_envs)])
```

## Use instead
```python
envs = gym.vector.SyncVectorEnv(
    [make_env(cfg.env_id, seed=cfg.seed + i) for i in range(cfg.num_envs)])
# or build them unseeded and seed them all at once: copy i gets cfg.seed + i
observations, infos = envs.reset(seed=cfg.seed)
```

## Options
None.

## References
- Checklist 000 "RL-specific quality", Environment Integration: "Vectorized
  environments used"; "Reproducibility", Random Seed Management
- [Gymnasium: VectorEnv.reset](https://gymnasium.farama.org/api/vector/#gymnasium.vector.VectorEnv.reset)
  ("seed: ... if an int, each sub-environment is seeded with seed + its index")
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import rl_envs

CODE = "MLR011"
SEVERITY = "error"
NAME = "same-seed-vector-environments"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)

_FIX = "give copy i its own seed (`seed + i`), or seed them all with one integer"


def _loop_vars(node: ast.AST) -> set[str]:
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return set().union(*(rl_envs.names_in(g.target) for g in node.generators))
    if isinstance(node, ast.For):
        return rl_envs.names_in(node.target)
    return set()


def _fixed(expr: ast.expr) -> bool:
    """An expression that gives the same value each time: no call in it (``next_seed()``
    draws a new one), except conversions."""
    return not any(isinstance(n, ast.Call) and not (
        isinstance(n.func, ast.Name) and n.func.id in ("int", "str", "float"))
        for n in ast.walk(expr))


def _same_seed(ctx: FileContext, call: ast.Call, loop_vars: set[str]) -> bool:
    """An env construction given a fixed seed, none of whose arguments reads the loop
    variable."""
    arguments = [*call.args, *(k.value for k in call.keywords)]
    seeds = [a for a in arguments if rl_envs.mentions_seed(a)]
    return bool(seeds) and all(_fixed(a) for a in seeds) and rl_envs.is_construction(ctx, call) \
        and not any(rl_envs.names_in(a) & loop_vars for a in arguments)


def _repeated(value: ast.expr) -> bool:
    """``[seed] * n``, ``n * [seed]``, ``[seed for _ in range(n)]``: one seed, n times."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        return any(isinstance(side, ast.List) and len(side.elts) == 1
                   and rl_envs.mentions_seed(side.elts[0]) for side in (value.left, value.right))
    if isinstance(value, ast.ListComp):
        return rl_envs.mentions_seed(value.elt) and _fixed(value.elt) \
            and not rl_envs.names_in(value.elt) & _loop_vars(value)
    return False


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if not rl_envs.reads_rl(ctx) or "seed" not in ctx.source:
        return
    reported: set[int] = set()
    for node in ctx.nodes(ast.ListComp, ast.GeneratorExp, ast.For):
        loop_vars = _loop_vars(node)
        if not loop_vars:
            continue
        body: list[ast.AST] = [node.elt] if isinstance(node, ast.ListComp | ast.GeneratorExp) \
            else list(node.body) if isinstance(node, ast.For) else []
        for sub in (s for b in body for s in ast.walk(b)):
            if isinstance(sub, ast.Call) and id(sub) not in reported \
                    and _same_seed(ctx, sub, loop_vars):
                reported.add(id(sub))
                yield ctx.diagnostic(
                    CODE, sub, f"`{rl_envs.text(sub.func)}(...)` gets the same seed in every "
                    f"iteration over `{', '.join(sorted(loop_vars))}`: the copies play the "
                    "same episodes in lockstep", _FIX)
                break
    for call in ctx.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        method = rl_envs.final(rl_envs.text(call.func))
        given = [k.value for k in call.keywords if k.arg == "seed"]
        if method == "seed" and call.args:
            given.append(call.args[0])
        elif method != "reset" and not given:
            continue
        for value in given:
            if _repeated(value):
                yield ctx.diagnostic(
                    CODE, value, f"`{rl_envs.text(value)}`: one seed repeated for every "
                    "environment copy, so they play the same episodes in lockstep", _FIX)
