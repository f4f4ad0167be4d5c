"""MLR303 `whole-module-torch-save`: `torch.save` of an `nn.Module` object, not its weights.

## What it does
Flags ``torch.save`` and ``accelerator.save`` (directly or through a helper of the same
file, see MLR302) whose saved object, or an element or dict value of it, is a whole
module rather than its ``state_dict()``. A name counts as a module when this file shows
it is one: it is bound to a ``torch.nn`` class call (``nn.Sequential(...)``), to a call
of a class defined in the file that subclasses a ``...Module``, to a constructor call
moved with ``.to(...)``/``.cuda()``; when it is a parameter annotated ``nn.Module``; or
when the same function calls ``.parameters()``, ``.eval()``, ``.train()`` on it or
moves it in place (a bare ``name.to(device)`` statement). ``fabric.save`` is not
flagged: Fabric stores a module's ``state_dict`` itself.

## Why is this bad?
Pickling a module stores references to its class by import path, not the code: the
file loads only where the same classes exist at the same module paths, so renaming a
file or refactoring the model breaks every old checkpoint. Loading it needs
``torch.load(..., weights_only=False)``, which runs arbitrary code (MLR301), and since
torch 2.6 fails with the default ``weights_only=True``.

## Example
```python
model = Policy(obs_dim, act_dim).to(device)
torch.save(model, "policy.pt")
```

## Use instead
```python
torch.save(model.state_dict(), "policy.pt")
# and to load: model = Policy(obs_dim, act_dim); model.load_state_dict(torch.load(
#     "policy.pt", weights_only=True))
```

## Options
None.

## References
- Checklist 000 "Reproducibility & experiment management", Checkpointing & Model
  Versioning: "Model artifacts versioned"; "Final Validation": "Checkpoints load correctly"
- [PyTorch: saving and loading models (state_dict is the recommended way)](https://pytorch.org/tutorials/beginner/saving_loading_models.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.checkpoints.saves import SaveSite, save_sites

CODE = "MLR303"
SEVERITY = "error"
NAME = "whole-module-torch-save"
KINDS = ("python",)

_MODULE_METHODS = frozenset({"parameters", "named_parameters", "eval", "train", "modules",
                             "named_modules", "cuda", "to"})
_FIX = "save `.state_dict()` instead, and rebuild the module before `load_state_dict`"


def _module_classes(ctx: FileContext) -> set[str]:
    """Classes defined in the file that subclass something named ``...Module``."""
    def compute() -> set[str]:
        found: set[str] = set()
        for cls in ctx.nodes(ast.ClassDef):
            for base in cls.bases:
                name = base.attr if isinstance(base, ast.Attribute) else (
                    base.id if isinstance(base, ast.Name) else "")
                if name.endswith("Module") or name in found:
                    found.add(cls.name)
        return found
    return ctx.memo("checkpoints:module_classes", compute)


def _constructs_module(ctx: FileContext, value: ast.expr) -> bool:
    """A call that builds a module: ``nn.Linear(...)``, ``Net(...)`` of a module class of
    the file, or a class call moved with ``.to(...)``/``.cuda()``."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr in ("to", "cuda") \
            and isinstance(func.value, ast.Call):
        inner = func.value.func
        name = inner.attr if isinstance(inner, ast.Attribute) else (
            inner.id if isinstance(inner, ast.Name) else "")
        return name[:1].isupper() and not name.isupper()
    qualname = ctx.resolver.qualname(func) or ""
    last = qualname.rpartition(".")[2]
    if qualname.startswith("torch.nn.") and last[:1].isupper() and \
            not qualname.startswith(("torch.nn.functional.", "torch.nn.utils.", "torch.nn.init.")):
        return True
    return isinstance(func, ast.Name) and func.id in _module_classes(ctx)


def _is_module(ctx: FileContext, expr: ast.expr, scope: ast.AST | None) -> bool:
    if not isinstance(expr, ast.Name) or scope is None:
        return False
    name = expr.id
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        for arg in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs):
            if arg.arg == name and arg.annotation is not None \
                    and ast.unparse(arg.annotation).endswith("Module"):
                return True
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            if _constructs_module(ctx, node.value):
                return True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name \
                and node.func.attr in _MODULE_METHODS:
            if node.func.attr not in ("to", "cuda"):
                return True
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func  # a bare `name.to(device)`: only modules move in place
            if isinstance(func, ast.Attribute) and func.attr in ("to", "cuda") \
                    and isinstance(func.value, ast.Name) and func.value.id == name:
                return True
    return False


def _candidates(parts: list[ast.expr]) -> Iterator[ast.expr]:
    for part in parts:
        if isinstance(part, ast.List | ast.Tuple):
            yield from part.elts
        elif isinstance(part, ast.Dict):
            yield from part.values
        else:
            yield part


def _module_saved(ctx: FileContext, site: SaveSite) -> ast.expr | None:
    for candidate in (site.payload, *_candidates(site.parts)):
        if _is_module(ctx, candidate, site.scope) or (
                isinstance(candidate, ast.Call) and _constructs_module(ctx, candidate)):
            return candidate
    return None


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "save" not in ctx.source or not ctx.resolver.imports("torch"):
        return
    found = [(site, _module_saved(ctx, site)) for site in save_sites(ctx)
             if site.saver != "fabric"]
    # a helper reported inside (its parameter is annotated as a module) is not reported
    # again at each of its callers
    inside = {site.scope.name for site, module in found if module is not None
              and site.forwarded and isinstance(site.scope, ast.FunctionDef | ast.AsyncFunctionDef)}
    for site, module in found:
        if module is not None and site.via not in inside:
            yield ctx.diagnostic(CODE, site.call, "checkpoint pickles the whole module "
                                 f"`{ast.unparse(module)}`: it loads only with the same code "
                                 "at the same import paths, and only with "
                                 "`weights_only=False`", _FIX)
