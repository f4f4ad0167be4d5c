"""Where a file writes checkpoints, and what goes into each: for MLR302 and MLR303.

A *save site* is a call that writes a checkpoint: ``torch.save(obj, f)``,
``accelerator.save(obj, f)`` and ``fabric.save(path, state)`` directly, or a call of a
project helper defined in the same file that hands one of its parameters to such a save
(``def save_checkpoint(state, path): torch.save(state, path)``). Its *payload* is the
saved expression followed back in the enclosing function: a name bound to a dict
literal collects that literal and every later ``name[key] = value`` and
``name.update(...)``; anything else stays as written. Both rules read these facts
file-locally and cheaply (a few walks of the functions that save).
"""

from __future__ import annotations

import ast

from mlready.hooks.context import FileContext

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)


class SaveSite:
    """One call that saves a checkpoint (a plain class: see CONTRIBUTING, "Records")."""

    def __init__(self, call: ast.Call, payload: ast.expr, parts: list[ast.expr],
                 scope: ast.AST | None, saver: str, forwarded: bool = False,
                 via: str = "") -> None:
        self.call = call  # where to report
        self.payload = payload  # the saved expression, as written at the site
        self.parts = parts  # what it resolves to (see module)
        self.scope = scope  # the enclosing function, or None at module level
        self.saver = saver  # torch, accelerator (both pickle what they get) or fabric
        # a save inside a helper of what its caller passes: the callers are sites of
        # their own (MLR302 reads those); what is saved here is known only from the
        # parameter itself
        self.forwarded = forwarded
        self.via = via  # the helper called, for a site that is a call of a helper


def _direct_payload(ctx: FileContext, call: ast.Call) -> tuple[ast.expr | None, str]:
    """The saved object of a direct save call and the saver, or None when ``call`` is
    not one."""
    func = call.func
    name = ctx.resolver.qualname(func)
    if name in ("torch.save", "torch.serialization.save"):
        return (call.args[0] if call.args else _keyword(call, "obj")), "torch"
    if isinstance(func, ast.Attribute) and func.attr == "save":
        receiver = ast.unparse(func.value).lower()
        if receiver.endswith("accelerator"):
            return (call.args[0] if call.args else _keyword(call, "obj")), "accelerator"
        if receiver.endswith("fabric"):
            return (call.args[1] if len(call.args) > 1 else _keyword(call, "state")), "fabric"
    return None, ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class Functions:
    """The innermost function around a node, from the functions' line spans (no walk
    of the tree: the shared node index already lists the functions)."""

    def __init__(self, ctx: FileContext) -> None:
        self._spans = sorted(
            ((f.lineno, f.end_lineno or f.lineno, f) for f in ctx.nodes(*_SCOPES)
             if isinstance(f, _SCOPES)), key=lambda span: (span[0], -span[1]))

    def outermost(self, node: ast.AST) -> ast.AST | None:
        """The outermost function around ``node`` (a test, for code in its helpers)."""
        line = getattr(node, "lineno", 0)
        return next((f for start, end, f in self._spans
                     if start <= line <= end and node is not f), None)

    def around(self, node: ast.AST) -> ast.AST | None:
        line = getattr(node, "lineno", 0)
        found: ast.AST | None = None
        for start, end, function in self._spans:  # sorted by start: the last match is inner
            if start > line:
                break
            if line <= end and node is not function:
                found = function
        return found


