"""MLR702 `deprecated-amp-api`: mixed precision through `torch.cuda.amp` / `torch.cpu.amp`.

## What it does
Flags every use (a call, a decorator, a reference) of ``torch.cuda.amp.autocast``,
``torch.cuda.amp.GradScaler``, ``torch.cuda.amp.custom_fwd``/``custom_bwd`` and
``torch.cpu.amp.autocast``/``GradScaler``, however imported (``from torch.cuda.amp
import autocast`` counts at each use, not at the import).

## Why is this bad?
These device-specific entry points have been deprecated since PyTorch 2.4: each call
emits a ``FutureWarning`` into the training log, and they are slated for removal, so a
training script that uses them breaks on a future ``torch``. The device-generic
``torch.amp`` API is the same machinery with the device named explicitly. Note the
argument order changed: ``torch.cuda.amp.autocast(flag)`` takes ``enabled`` first,
``torch.amp.autocast`` takes ``device_type`` first, so a positional flag must become
``enabled=flag``.

## Example
```python
scaler = torch.cuda.amp.GradScaler()
with torch.cuda.amp.autocast(use_fp16):
    loss = model(batch)
```

## Use instead
```python
scaler = torch.amp.GradScaler("cuda")
with torch.amp.autocast("cuda", enabled=use_fp16):
    loss = model(batch)
```

## Options
None.

## References
- Checklist 000 "Model & training quality", Optimization: "Mixed precision training
  (torch.cuda.amp) for speedup"
- [torch.amp: automatic mixed precision](https://pytorch.org/docs/stable/amp.html)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "MLR702"
SEVERITY = "warning"
NAME = "deprecated-amp-api"
KINDS = ("python",)

# Deprecated name -> (its torch.amp replacement, the device it implied).
_DEPRECATED: dict[str, tuple[str, str]] = {
    "torch.cuda.amp.autocast": ("torch.amp.autocast", "cuda"),
    "torch.cuda.amp.GradScaler": ("torch.amp.GradScaler", "cuda"),
    "torch.cuda.amp.custom_fwd": ("torch.amp.custom_fwd", "cuda"),
    "torch.cuda.amp.custom_bwd": ("torch.amp.custom_bwd", "cuda"),
    "torch.cpu.amp.autocast": ("torch.amp.autocast", "cpu"),
    "torch.cpu.amp.GradScaler": ("torch.amp.GradScaler", "cpu"),
}


def _fix(name: str, call: ast.Call | None) -> str:
    replacement, device = _DEPRECATED[name]
    if replacement.endswith(("custom_fwd", "custom_bwd")):
        return f'use `{replacement}(device_type="{device}")`'
    if replacement.endswith("autocast") and call is not None and call.args:
        return (f'use `{replacement}("{device}", enabled=...)`: the first positional '
                "argument is now the device, so pass the flag by keyword")
    return f'use `{replacement}("{device}", ...)`'


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if ".amp" not in ctx.source or not (ctx.resolver.imports("torch.cuda")
                                        or ctx.resolver.imports("torch.cpu")
                                        or ctx.resolver.imports("torch")):
        return
    calls = {id(call.func): call for call in ctx.nodes(ast.Call)}
    for node in ctx.nodes(ast.Attribute, ast.Name):
        if not isinstance(node, ast.Attribute | ast.Name) or not isinstance(node.ctx, ast.Load):
            continue
        name = ctx.resolver.qualname(node)
        if name not in _DEPRECATED:
            continue
        replacement, device = _DEPRECATED[name]
        yield ctx.diagnostic(CODE, node, f"`{ast.unparse(node)}` is deprecated since torch "
                             f'2.4; use `{replacement}` with device "{device}"',
                             _fix(name, calls.get(id(node))))
