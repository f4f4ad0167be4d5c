"""MLR704 `step-without-zero-grad`: an optimizer stepped in a loop that never clears grads.

## What it does
For every ``optimizer.step()`` (or ``scaler.step(optimizer)``) inside a loop, looks for a
``zero_grad()`` of the same optimizer anywhere in the innermost loop around the step
(nested blocks, nested loops and closures defined in it included). A module's
``model.zero_grad()`` and clearing ``p.grad = None`` count for every optimizer. When none
is found, the step is reported. A step that takes an argument (``optimizer.step(closure)``,
wrappers such as ``optim.step(loss)`` that clear gradients themselves) is left alone, as
are test files.

Gradient accumulation written on purpose (``backward()`` every iteration, ``step()`` and
``zero_grad()`` every k-th) is fine: both calls sit in the same loop.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing
(0 findings, none to judge), so its precision on real code is not measured yet.
Select it with ``select = ["MLR704"]``.

## Why is this bad?
``backward()`` adds into ``.grad``; it never overwrites. Without ``zero_grad()`` between
steps, every step applies the sum of all gradients seen so far, so the effective
learning rate grows with the iteration count and training diverges or silently
degrades. A single ``zero_grad()`` before the loop clears them only once.

## Example
```python
optimizer.zero_grad()
for batch in loader:
    loss = criterion(model(batch.x), batch.y)
    loss.backward()
    optimizer.step()
```

## Use instead
```python
for batch in loader:
    optimizer.zero_grad()
    loss = criterion(model(batch.x), batch.y)
    loss.backward()
    optimizer.step()
```

## Options
None.

## References
- Checklist 000 "Performance & scalability", Memory Management: "Gradients cleared
  appropriately (`optimizer.zero_grad()`)"
- [torch.optim: taking an optimization step](https://pytorch.org/docs/stable/optim.html#taking-an-optimization-step)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path

CODE = "MLR704"
SEVERITY = "error"
NAME = "step-without-zero-grad"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SKIP = (*_LOOPS, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_FIX = "call `optimizer.zero_grad()` in the loop, before `backward()` (or after `step()`)"


def _stepped(call: ast.Call) -> str | None:
    """The optimizer a ``.step()`` call steps (its text), or None if it is not one we read."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "step") or call.keywords:
        return None
    receiver = ast.unparse(func.value)
    last = receiver.rpartition(".")[2].lower()
    if "scaler" in last and len(call.args) == 1:
        return ast.unparse(call.args[0])  # scaler.step(optimizer)
    if "opt" in last and "sched" not in last and not call.args:
        return receiver
    return None


def _clears(loop: ast.AST) -> tuple[set[str], bool]:
    """(optimizers whose ``zero_grad`` the loop calls, whether it clears every gradient)."""
    optimizers: set[str] = set()
    everything = False
    for node in ast.walk(loop):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "zero_grad":
            receiver = ast.unparse(node.func.value)
            if "opt" in receiver.rpartition(".")[2].lower():
                optimizers.add(receiver)
            else:
                everything = True  # model.zero_grad(): clears every parameter's grad
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in targets):
                everything = True
        elif isinstance(node, ast.Attribute) and node.attr in ("zero_", "detach_") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "grad":
            everything = True
    return optimizers, everything


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "step" not in ctx.source or is_test_path(ctx.path):
        return
    for loop in ctx.nodes(ast.For, ast.AsyncFor, ast.While):
        assert isinstance(loop, ast.For | ast.AsyncFor | ast.While)
        stack: list[ast.AST] = [*loop.body, *loop.orelse]
        steps: list[tuple[ast.Call, str]] = []
        while stack:  # steps whose innermost loop is this one (not in nested functions)
            node = stack.pop()
            if isinstance(node, _SKIP):
                continue
            if isinstance(node, ast.Call):
                stepped = _stepped(node)
                if stepped is not None:
                    steps.append((node, stepped))
            stack.extend(ast.iter_child_nodes(node))
        if not steps:
            continue
        optimizers, everything = _clears(loop)
        if everything:
            continue
        for call, stepped in sorted(steps, key=lambda s: (s[0].lineno, s[0].col_offset)):
            if stepped not in optimizers:
                yield ctx.diagnostic(CODE, call, f"`{ast.unparse(call)}` in a loop that never "
                                     f"calls `{stepped}.zero_grad()`: gradients add up "
                                     "across steps", _FIX)
