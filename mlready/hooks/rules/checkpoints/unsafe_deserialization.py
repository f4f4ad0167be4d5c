"""MLR304 `unsafe-deserialization`: unpickling a file that this file did not write.

## What it does
Flags ``pickle.load``/``pickle.loads`` (and the same calls of ``cPickle``, ``dill``,
``cloudpickle``), ``joblib.load``, ``numpy.load(..., allow_pickle=True)`` and
``pandas.read_pickle`` when what they read is not produced in the same file. The path
is followed: a file object back to its ``open(...)`` (``with open(p, "rb") as f``,
``gzip.open``, ``bz2.open``), a name to its assignment in the same function. A load is
left alone when the same file also writes that path (``pickle.dump``, ``joblib.dump``,
``np.save``, ``to_pickle``: the same expression, the same file-name literal, or the same
upper-case constant), and a ``loads`` when its bytes come from a ``dumps``
in the same expression or through a name bound to one (``pickle.loads(pickle.dumps(x))``
copies an object), or when it runs in ``__setstate__`` (the object is itself being
unpickled: the bytes came with it).
Test files are not checked: they load their own fixtures.

## Why is this bad?
Unpickling runs whatever code the file's author put in it: a shared or downloaded
``.pkl``, ``.joblib`` or object array is remote code execution, exactly like
``torch.load(weights_only=False)`` (MLR301), but without even a flag to make it safe.
A file the same code writes a few lines away is the program's own state; a path taken
from the command line or a config is whatever someone hands the program.

## Example
```python
with open(args.buffer, "rb") as f:
    buffer = pickle.load(f)
stats = np.load(args.stats, allow_pickle=True)
```

## Use instead
```python
stats = np.load(args.stats)                  # plain arrays need no pickle
buffer = ReplayBuffer.load_hdf5(args.buffer)  # or JSON, safetensors, npz of arrays
```
When a pickle is unavoidable, load only files you made, and say so with
``# noqa: MLR304``.

## Options
None.

## References
- Checklist 000 "Final Validation", Reproducibility Check: "Checkpoints load correctly"
- Checklist 002 (RL deployment): "Training state JSON/pickle files backed up"
- [Python pickle: security warning](https://docs.python.org/3/library/pickle.html)
- [numpy.load: allow_pickle](https://numpy.org/doc/stable/reference/generated/numpy.load.html)
- [joblib.load: security warning](https://joblib.readthedocs.io/en/stable/generated/joblib.load.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.calls import argument, keyword
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.checkpoints.saves import Functions, file_path, path_marks

CODE = "MLR304"
SEVERITY = "error"
NAME = "unsafe-deserialization"
KINDS = ("python",)

_PICKLERS = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
# Loads of a file (object or path) -> the index of the argument that names it.
_FILE_LOADS = {
    **{f"{lib}.load": 0 for lib in _PICKLERS},
    "joblib.load": 0, "sklearn.externals.joblib.load": 0,
    "pandas.read_pickle": 0, "numpy.load": 0,
}
_BYTES_LOADS = frozenset(f"{lib}.loads" for lib in _PICKLERS)
# Writers -> the index of the argument that names the file written.
_WRITES = {
    **{f"{lib}.dump": 1 for lib in _PICKLERS},
    "joblib.dump": 1, "pandas.to_pickle": 1,
    "numpy.save": 0, "numpy.savez": 0, "numpy.savez_compressed": 0,
}
_FIX = ("load only files this program wrote, or store plain data (JSON, safetensors, "
        "arrays without objects)")


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if ("load" not in ctx.source and "read_pickle" not in ctx.source) \
            or is_test_path(ctx.path) or not any(
                ctx.resolver.imports(lib) for lib in (*_PICKLERS, "joblib", "numpy", "pandas")):
        return
    functions = Functions(ctx)
    loads: list[tuple[ast.Call, str]] = []
    written: set[str] = set()
    for call in ctx.nodes(ast.Call):
        name = ctx.resolver.qualname(call.func) or ""
        if name in _WRITES or (isinstance(call.func, ast.Attribute)
                               and call.func.attr == "to_pickle" and call.args):
            where = _WRITES.get(name, 0)
            target = argument(call, where, "file") if name in _WRITES else call.args[0]
            if target is None and name.startswith("numpy."):
                target = keyword(call, "file")
            if target is not None:
                written |= path_marks(file_path(target, functions.around(call) or ctx.tree))
        elif name in _FILE_LOADS or name in _BYTES_LOADS:
            loads.append((call, name))
    for call, name in loads:
        scope = functions.around(call)
        if name in _BYTES_LOADS:
            data = file_path(call.args[0], scope or ctx.tree) if call.args else None
            if data is None or _from_dumps(data) or (
                    isinstance(scope, ast.FunctionDef) and scope.name == "__setstate__"):
                continue
            yield ctx.diagnostic(CODE, call, f"`{ast.unparse(call.func)}(...)` unpickles bytes "
                                 "made outside this file: loading can run code", _FIX)
            continue
        if name == "numpy.load":
            flag = keyword(call, "allow_pickle")
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                continue
        source = argument(call, 0, "filepath_or_buffer" if name == "pandas.read_pickle"
                          else "file" if name != "joblib.load" else "filename")
        if source is None:
            continue
        path = file_path(source, scope or ctx.tree)
        if path_marks(path) & written:
            continue
        shown = ast.unparse(call.func) + ("(..., allow_pickle=True)" if name == "numpy.load"
                                          else "(...)")
        yield ctx.diagnostic(CODE, call, f"`{shown}` unpickles `{_short(path)}`, which this "
                             "file does not write: loading can run code", _FIX)


def _from_dumps(data: ast.expr) -> bool:
    """Bytes made by a ``dumps`` call in the expression itself (a copy of an object)."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
               and (node.func.attr if isinstance(node.func, ast.Attribute)
                    else node.func.id) == "dumps" for node in ast.walk(data))


def _short(path: ast.expr) -> str:
    text = ast.unparse(path)
    return text if len(text) <= 60 else text[:57] + "..."
