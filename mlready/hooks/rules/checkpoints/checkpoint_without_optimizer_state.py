"""MLR302 `checkpoint-without-optimizer-state`: a training file whose checkpoints cannot resume.

## What it does
In a file that builds an optimizer (``torch.optim.AdamW(...)`` and friends) and steps it,
looks at every checkpoint the file writes: ``torch.save``, ``accelerator.save``,
``fabric.save``, directly or through a helper defined in the same file that passes its
argument on. What is saved is followed back to the dict literal it was built from in the
same function (with later ``ckpt["key"] = ...`` and ``ckpt.update(...)``). When no
checkpoint of the file holds the optimizer (its ``state_dict()``, the optimizer object
for ``fabric.save``, or a key naming it), each save is reported. When a checkpoint does
hold the optimizer, it is also checked for the learning-rate scheduler and the
``GradScaler`` the file builds, and for a step/epoch counter: a key or a saved name
such as ``"epoch"`` or ``global_step``, or the counter in the file's name
(``f"opt{step:06d}.pt"``, from which a resume reads it back); each missing one is named
in the message.

Left alone: files that keep the full state through a framework (Lightning's
``configure_optimizers``/``ModelCheckpoint``/``trainer.save_checkpoint``, HF
``Trainer.save_model``/``save_state``, ``accelerator.save_state``, SB3
``model.save``), and files where some save's content cannot be followed (it may hold
the optimizer). ``accelerator.save(model.state_dict(), ...)`` alone is reported.

## Why is this bad?
A checkpoint with weights only cannot resume training: Adam's moment estimates and step
counts restart from zero, the learning-rate schedule restarts from its warm-up, and the
loss jumps after every restart. The run that resumes is not the run that was
interrupted, so preemptible jobs and "continue from epoch 40" silently train a
different model.

## Example
```python
optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
for step in range(cfg.steps):
    ...
    optimizer.step()
    if step % cfg.save_every == 0:
        torch.save(model.state_dict(), "last.pt")
```

## Use instead
```python
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "step": step}, "last.pt")
```
A weights-only export next to such a checkpoint is fine: one resumable checkpoint in the
file is enough.

## Options
None.

## References
- Checklist 000 "Reproducibility & experiment management", Checkpointing & Model
  Versioning: "Checkpoint includes optimizer/scheduler state", "Can resume training
  seamlessly from checkpoint"
- Checklist 001 (motion generation): "Checkpoint resume works"
- [PyTorch: saving and loading a general checkpoint](https://pytorch.org/tutorials/recipes/recipes/saving_and_loading_a_general_checkpoint_for_inference_and_training.html)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.checkpoints.saves import SaveSite, file_path, save_sites
from mlready.hooks.training import is_step_call, terminal_name

CODE = "MLR302"
SEVERITY = "error"
NAME = "checkpoint-without-optimizer-state"
KINDS = ("python",)

_OPTIMIZER = patterns.compile(
    r"(?:^|\.)(?:optim|optimizers?)\.(?!lr_scheduler\.)[A-Z]\w*$"  # torch.optim.AdamW
    r"|(?:^|\.)(?:instantiate|create|build|make|get)_\w*optimi[sz]er$"  # project factories
    r"|(?:^|\.)(?:setup|configure)_optimizers?$")  # Fabric, nanoGPT-style models
_SCHEDULER = patterns.compile(r"(?:\.lr_scheduler\.[A-Z]\w*|\.get_\w*schedule\w*)$")
_SCALER = patterns.compile(r"(?:^|\.)GradScaler$")
# Framework savers that keep the optimizer (attribute calls on something not ``self``).
_FRAMEWORK_SAVES = frozenset({"save_state", "save_checkpoint", "save_model"})
# A step/epoch counter kept in the checkpoint: a key, a saved name, or the file name.
_COUNTER = patterns.compile(r"epoch|step|iter|itr|episode|update|^it$|^ep$|^t$", re.IGNORECASE)
_FIX = ('save a dict with the optimizer too: `{"model": model.state_dict(), '
        '"optimizer": optimizer.state_dict(), "step": step}`')


def _bound(ctx: FileContext, pattern: patterns.Pattern) -> set[str]:
    """Names (terminal: ``self.opt`` -> ``opt``) assigned a call matching ``pattern``."""
    names: set[str] = set()
    for assign in ctx.nodes(ast.Assign):
        value = assign.value
        if isinstance(value, ast.Call) and pattern.search(ctx.resolver.qualname(value.func) or ""):
            names |= {terminal_name(t) for t in assign.targets} - {""}
    return names


def _mentions(parts: list[ast.expr], names: set[str], stem: str) -> bool:
    """Whether the saved parts name one of ``names`` or anything containing ``stem``."""
    for part in parts:
        for node in ast.walk(part):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and stem in node.value.lower():
                return True
            text = terminal_name(node)
            if text and (text in names or stem in text.lower()):
                return True
    return False


def _known(site: SaveSite) -> bool:
    """Whether every part is a literal or a ``.state_dict()``: what it holds is visible."""
    for part in site.parts:
        if isinstance(part, ast.Dict | ast.List | ast.Tuple):
            continue
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) \
                and part.func.attr == "state_dict":
            continue
        if isinstance(part, ast.Constant):
            continue
        return False
    return True


def _framework_saves(ctx: FileContext) -> bool:
    defined = {f.name for f in ctx.nodes(ast.FunctionDef)}
    if "configure_optimizers" in defined:
        return True  # a LightningModule: the Trainer writes full checkpoints
    for call in ctx.nodes(ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _FRAMEWORK_SAVES \
                and terminal_name(func.value) != "self" and func.attr not in defined:
            return True
        if terminal_name(func) == "ModelCheckpoint":
            return True
    return False


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "save" not in ctx.source or "optim" not in ctx.source or is_test_path(ctx.path):
        return
    optimizers = _bound(ctx, _OPTIMIZER)
    if not optimizers or not any(is_step_call(c) for c in ctx.nodes(ast.Call)):
        return
    sites = [site for site in save_sites(ctx) if not site.forwarded]
    if not sites or _framework_saves(ctx):
        return
    keeping = [s for s in sites if _mentions(s.parts, optimizers, "optim")
               or _mentions(s.parts, set(), "opt_")]
    if not keeping:
        if not all(_known(s) for s in sites):
            return  # a save we cannot read may hold the optimizer
        shown = sorted(optimizers)[0]
        for site in sites:
            yield ctx.diagnostic(CODE, site.call, f"checkpoint `{_short(site.payload)}` "
                                 f"lacks the optimizer state (`{shown}.state_dict()`): "
                                 "training cannot resume from it", _FIX)
        return
    extras = (("scheduler", _bound(ctx, _SCHEDULER), "sched"),
              ("GradScaler", _bound(ctx, _SCALER), "scaler"))
    for site in keeping:
        missing = [f"{what} (`{sorted(names)[0]}`)" for what, names, stem in extras
                   if names and not _mentions(site.parts, names, stem)]
        if not _counts(site):
            missing.append("step/epoch counter")
        if missing and _known(site):
            yield ctx.diagnostic(CODE, site.call, f"checkpoint `{_short(site.payload)}` keeps "
                                 f"the optimizer but not the {' or the '.join(missing)} "
                                 "state: a resumed run restarts it",
                                 "add its `state_dict()` to the checkpoint and load it back")


def _path_args(site: SaveSite) -> list[ast.expr]:
    """What names the file a site writes: ``torch.save``'s and ``accelerator.save``'s
    second argument, ``fabric.save``'s first, or every other argument of a helper."""
    call = site.call
    if site.via:
        return [a for a in (*call.args, *(k.value for k in call.keywords))
                if a is not site.payload]
    index, name = (0, "path") if site.saver == "fabric" else (1, "f")
    given = [k.value for k in call.keywords if k.arg == name]
    return given or call.args[index:index + 1]


