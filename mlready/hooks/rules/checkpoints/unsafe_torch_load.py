"""MLR301 `unsafe-torch-load`: `torch.load` that may unpickle arbitrary objects.

## What it does
Flags calls to ``torch.load`` (however imported: ``import torch as T``,
``from torch import load``) and to ``torch.hub.load_state_dict_from_url`` that do not
pass ``weights_only=True``: calls with ``weights_only=False``, and calls without the
argument unless the project installs torch 2.6 or later only (below). A call that
passes ``**kwargs`` or a non-literal ``weights_only`` is left alone, since the value
cannot be known.

In a test file, a load of a file the test wrote itself is left alone too: a path that a
save call of the same test (or of a helper defined in it) names, or a path inside the
test's own ``tmp_path``/``tmpdir``. Nothing foreign can be in it.

Where every torch the project installs is 2.6 or later, a ``torch.load`` (or
``torch.serialization.load``) that omits the argument, and passes no ``pickle_module``,
is left alone: there it loads with ``weights_only=True`` by default. The project says so
when a manifest at its root always installs torch at 2.6 or later (``[project]
dependencies`` or Poetry's main dependencies, ``setup.py``'s ``install_requires``,
``requirements.txt``), every other torch requirement of the manifests mlready reads
(extras, dependency groups, ``[tool.uv]`` overrides, pixi tables, requirements files,
conda environments, ``setup.cfg``) starts there too, every requirements file they
include is one of those, no nested ``pyproject.toml``/``setup.py``/``setup.cfg`` makes a
part of the repository a project of its own, and no file sets
``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` or assigns ``torch.load``. A torch pinned
elsewhere (a ``Pipfile``, a CI file, ``test-requirements.txt``) is not seen. Otherwise,
and for ``weights_only=False``, ``torch.hub.load_state_dict_from_url`` and
``torch.utils.model_zoo.load_url`` (whose default stays ``False``), the call is
reported whatever the version.

## Why is this bad?
A checkpoint is a pickle: with ``weights_only=False`` loading one runs whatever code
its author put in it, so a downloaded or shared checkpoint becomes remote code
execution. PyTorch made ``weights_only=True`` the default only in 2.6; code that
omits the argument is unsafe on every older ``torch`` it may be installed with, and
its behaviour silently depends on the installed version.
``torch.hub.load_state_dict_from_url`` still defaults to ``weights_only=False`` and
unpickles whatever the URL serves.

## Example
```python
state = torch.load("checkpoint.pt")
state = torch.load(path, map_location="cpu", weights_only=False)
```

## Use instead
```python
state = torch.load("checkpoint.pt", weights_only=True)
```
Save plain tensors, numbers and dicts in checkpoints (``model.state_dict()``); allow
your own classes with ``torch.serialization.add_safe_globals`` if you must.

## Fix safety
The fix adds ``weights_only=True`` after the last argument (or turns
``weights_only=False`` into ``True``). It is safe when the call passes no
``pickle_module`` and the loaded object, whole, goes straight into
``load_state_dict`` (directly, or through a name read only there): a state dict is
tensors, and loads the same. Otherwise it is unsafe: a checkpoint that holds other
objects (an ``argparse.Namespace``, a numpy array, your own classes) no longer loads,
and an explicit ``weights_only=False`` was most likely written because ``True``
failed. A call without arguments gets no fix. The argument needs ``torch>=1.13``.

## References
- [torch.load](https://pytorch.org/docs/stable/generated/torch.load.html)
- [PyTorch: weights_only and safe globals](https://pytorch.org/docs/stable/notes/serialization.html#weights-only)
- [Python pickle: security warning](https://docs.python.org/3/library/pickle.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, cast

from mlready.hooks.context import FileContext, ProjectContext, index_nodes
from mlready.hooks.fixes import edit_replacing, line_starts, node_offset
from mlready.hooks.model import Diagnostic, Fix
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.checkpoints import torch_floor
from mlready.hooks.rules.checkpoints.saves import Functions, binding, file_path, path_marks
from mlready.records import NamedTuple

CODE = "MLR301"
SEVERITY = "error"
NAME = "unsafe-torch-load"
# Python files hold the loads; the manifests say which torch the project installs.
KINDS = ("python", "pyproject", "requirements", "setup_cfg", "config")

# Callee -> the index of ``weights_only`` when passed positionally (None: keyword-only).
_LOADS: dict[str, int | None] = {
    "torch.load": None,
    "torch.serialization.load": None,
    # Downloads, then unpickles; its default stays weights_only=False even in torch 2.6+.
    "torch.hub.load_state_dict_from_url": 6,
    "torch.utils.model_zoo.load_url": 6,
}
_FIX = "pass `weights_only=True` (checkpoints of tensors and dicts load unchanged)"


def _weights_only(call: ast.Call, position: int | None) -> tuple[bool, ast.expr | None]:
    """(whether ``*args``/``**kwargs`` may set it, the ``weights_only`` value if given)."""
    if position is not None and len(call.args) > position:
        return False, call.args[position]
    splat = position is not None and any(isinstance(a, ast.Starred) for a in call.args)
    for keyword in call.keywords:
        if keyword.arg is None:
            splat = True
        elif keyword.arg == "weights_only":
            return splat, keyword.value
    return splat, None


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """A Python file's unsafe loads (``"loads"``: each finding as JSON, and whether the
    torch release decides it), and what the file says about the torch the project
    installs (`torch_floor`); None for a file with neither."""
    facts: dict[str, Any] = torch_floor.collect(ctx)
    if ctx.kind == "python":
        loads = [{"finding": found.to_json(), "by_version": by_version}
                 for found, by_version in findings(ctx)]
        if loads:
            facts["loads"] = loads
    return facts or None


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    facts = {path: found for path, found in project.facts.items() if found}
    safe_default = None  # decided on the first load it would keep silent
    for path in sorted(project.targets):
        for load in facts.get(path, {}).get("loads", ()):
            if load["by_version"]:
                if safe_default is None:
                    safe_default = torch_floor.installs_safe_default(project, facts)
                if safe_default:
                    continue
            yield Diagnostic.from_json(load["finding"])


def findings(ctx: FileContext) -> Iterator[tuple[Diagnostic, bool]]:
    """Each unsafe load of a Python file, with whether it is one whose default the torch
    release decides (an omitted argument to `torch_floor.SAFE_BY_DEFAULT`)."""
    # Any spelling of these calls has "load" and "torch" in its text: two substring
    # scans skip most files before the tree is walked at all.
    if "load" not in ctx.source or "torch" not in ctx.source or ctx.tree is None or \
            not ctx.resolver.imports("torch"):
        return
    own = _saved_here(ctx) if is_test_path(ctx.path) else None
    for call in ctx.nodes(ast.Call):
        name = ctx.resolver.qualname(call.func)
        if name not in _LOADS:
            continue
        if own is not None and _loads_own_file(call, own):
            continue  # a test reading back the file it has just saved: nothing foreign
        splat, value = _weights_only(call, _LOADS[name])
        callee = ast.unparse(call.func)
        if value is None and not splat:
            found = ctx.diagnostic(CODE, call, f"`{callee}(...)` without `weights_only=True` "
                                               "can run code hidden in the checkpoint", _FIX)
            yield found._replace(autofix=_fix(ctx, call, None)), \
                name in torch_floor.SAFE_BY_DEFAULT and not _has_pickle_module(call)
        elif isinstance(value, ast.Constant) and value.value is False:
            found = ctx.diagnostic(CODE, call, f"`{callee}(..., weights_only=False)` unpickles "
                                               "arbitrary objects: loading can run code", _FIX)
            yield found._replace(autofix=_fix(ctx, call, value)), False


def _saved_here(ctx: FileContext) -> tuple[Functions, dict[ast.AST | None, set[str]]]:
    """Per function of a test file, the marks of the paths its save calls name:
    ``torch.save(obj, p)``, ``fabric.save(p, state)``, ``runner.save(p)``,
    ``model.save_checkpoint(p)``: any callee whose name says it saves or dumps."""
    functions = Functions(ctx)
    saved: dict[ast.AST | None, set[str]] = {}
    for call in ctx.nodes(ast.Call):
        func = call.func
        callee = func.attr if isinstance(func, ast.Attribute) else (
            func.id if isinstance(func, ast.Name) else "")
        if "save" not in callee and "dump" not in callee:
            continue
        inner, test = functions.around(call), functions.outermost(call)
        marks = saved.setdefault(test, set())
        for arg in (*call.args, *(k.value for k in call.keywords if k.arg)):
            if not isinstance(arg, ast.Constant) or isinstance(arg.value, str):
                marks |= path_marks(file_path(arg, inner or ctx.tree))
    return functions, saved


# pytest's per-test temporary folders: what lies there this test (or its fixtures) wrote.
_TMP = frozenset({"tmp_path", "tmpdir"})


def _under_tmp(expr: ast.expr, scope: ast.AST | None, hops: int = 4) -> bool:
    """Whether ``expr`` names a path inside the test's own temporary folder, directly
    (``tmp_path / "m.pt"``) or through names bound to one (``out = tmp_path / "out"``)."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            if node.id in _TMP:
                return True
            bound = binding(node.id, scope) if scope is not None and hops else None
            if bound is not None and _under_tmp(bound, scope, hops - 1):
                return True
    return False


