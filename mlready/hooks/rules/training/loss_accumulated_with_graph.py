"""MLR703 `loss-accumulated-with-graph`: a running loss total that keeps every graph alive.

## What it does
Flags ``total += loss`` inside a loop when ``loss`` is a loss tensor and ``total`` a
running statistic: ``total`` starts from a number literal in the same function
(``total = 0.0``), is never the argument or receiver of ``backward()`` and is not
returned; ``loss`` (a name containing ``loss``, possibly as ``loss.mean()``,
``loss.sum()`` or multiplied by a count) is not a Python number there (no
``.item()``, ``.detach()``, ``float()`` on it, in the sum or where it is assigned).
Sums under ``torch.no_grad()`` (no graph is recorded) are left alone, and so are test
files.

Off by default: on the 15 repositories of the benchmark corpus it reports nothing
(0 findings, none to judge), so its precision on real code is not measured yet.
Select it with ``select = ["MLR703"]``.

## Why is this bad?
A tensor that requires grad carries its autograd graph. Adding it to a running total
makes the total depend on every iteration's graph, so nothing is ever freed: memory
grows with each batch until the epoch ends or the process runs out of memory, and the
final ``total.item()`` hides where it went. It is the classic PyTorch memory leak.

## Example
```python
total_loss = 0.0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total_loss += loss
```

## Use instead
```python
total_loss = 0.0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total_loss += loss.item()  # or loss.detach() to stay on the device
```

## Options
None.

## References
- Checklist 000 "Performance & scalability", Memory Management: "No memory leaks",
  "`.detach()` used when stopping gradients"
- [PyTorch FAQ: don't accumulate history across your training loop](https://pytorch.org/docs/stable/notes/faq.html#my-model-reports-cuda-runtime-error-2-out-of-memory)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.training.grad_mode import no_grad_nodes

CODE = "MLR703"
SEVERITY = "error"
NAME = "loss-accumulated-with-graph"
KINDS = ("python",)
DEFAULT = False  # no corpus findings to judge yet (see the docstring)

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_DETACHING = frozenset({"item", "detach", "tolist", "numpy", "cpu_item"})
_KEEPING = frozenset({"mean", "sum", "float", "squeeze", "view", "reshape"})
_FIX = "add `loss.item()` (a Python float) or `loss.detach()` instead"


def _loss_name(value: ast.expr) -> ast.Name | None:
    """The loss name a summand reads, when the summand keeps it a tensor."""
    while True:
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult | ast.Div):
            left, right = value.left, value.right
            value = left if not isinstance(left, ast.Constant) else right
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                and value.func.attr in _KEEPING and not value.args:
            value = value.func.value
        else:
            break
    if isinstance(value, ast.Name) and "loss" in value.id.lower():
        return value
    return None


def _detaches(expr: ast.expr) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and node.attr in _DETACHING:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("float", "int"):
            return True
        if expr is node and isinstance(node, ast.Constant) \
                and isinstance(node.value, int | float):
            return True
    return False


def _assignments(function: ast.AST, name: str) -> list[ast.expr]:
    found: list[ast.expr] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
                (isinstance(t, ast.Name) and t.id == name)
                or (isinstance(t, ast.Tuple | ast.List) and any(
                    isinstance(e, ast.Name) and e.id == name for e in t.elts))
                for t in node.targets):
            found.append(node.value)  # `logits, loss = model(x, y)`: the call that made it
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == name and node.value is not None:
            found.append(node.value)
    return found


def _uses_as_loss(function: ast.AST, name: str) -> bool:
    """Whether ``name`` is returned, or is (part of) what ``backward`` is called on/with."""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None \
                and _returns_tensor(node.value, name):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "backward":
            parts = [node.func.value, *node.args]
            if any(isinstance(n, ast.Name) and n.id == name
                   for part in parts for n in ast.walk(part)):
                return True
    return False


def _returns_tensor(value: ast.expr, name: str) -> bool:
    """Whether ``name`` reaches the returned value as a tensor (not as ``float(name)``,
    ``name.item()``...)."""
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, ast.expr) and _detaches(node):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _in_loop(node: ast.AST, function: ast.AST) -> bool:
    stack: list[tuple[ast.AST, bool]] = [(function, False)]
    while stack:
        current, looped = stack.pop()
        if current is node:
            return looped
        for child in ast.iter_child_nodes(current):
            if isinstance(child, (*_SCOPES, ast.Lambda, ast.ClassDef)):
                continue
            stack.append((child, looped or isinstance(current, _LOOPS)))
    return False


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if "loss" not in ctx.source or "+=" not in ctx.source or is_test_path(ctx.path) \
            or not ctx.resolver.imports("torch"):
        return
    off = no_grad_nodes(ctx)
    for function in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
        for node in ast.walk(function):
            if not (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)
                    and isinstance(node.target, ast.Name)) or id(node) in off:
                continue
            total = node.target.id
            loss = _loss_name(node.value)
            if loss is None or loss.id == total or _detaches(node.value):
                continue
            starts = _assignments(function, total)
            if not starts or not all(isinstance(v, ast.Constant)
                                     and isinstance(v.value, int | float) for v in starts):
                continue
            made = _assignments(function, loss.id)
            if not made or any(_detaches(v) for v in made) or _uses_as_loss(function, total):
                continue
            if not _in_loop(node, function):
                continue
            yield ctx.diagnostic(CODE, node, f"`{ast.unparse(node)}` adds a loss tensor to a "
                                 f"running total: `{total}` keeps every iteration's graph "
                                 "alive", _FIX)