def _counts(site: SaveSite) -> bool:
    """Whether the checkpoint keeps where training was: a counter among what is saved
    (``"epoch": epoch``, ``"step"``), or in the file's name (``f"opt{step:06d}.pt"``),
    from which a resume can read it back."""
    exprs = [*site.parts, *(file_path(a, site.scope) for a in _path_args(site))]
    loops = _loop_counters(site.scope)
    for expr in exprs:
        for node in ast.walk(expr):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _COUNTER.search(node.value):
                    return True
            elif (text := terminal_name(node)) and (_COUNTER.search(text) or text in loops):
                return True
    return False


def _loop_counters(scope: ast.AST | None) -> set[str]:
    """The counters of the function's counting loops: ``i`` in ``for i in range(n)``,
    ``for i, batch in enumerate(loader)``."""
    found: set[str] = set()
    for loop in ast.walk(scope) if scope is not None else ():
        if not isinstance(loop, ast.For) or not isinstance(loop.iter, ast.Call):
            continue
        if terminal_name(loop.iter.func) in ("range", "trange", "enumerate"):
            target = loop.target
            if isinstance(target, ast.Tuple) and target.elts:
                target = target.elts[0]
            if isinstance(target, ast.Name):
                found.add(target.id)
    return found


def _short(expr: ast.expr) -> str:
    text = " ".join(ast.unparse(expr).split())
    return text if len(text) <= 50 else text[:47] + "..."