def _loads_own_file(call: ast.Call,
                    own: tuple[Functions, dict[ast.AST | None, set[str]]]) -> bool:
    """``torch.load(p)`` of a file the same test wrote (``torch.save(..., p)`` in it or in
    a helper it defines), or of one inside its own temporary folder."""
    functions, saved = own
    if not call.args:
        return False
    scope, test = functions.around(call), functions.outermost(call)
    if _under_tmp(call.args[0], scope):
        return True
    return bool(saved.get(test)) and bool(
        path_marks(file_path(call.args[0], scope)) & saved[test])


def _fix(ctx: FileContext, call: ast.Call, false: ast.expr | None) -> Fix | None:
    """Add ``weights_only=True`` (or set the ``False`` one to ``True``) on the text."""
    source = ctx.source
    starts = ctx.memo("fixes:line-starts", lambda: line_starts(source))

    def at(line: int | None, col: int | None) -> int:
        return node_offset(source, line or 1, col or 0, starts)

    if false is not None:
        edit = edit_replacing(source, at(false.lineno, false.col_offset),
                              at(false.end_lineno, false.end_col_offset), "True")
        return Fix("unsafe", (edit,), "set `weights_only=True`")
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    if not arguments:
        return None
    last = max(arguments, key=lambda a: (getattr(a, "end_lineno", 0) or 0,
                                         getattr(a, "end_col_offset", 0) or 0))
    end = at(getattr(last, "end_lineno", None), getattr(last, "end_col_offset", None))
    edit = edit_replacing(source, end, end, ", weights_only=True")
    safe = not _has_pickle_module(call) and _feeds_state_dict(ctx, call)
    return Fix("safe" if safe else "unsafe", (edit,), "pass `weights_only=True`")


