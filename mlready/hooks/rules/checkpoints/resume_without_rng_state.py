"""MLR305 `resume-without-rng-state`: training resumes from a checkpoint, RNG state does not.

## What it does
Reports each place that restores an optimizer from a checkpoint
(``optimizer.load_state_dict(...)``, ``fabric.load(path, state)``) when no file of the
project saves or restores random-number-generator state (``torch.get_rng_state``/
``set_rng_state``, ``torch.cuda.get_rng_state_all``/``set_rng_state_all``,
``numpy.random.get_state``/``set_state``, ``random.getstate``/``setstate``, a
``Generator``'s ``get_state``/``set_state`` or ``bit_generator.state``, or accelerate's
``save_state``/``load_state``, which keep them) and the project draws random numbers
(``torch.rand*``, ``numpy.random``, ``random``, shuffled or random samplers, dropout,
``torch.distributions``). Test files are not read.

Off by default: it is a project-wide claim (several files may share one resume path, and
a run that is never resumed does not need it), and resumption that is only approximately
the same is an accepted trade-off in many projects. Select it with
``select = ["MLR305"]``.

## Why is this bad?
A resumed run restores the weights and the optimizer but restarts every generator from
its seed (or from the clock): the data order, the augmentations, dropout masks and the
exploration noise after the restore point differ from the interrupted run. The resumed
run is a different experiment, so "resume and compare" checks fail and a preempted job
cannot reproduce its own numbers.

## Example
```python
ckpt = torch.load(path, weights_only=True)
model.load_state_dict(ckpt["model"])
optimizer.load_state_dict(ckpt["optimizer"])
```

## Use instead
```python
ckpt["rng"] = {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all(),
               "numpy": np.random.get_state(), "python": random.getstate()}
...
torch.set_rng_state(ckpt["rng"]["torch"])
torch.cuda.set_rng_state_all(ckpt["rng"]["cuda"])
np.random.set_state(ckpt["rng"]["numpy"])
random.setstate(ckpt["rng"]["python"])
```

## Options
None.

## References
- Checklist 000 "Reproducibility & experiment management", Checkpointing & Model
  Versioning: "Can resume training seamlessly from checkpoint"; Random Seed
  Management: "Same seed produces same results across runs"
- Checklist 002 (RL deployment): "Test resume functionality"
- [PyTorch: reproducibility](https://pytorch.org/docs/stable/notes/randomness.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.training import terminal_name

CODE = "MLR305"
SEVERITY = "warning"
NAME = "resume-without-rng-state"
KINDS = ("python",)
DEFAULT = False  # a project-wide, opinionated claim (see the docstring)

_RNG_STATE = frozenset({"get_rng_state", "set_rng_state", "get_rng_state_all",
                        "set_rng_state_all", "getstate", "setstate", "get_state", "set_state",
                        "save_state", "load_state"})
_RANDOM_CALLS = ("torch.rand", "torch.randn", "torch.randint", "torch.randperm",
                 "torch.normal", "torch.bernoulli", "torch.multinomial", "numpy.random.",
                 "random.", "torch.distributions.", "torch.nn.Dropout",
                 "torch.nn.functional.dropout", "torch.utils.data.RandomSampler",
                 "torch.utils.data.distributed.DistributedSampler")
_FIX = ("save `torch.get_rng_state()`, `torch.cuda.get_rng_state_all()`, "
        "`np.random.get_state()` and `random.getstate()` in the checkpoint and set them "
        "back after loading")


def _restores_optimizer(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = terminal_name(func.value).lower()
    if func.attr == "load_state_dict":
        return ("opt" in receiver) and "sched" not in receiver
    return func.attr == "load" and receiver.endswith("fabric") and len(call.args) >= 2


def _draws(ctx: FileContext, call: ast.Call) -> bool:
    name = ctx.resolver.qualname(call.func) or ""
    if name.startswith(_RANDOM_CALLS) or name.endswith((".Dropout", ".dropout")):
        return True
    if name.endswith("DataLoader"):
        shuffle = keyword(call, "shuffle")
        return isinstance(shuffle, ast.Constant) and shuffle.value is True
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("sample", "rsample")


def collect(ctx: FileContext) -> dict[str, Any] | None:
    if is_test_path(ctx.path):
        return None
    rng = any(terminal_name(node) in _RNG_STATE for node in ctx.nodes(ast.Attribute)) or \
        "bit_generator" in ctx.source
    resumes: list[list[Any]] = []
    draws = False
    for call in ctx.nodes(ast.Call):
        if _restores_optimizer(call):
            resumes.append([call.lineno, ctx.column(call.lineno, call.col_offset),
                            ast.unparse(call.func)])
        elif not draws and _draws(ctx, call):
            draws = True
    if not (rng or resumes or draws):
        return None
    return {"rng": rng, "resumes": resumes, "draws": draws}


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    facts = project.facts.values()
    if any(f["rng"] for f in facts) or not any(f["draws"] for f in facts):
        return
    for path, found in sorted(project.facts.items()):
        for line, col, callee in found["resumes"]:
            yield project.diagnostic(
                path, line, col, CODE,
                f"`{callee}(...)` resumes training, but no file of the project saves or "
                "restores RNG state: the resumed run draws other random numbers than the "
                "interrupted one", _FIX)