def resolve(expr: ast.expr, scope: ast.AST | None) -> list[ast.expr]:
    """What a saved expression holds. A name bound to a dict literal in ``scope`` gives
    one dict: the literal merged with every ``name[key] = value`` and ``name.update(...)``
    of the function (so that what is added later counts as part of it); a name bound
    otherwise gives every value it is assigned; anything else is itself."""
    if not isinstance(expr, ast.Name) or scope is None:
        return [expr]
    values: list[ast.expr] = []
    keys: list[ast.expr | None] = []
    entries: list[ast.expr] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == expr.id:
                    values.append(node.value)
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == expr.id:
                    keys.append(target.slice)
                    entries.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == expr.id and node.value is not None:
            values.append(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "update" and isinstance(node.func.value, ast.Name) \
                and node.func.value.id == expr.id:
            for arg in node.args:
                keys.append(None)
                entries.append(arg)
            for given in node.keywords:
                keys.append(ast.Constant(given.arg) if given.arg else None)
                entries.append(given.value)
    if len(values) == 1 and isinstance(values[0], ast.Dict):
        literal = values[0]
        return [ast.Dict(keys=[*literal.keys, *keys], values=[*literal.values, *entries])]
    return [*values, *entries] or [expr]


def _param_index(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> int | None:
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    return params.index(name) if name in params else None


def save_sites(ctx: FileContext) -> list[SaveSite]:
    """Every save site of the file (see the module docstring), in source order."""
    def compute() -> list[SaveSite]:
        direct = [(call, *_direct_payload(ctx, call)) for call in ctx.nodes(ast.Call)
                  if isinstance(call.func, ast.Attribute | ast.Name)]
        direct = [(call, payload, saver) for call, payload, saver in direct if payload is not None]
        if not direct:
            return []
        functions = Functions(ctx)
        sites: list[SaveSite] = []
        # helper name -> (param index, param, method, saver)
        helpers: dict[str, tuple[int, str, bool, str]] = {}
        for call, payload, saver in direct:
            assert payload is not None
            scope = functions.around(call)
            if isinstance(scope, _SCOPES) and isinstance(payload, ast.Name):
                index = _param_index(scope, payload.id)
                if index is not None and not any(
                        isinstance(n, ast.Assign | ast.AnnAssign) for n in ast.walk(scope)
                        if _assigns(n, payload.id)):
                    method = index > 0 and scope.args.args[:1] != [] and \
                        scope.args.args[0].arg in ("self", "cls")
                    helpers[scope.name] = (index, payload.id, method, saver)
                    sites.append(SaveSite(call, payload, [payload], scope, saver, True))
                    continue
            sites.append(SaveSite(call, payload, resolve(payload, scope), scope, saver))
        if helpers:
            for call in ctx.nodes(ast.Call):
                func = call.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else "")
                if name not in helpers:
                    continue
                index, param, method, saver = helpers[name]
                if method and isinstance(func, ast.Attribute):
                    index -= 1
                given = _keyword(call, param)
                if given is None and 0 <= index < len(call.args) and not any(
                        isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                    given = call.args[index]
                if given is None:
                    continue
                scope = functions.around(call)
                sites.append(SaveSite(call, given, resolve(given, scope), scope, saver,
                                      via=name))
        sites.sort(key=lambda s: (s.call.lineno, s.call.col_offset))
        return sites
    return ctx.memo("checkpoints:save_sites", compute)


def _assigns(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    return isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
        and node.target.id == name


# --- which file an expression names (shared by MLR301 and MLR304) ---

def _is_open(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and bool(node.args) and (
        (isinstance(node.func, ast.Name) and node.func.id == "open")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "open"))


def binding(name: str, scope: ast.AST) -> ast.expr | None:
    """What ``name`` is bound to in ``scope``: a ``with ... as name`` or ``name = ...``
    (the first such binding; a name bound several ways is taken as the first says)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                and node.optional_vars.id == name:
            return node.context_expr
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            return node.value
    return None


def file_path(expr: ast.expr, scope: ast.AST | None) -> ast.expr:
    """The expression naming the file behind ``expr``: through ``open(...)`` and names."""
    for _ in range(4):  # f -> open(p) -> p -> os.path.join(...): a few hops at most
        if _is_open(expr):
            assert isinstance(expr, ast.Call)
            expr = expr.args[0]
        elif isinstance(expr, ast.Name) and scope is not None:
            bound = binding(expr.id, scope)
            if bound is None:
                break
            expr = bound
        else:
            break
    return expr


def path_marks(path: ast.expr) -> set[str]:
    """What identifies a path: its text, its file-name literals, its upper-case names (two
    expressions that share a mark name the same file, as far as a reader can tell)."""
    marks = {ast.unparse(path)}
    for node in ast.walk(path):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
            marks.add(repr(node.value))
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.isupper() and len(name) > 2:
                marks.add(name)
    return marks
