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

## Fix safety
A call spelled out in full, ``torch.cuda.amp.autocast(...)`` or
``torch.cpu.amp.autocast(...)`` with at most one positional argument, is rewritten to
``torch.amp.autocast("cuda", ...)`` (a positional flag becomes ``enabled=flag``); the
defaults are the same (float16 on CUDA, bfloat16 on the CPU), so the fix is safe.
``torch.cuda.amp.GradScaler(...)`` becomes ``torch.amp.GradScaler("cuda", ...)``
(the old positional arguments keep their meaning after the new first one); it is
unsafe, because ``torch.amp.GradScaler`` needs torch 2.3 or newer and the project may
pin an older one. Names imported with ``from torch.cuda.amp import ...``, references
that are not called, and ``custom_fwd``/``custom_bwd`` get no fix.

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
from mlready.hooks.fixes import edit_replacing, line_starts, node_offset
from mlready.hooks.model import Diagnostic, Fix

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
        call = calls.get(id(node))
        found = ctx.diagnostic(CODE, node, f"`{ast.unparse(node)}` is deprecated since torch "
                               f'2.4; use `{replacement}` with device "{device}"',
                               _fix(name, call))
        yield found._replace(autofix=_rewrite(ctx, node, name, call))


def _rewrite(ctx: FileContext, node: ast.Attribute | ast.Name, name: str,
             call: ast.Call | None) -> Fix | None:
    """``torch.cuda.amp.X(...)`` -> ``torch.amp.X("cuda", ...)``, as two edits on the text:
    the dotted name, and the device put first inside the parentheses."""
    replacement, device = _DEPRECATED[name]
    kind = replacement.rsplit(".", 1)[1]
    if call is None or kind not in ("autocast", "GradScaler") or ast.unparse(node) != name:
        return None  # an imported alias, a bare reference, custom_fwd/bwd: by hand
    if (kind == "autocast" and len(call.args) > 1) or \
            any(isinstance(a, ast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        return None  # several positional flags or unpacking: the mapping is not plain
    source = ctx.source
    starts = ctx.memo("fixes:line-starts", lambda: line_starts(source))

    def at(line: int | None, col: int | None) -> int:
        return node_offset(source, line or 1, col or 0, starts)

    start, end = at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)
    opening = source.find("(", end)
    if opening < 0 or source[end:opening].strip():
        return None
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    first = min(arguments, key=lambda a: (getattr(a, "lineno", 0), getattr(a, "col_offset", 0)),
                default=None)
    if first is None:
        inside = edit_replacing(source, opening + 1, opening + 1, f'"{device}"')
    else:
        where = at(getattr(first, "lineno", None), getattr(first, "col_offset", None))
        flag = kind == "autocast" and bool(call.args)
        inside = edit_replacing(source, where, where,
                                f'"{device}", enabled=' if flag else f'"{device}", ')
    edits = (edit_replacing(source, start, end, replacement), inside)
    message = f'use `{replacement}("{device}", ...)`'
    return Fix("safe" if kind == "autocast" else "unsafe", edits, message)