def _has_pickle_module(call: ast.Call) -> bool:
    # torch.load(f, map_location, pickle_module, ...): the third positional argument.
    return len(call.args) > 2 or any(k.arg == "pickle_module" for k in call.keywords)


class _Uses(NamedTuple):
    """What `_feeds_state_dict` asks of a file, from the shared node index: no walk."""

    assigned: dict[int, ast.Assign]  # id of an assigned value -> its assignment
    fed: frozenset[int]  # ids of the nodes passed first to a ``.load_state_dict(...)``


def _uses(ctx: FileContext) -> _Uses:
    def compute() -> _Uses:
        return _Uses({id(a.value): a for a in ctx.nodes(ast.Assign)},
                     frozenset(id(c.args[0]) for c in ctx.nodes(ast.Call)
                               if c.args and isinstance(c.func, ast.Attribute)
                               and c.func.attr == "load_state_dict"))
    return ctx.memo("unsafe-torch-load:uses", compute)


def _feeds_state_dict(ctx: FileContext, call: ast.Call) -> bool:
    """Whether every use of the loaded object is as (one key of) a state dict: the call
    itself is ``load_state_dict``'s argument, or it is assigned to a name whose every
    read in the same function is. ``x.load_state_dict(node)``: the whole object is a
    state dict. Not one key of it (``ckpt["model"]``): the other keys may hold anything,
    and ``weights_only=True`` refuses the whole file when one of them is not a tensor,
    number or container. Anything else (a return, an attribute): cannot tell, so not
    safe."""
    if ctx.tree is None:
        return False
    uses = _uses(ctx)
    if id(call) in uses.fed:
        return True
    assign = uses.assigned.get(id(call))
    if not (assign is not None and len(assign.targets) == 1
            and isinstance(assign.targets[0], ast.Name)):
        return False
    names = _names_in(ctx, _scope_of(ctx, call)).get(assign.targets[0].id, [])
    stores = [n for n in names if not isinstance(n.ctx, ast.Load)]
    reads = [n for n in names if isinstance(n.ctx, ast.Load)]
    return len(stores) == 1 and bool(reads) and all(id(n) in uses.fed for n in reads)


def _names_in(ctx: FileContext, scope: ast.AST) -> dict[str, list[ast.Name]]:
    """The `ast.Name` nodes under ``scope`` by identifier, once per scope and file (the
    shared index when the scope is the module)."""
    known: dict[ast.AST, dict[str, list[ast.Name]]] = ctx.memo("unsafe-torch-load:names",
                                                              dict)
    found = known.get(scope)
    if found is None:
        found = known[scope] = {}
        nodes = ctx.nodes(ast.Name) if scope is ctx.tree else \
            cast("list[ast.Name]", index_nodes(scope).get(ast.Name, []))
        for name in nodes:
            found.setdefault(name.id, []).append(name)
    return found


def _scope_of(ctx: FileContext, call: ast.Call) -> ast.AST:
    """The innermost function holding ``call``, or the module: of the functions whose
    lines hold it, the one that starts last (two nested functions never start on the
    same line, so the order they are met in does not matter)."""
    assert ctx.tree is not None
    scope: ast.AST = ctx.tree
    for node in (*ctx.nodes(ast.FunctionDef), *ctx.nodes(ast.AsyncFunctionDef)):
        if node.lineno <= call.lineno <= (node.end_lineno or node.lineno) and \
                (scope is ctx.tree or node.lineno >= getattr(scope, "lineno", 0)):
            scope = node
    return scope
