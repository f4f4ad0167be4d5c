"""MLR012 `normalizer-stats-not-saved`: a running normaliser whose statistics are lost.

## What it does
Reports each running observation/reward normaliser the project builds
(Stable-Baselines3's ``VecNormalize(...)``, tianshou's ``VectorEnvNormObs(...)``) when
the project saves a model (``model.save(...)``, ``torch.save(...)``) but nowhere keeps
the normaliser's statistics: no ``.save(...)`` of the normalised env
(``vec_env.save("vec_normalize.pkl")``), no ``VecNormalize.load``, and no mention of its
running statistics (``obs_rms``, ``ob_rms``, ``get_obs_rms()``, ``ret_rms``) in any
project file (``torch.save([policy, obs_rms], path)`` keeps them). Read across the
project: the normaliser is often built in ``envs.py`` and saved from ``train.py``. A
normalised env bound to a name that goes nowhere (only stepped, as in a demo) is not
trained on, and test files are left alone.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing (0
findings), so its precision on real code is not measured yet. Select it with
``select = ["MLR012"]``.

## Why is this bad?
The policy learned on *normalised* observations: the running mean and variance are part
of the model. A policy loaded without them sees raw observations, scaled nothing like
what it trained on, and performs far worse, or a resumed run restarts the statistics
from zero and shifts every input. The weights on disk cannot be evaluated or resumed.

## Example
```python
env = VecNormalize(make_vec_env("HalfCheetah-v4", n_envs=8, seed=cfg.seed))
model = PPO("MlpPolicy", env).learn(cfg.steps)
model.save("ppo_cheetah")
```

## Use instead
```python
model.save("ppo_cheetah")
env.save("vec_normalize.pkl")  # and at load: VecNormalize.load("vec_normalize.pkl", venv)
```

## Options
None.

## References
- Checklist 000 "RL-specific quality", Environment Integration: "Observations properly
  scaled/normalized"; "Reproducibility", Checkpointing: "Can resume training seamlessly"
- [Stable-Baselines3: VecNormalize](https://stable-baselines3.readthedocs.io/en/master/guide/vec_envs.html#vecnormalize)
  (the statistics are saved with ``VecNormalize.save``)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import rl_envs

CODE = "MLR012"
SEVERITY = "error"
NAME = "normalizer-stats-not-saved"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)

_NORMALIZERS = frozenset({"VecNormalize", "VectorEnvNormObs"})
_STATS = ("obs_rms", "ob_rms", "ret_rms", "get_obs_rms", "VecNormalize.load")


def collect(ctx: FileContext) -> dict[str, Any] | None:
    if not rl_envs.reads_rl(ctx):
        return None
    defined = {c.name for c in ctx.nodes(ast.ClassDef) if isinstance(c, ast.ClassDef)}
    built: list[list[Any]] = []
    bound: set[str] = set()
    local: dict[int, str] = {}  # id(construction) -> the plain name it is bound to
    for assign in ctx.nodes(ast.Assign):
        assert isinstance(assign, ast.Assign)
        if isinstance(assign.value, ast.Call) and rl_envs.final(
                rl_envs.text(assign.value.func)) in _NORMALIZERS:
            bound |= {rl_envs.text(t) for t in assign.targets}
            if len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name):
                local[id(assign.value)] = assign.targets[0].id
    for call in ctx.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        name = rl_envs.final(ctx.resolver.qualname(call.func) or rl_envs.text(call.func))
        if name in _NORMALIZERS and name not in defined \
                and (id(call) not in local or _handed_on(ctx, local[id(call)])):
            built.append([call.lineno, call.col_offset + 1, rl_envs.text(call.func)])
    saves = keeps = False
    for call in ctx.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "save"):
            continue
        receiver = rl_envs.text(func.value)
        if receiver in bound or "norm" in receiver.lower():
            keeps = True
        else:
            saves = True  # torch.save, model.save, agent.save: a model on disk
    keeps = keeps or any(word in ctx.source for word in _STATS)
    return {"built": built, "saves": saves, "keeps": keeps}


def _handed_on(ctx: FileContext, name: str) -> bool:
    """Whether the normalised env bound to ``name`` goes anywhere (to an algorithm, a
    collector, a caller): a demo that only steps it trains nothing on it."""
    for node in ctx.nodes(ast.Call, ast.Return):
        if isinstance(node, ast.Return):
            if node.value is not None and name in rl_envs.names_in(node.value):
                return True
        elif isinstance(node, ast.Call) and rl_envs.text(node.func) != "print":
            given = (*node.args, *(k.value for k in node.keywords))
            if any(name in rl_envs.names_in(a) for a in given):
                return True
    return False


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    facts = {p: f for p, f in project.facts.items() if isinstance(f, dict)}
    if any(f["keeps"] for f in facts.values()) or not any(f["saves"] for f in facts.values()):
        return
    for path, data in sorted(facts.items()):
        for line, col, shown in data["built"]:
            yield project.diagnostic(
                path, line, col, CODE,
                f"`{shown}(...)`: its running observation statistics are never saved with "
                "the model, so a loaded policy sees differently scaled observations",
                fix="save them next to the model (`env.save(\"vec_normalize.pkl\")`) and "
                    "load them with `VecNormalize.load(path, venv)`")
