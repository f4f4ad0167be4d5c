"""MLR701 `eval-without-no-grad`: evaluation forward passes that record gradients.

## What it does
Finds evaluation code and reports its first model call that runs with autograd on.
Evaluation code is a function named as one (``evaluate``, ``validate``, ``eval``,
``test``, ``val``, ``evaluation``, ``validation``, with an optional ``_model``,
``_policy``, ``_epoch``, ``_loop`` suffix, or ``run_eval``/``run_validation``), a
function that calls ``<model>.eval()``, and a loop over a validation or test loader
(``for batch in val_loader``). A model call is a call of the object put in eval mode,
or, in evaluation code, of a parameter or loop-level name that reads as a model
(``model``, ``net``, ``policy``, ``actor``, ``critic``, ``encoder``, ``agent``), or of
``<model>.forward``. Gradients are off inside ``torch.no_grad()``,
``torch.inference_mode()``, ``torch.set_grad_enabled(False)``, under one of them as a
decorator, after ``torch.set_grad_enabled(False)`` in the function, and in a function
of the file only ever called from such places. Code that calls ``.backward()`` or an
optimizer step is training, not evaluation, and is left alone; so are Lightning's
``validation_step``/``test_step`` (the Trainer turns gradients off) and test files.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing
(0 findings, none to judge), so its precision on real code is not measured yet; and an
evaluation function defined in one file but called under ``torch.no_grad()`` from
another is reported, since the rule reads one file. Select it with
``select = ["MLR701"]``.

## Why is this bad?
With gradients on, every forward pass records its graph and keeps every activation
alive until the output is dropped: evaluation uses several times the memory it needs
(large validation batches run out of memory), runs slower, and an output kept in a
list keeps its whole graph. ``model.eval()`` alone does not turn gradients off: it only
switches dropout and batch norm to inference behaviour.

## Example
```python
def evaluate(model, loader):
    model.eval()
    return sum(criterion(model(x), y).item() for x, y in loader)
```

## Use instead
```python
@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    return sum(criterion(model(x), y).item() for x, y in loader)
```

## Options
None.

## References
- Checklist 000 "Testing & validation", Validation Protocol: "No gradients during
  validation (torch.no_grad())"; "Performance & scalability", Memory Management:
  "`torch.no_grad()` for inference"
- [torch.no_grad](https://pytorch.org/docs/stable/generated/torch.no_grad.html)
- [Autograd mechanics: locally disabling gradient computation](https://pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.training.evaluation import (
    EVAL_NAME,
    MODEL_NAME,
    SCOPES,
    eval_receivers,
    text,
    trains,
    walk_body,
)
from mlready.hooks.rules.training.grad_mode import no_grad_nodes
from mlready.hooks.training import terminal_name

CODE = "MLR701"
SEVERITY = "warning"
NAME = "eval-without-no-grad"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)

_LIGHTNING_HOOKS = frozenset({"validation_step", "test_step", "predict_step"})
_EVAL_LOADER = patterns.compile(r"(?:^|_)(?:val|valid|validation|test|eval)(?:_|$)", re.IGNORECASE)
_FIX = "wrap the evaluation in `with torch.no_grad():` or decorate it `@torch.no_grad()`"


def _model_call(call: ast.Call, models: set[str], named: bool) -> bool:
    """``model(x)`` or ``model.forward(x)`` of a known model; in named evaluation code,
    also of anything whose name reads as a model."""
    func = call.func
    target = func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func
    if not isinstance(target, ast.Name | ast.Attribute):
        return False
    if text(target) in models:
        return True
    return named and isinstance(target, ast.Name) and bool(MODEL_NAME.search(target.id))


def _first_ungraded(nodes: list[ast.AST], models: set[str], named: bool,
                    off: set[int]) -> ast.Call | None:
    for node in nodes:
        if isinstance(node, ast.Call) and id(node) not in off and _model_call(node, models, named):
            return node
    return None


def _eval_loader(loop: ast.For | ast.AsyncFor) -> bool:
    """``for batch in val_loader`` / ``in test_data()``: a loop over evaluation data."""
    source = loop.iter.func if isinstance(loop.iter, ast.Call) else loop.iter
    name = terminal_name(source)
    return bool(_EVAL_LOADER.search(name)) and ("loader" in name or "data" in name)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if is_test_path(ctx.path) or not ctx.resolver.imports("torch"):
        return
    # cheap candidates first: most files have no evaluation code at all
    calls_eval = ".eval()" in ctx.source
    functions = [f for f in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef)
                 if isinstance(f, SCOPES) and f.name not in _LIGHTNING_HOOKS
                 and (calls_eval or EVAL_NAME.match(f.name))]
    loops = [loop for loop in ctx.nodes(ast.For, ast.AsyncFor)
             if isinstance(loop, ast.For | ast.AsyncFor) and _eval_loader(loop)]
    if not functions and not loops:
        return
    off = no_grad_nodes(ctx)
    reported: set[int] = set()
    for function in functions:
        if id(function) in off:
            continue
        nodes = list(walk_body(function.body))
        named = bool(EVAL_NAME.match(function.name))
        models = eval_receivers(nodes)
        if not (named or models) or trains(nodes):
            continue
        call = _first_ungraded(nodes, models, named, off)
        if call is not None:
            reported.update(id(n) for n in nodes)
            yield ctx.diagnostic(CODE, call, f"`{function.name}` runs `{text(call.func)}(...)` "
                                 "with gradients on: evaluation keeps every activation for "
                                 "a backward pass that never comes", _FIX)
    for loop in loops:
        nodes = list(walk_body(loop.body))
        if id(loop) in reported or trains(nodes):
            continue
        call = _first_ungraded(nodes, eval_receivers(nodes), True, off)
        if call is not None:
            reported.update(id(n) for n in nodes)
            yield ctx.diagnostic(CODE, call, f"loop over `{text(loop.iter)}` runs "
                                 f"`{text(call.func)}(...)` with gradients on: evaluation "
                                 "keeps every activation for a backward pass that never "
                                 "comes", _FIX)
