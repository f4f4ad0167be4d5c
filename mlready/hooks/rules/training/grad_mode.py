"""Where gradients are off: ``torch.no_grad()`` and friends, for the training-loop rules.

`no_grad_nodes(ctx)` is the set of node ids that run with autograd disabled as far as
the file shows: inside ``with torch.no_grad()`` / ``torch.inference_mode()`` /
``torch.set_grad_enabled(False)`` (however imported), inside a function decorated with
one of them, after a ``torch.set_grad_enabled(False)`` statement in the same function,
or in a function of the file that is only ever called from such places (``with
torch.no_grad(): evaluate(model)``). Computed once per file and shared.
"""

from __future__ import annotations

import ast

from mlready.hooks.context import FileContext

_OFF = frozenset({"no_grad", "inference_mode"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)


def _turns_off(ctx: FileContext, expr: ast.expr) -> bool:
    """``torch.no_grad()``, ``torch.inference_mode()``, ``torch.set_grad_enabled(False)``
    (or the bare names, or the decorators without parentheses)."""
    call = expr if isinstance(expr, ast.Call) else None
    func = call.func if call is not None else expr
    name = (ctx.resolver.qualname(func) or "").rpartition(".")[2]
    if name in _OFF:
        return not (call is not None and call.args and isinstance(call.args[0], ast.Constant)
                    and call.args[0].value is False)  # inference_mode(False) turns it on
    if name == "set_grad_enabled" and call is not None and call.args:
        arg = call.args[0]
        return isinstance(arg, ast.Constant) and arg.value is False
    return False


def _mark(node: ast.AST, into: set[int]) -> None:
    for sub in ast.walk(node):
        into.add(id(sub))


def no_grad_nodes(ctx: FileContext) -> set[int]:
    def compute() -> set[int]:
        off: set[int] = set()
        functions: dict[str, list[ast.AST]] = {}
        for function in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            assert isinstance(function, _SCOPES)
            functions.setdefault(function.name, []).append(function)
            if any(_turns_off(ctx, d) for d in function.decorator_list):
                _mark(function, off)
                continue
            for i, statement in enumerate(function.body):
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                        and _turns_off(ctx, statement.value):
                    for later in function.body[i + 1:]:
                        _mark(later, off)
                    break
        for with_node in ctx.nodes(ast.With, ast.AsyncWith):
            assert isinstance(with_node, ast.With | ast.AsyncWith)
            if any(_turns_off(ctx, item.context_expr) for item in with_node.items):
                for statement in with_node.body:
                    _mark(statement, off)
        # functions called only with gradients off are off too (one round is enough for
        # the usual `with torch.no_grad(): evaluate(...)`)
        calls: dict[str, list[ast.Call]] = {}
        for call in ctx.nodes(ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name in functions:
                calls.setdefault(name, []).append(call)
        for name, sites in calls.items():
            if all(id(site) in off for site in sites):
                for defined in functions[name]:
                    _mark(defined, off)
        return off
    return ctx.memo("training:no_grad_nodes", compute)
