"""MLR301 `unsafe-torch-load`: `torch.load` that may unpickle arbitrary objects.

## What it does
Flags calls to ``torch.load`` (however imported: ``import torch as T``,
``from torch import load``) and to ``torch.hub.load_state_dict_from_url`` that do not
pass ``weights_only=True``: calls without the argument, and calls with
``weights_only=False``. A call that passes ``**kwargs`` or a
non-literal ``weights_only`` is left alone, since the value cannot be known.

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

## References
- [torch.load](https://pytorch.org/docs/stable/generated/torch.load.html)
- [PyTorch: weights_only and safe globals](https://pytorch.org/docs/stable/notes/serialization.html#weights-only)
- [Python pickle: security warning](https://docs.python.org/3/library/pickle.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "MLR301"
NAME = "unsafe-torch-load"
KINDS = ("python",)

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


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    # Any spelling of these calls has "load" and "torch" in its text: two substring
    # scans skip most files before the tree is walked at all.
    if "load" not in ctx.source or "torch" not in ctx.source or \
            not ctx.resolver.imports("torch"):
        return
    for call in ctx.nodes(ast.Call):
        name = ctx.resolver.qualname(call.func)
        if name not in _LOADS:
            continue
        splat, value = _weights_only(call, _LOADS[name])
        callee = ast.unparse(call.func)
        if value is None and not splat:
            yield ctx.diagnostic(CODE, call, f"`{callee}(...)` without `weights_only=True` "
                                             "can run code hidden in the checkpoint", _FIX)
        elif isinstance(value, ast.Constant) and value.value is False:
            yield ctx.diagnostic(CODE, call, f"`{callee}(..., weights_only=False)` unpickles "
                                             "arbitrary objects: loading can run code", _FIX)
