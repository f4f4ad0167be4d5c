"""What a name in a file stands for at one place, for the hyper-parameter pass (`finder`).

The pass asks three questions of a name that lands in a hyper-parameter slot: which
scopes see it here (the module and the functions around it), whether it is bound
once to a literal there (`literals.Resolver` does the binding count), and, for a loop
bound, whether a configured value is overwritten by a literal before the loop. The
answers depend only on the file, not on which API is called, so they live apart from
the walk that knows the APIs. Scopes are found lazily: most files the pass reads have
no name to follow.
"""

from __future__ import annotations

import ast

from mlready.hooks.context import FileContext
from mlready.hooks.rules.hparams.literals import Resolved, Resolver, Scope, Value, literal_value


class Lookup:
    """One file's scopes and single literal bindings, found on first use."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.resolver = Resolver(dynamic_globals=rewrites_globals(ctx))
        self._functions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] | None = None

    def scopes_at(self, node: ast.AST) -> tuple[Scope, ...]:
        """The module and the functions whose span contains ``node``, outermost first."""
        if self._functions is None:
            self._functions = self.ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        assert self.ctx.tree is not None
        here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        inside = [
            f for f in self._functions
            if (f.lineno, f.col_offset) < here <= (f.end_lineno or 0, f.end_col_offset or 0)
        ]
        return (self.ctx.tree, *inside)

    def comprehension_binds(self, name: ast.Name) -> bool:
        """Whether a comprehension around ``name`` binds it (``[f(lr=lr) for lr in grid]``)."""
        here = (name.lineno, name.col_offset)
        comps: list[ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp] = [
            *self.ctx.nodes(ast.ListComp), *self.ctx.nodes(ast.SetComp),
            *self.ctx.nodes(ast.DictComp), *self.ctx.nodes(ast.GeneratorExp)]
        for comp in comps:
            if (comp.lineno, comp.col_offset) <= here <= (comp.end_lineno or 0,
                                                          comp.end_col_offset or 0):
                targets = (sub for gen in comp.generators for sub in ast.walk(gen.target))
                if any(isinstance(t, ast.Name) and t.id == name.id for t in targets):
                    return True
        return False

    def follow(self, node: ast.AST) -> tuple[Value | None, Resolved | None]:
        """A literal's value, or the value a name is bound to once; else (None, None)."""
        value = literal_value(node)
        if value is not None or not isinstance(node, ast.Name):
            return value, None
        if self.comprehension_binds(node):
            return None, None
        resolved = self.resolver.resolve(node, self.scopes_at(node))
        if resolved is None:
            return None, None
        return literal_value(resolved.value_node), resolved

    def overridden(self, name: ast.Name, loop: ast.For | ast.AsyncFor) -> Resolved | None:
        """``n = args.n`` then ``if warm: n = 100`` before ``range(n)``: the configured
        value is overwritten by a literal, which then bounds the loop. Only plain
        assignments in the loop's own scope; a literal *first* is a default that the
        config overrides, and is fine."""
        scope = self.scopes_at(loop)[-1]
        info = self.resolver.bindings(scope)
        if name.id in info.opaque or info.count.get(name.id, 0) < 2:
            return None
        assigns: list[ast.Assign] = []
        stack: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else [*scope.body]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                          | ast.ClassDef):
                continue
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name.id):
                assigns.append(node)
            stack.extend(ast.iter_child_nodes(node))
        if len(assigns) != info.count[name.id]:
            return None  # also bound by a loop, a with, an augmented assignment...
        before = sorted((a for a in assigns if a.lineno < loop.lineno), key=lambda a: a.lineno)
        if len(before) < 2 or literal_value(before[-1].value) is None:
            return None
        if all(literal_value(a.value) is not None for a in before[:-1]):
            return None
        last = before[-1]
        return Resolved(name.id, last.value, last.lineno)


def rewrites_globals(ctx: FileContext) -> bool:
    """Module-level names are not fixed literals: ``exec(...)`` or ``globals()`` anywhere
    (a configurator rewrites them), or ``locals()``/``vars()`` at module level (the block
    is collected into a dict, logged and saved with the run: it is the config)."""
    if not any(word in ctx.source for word in ("exec(", "globals()", "locals()", "vars()")):
        return False
    functions = [f for f in ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
                 if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
    for call in ctx.nodes(ast.Call):
        name = call.func.id if isinstance(call.func, ast.Name) else ""
        if name in ("exec", "globals"):
            return True
        if name in ("locals", "vars") and not call.args and not any(
                f.lineno <= call.lineno <= (f.end_lineno or 0) for f in functions):
            return True
    return False
