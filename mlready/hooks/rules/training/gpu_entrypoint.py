"""Whether a file is a GPU training entrypoint, and its ``DataLoader`` calls: for the
performance rules MLR707 and MLR708.

A GPU training entrypoint is a file that is run (an ``if __name__ == "__main__":``
block, a notebook, or training code at module level), trains in its own code
(`mlready.hooks.training`) and names CUDA (``"cuda"``, ``.cuda()``, ``torch.cuda``).
File-local on purpose: a performance hint is worth giving where the run is set up,
and only there.
"""

from __future__ import annotations

import ast

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.training.evaluation import EVAL_NAME, SCOPES
from mlready.hooks.syntax import is_main_guard
from mlready.hooks.training import loop_trains_in, trains

_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
_LOOPS = (ast.For, ast.AsyncFor)


def is_gpu_training_entrypoint(ctx: FileContext) -> bool:
    def compute() -> bool:
        if ctx.tree is None or is_test_path(ctx.path) or "cuda" not in ctx.source:
            return False
        run = ctx.notebook or any(is_main_guard(s) for s in ctx.tree.body)
        calls = any(isinstance(c, ast.Call) and trains(c) for c in ctx.nodes(ast.Call))
        loops = any(isinstance(loop, _LOOPS) and loop_trains_in(ctx, loop)
                    for loop in ctx.nodes(*_LOOPS))
        top = any(isinstance(s, _LOOPS) and loop_trains_in(ctx, s) for s in ctx.tree.body)
        return (run or top) and (calls or loops)
    return ctx.memo("training:gpu_entrypoint", compute)


def loader_calls(ctx: FileContext) -> list[ast.Call]:
    """The file's ``torch.utils.data.DataLoader(...)`` calls for training: not inside an
    evaluation function (``evaluate``: a loader rebuilt for a few batches), and with
    arguments that can all be read (a ``**kwargs`` may hold any of them)."""
    evaluation = [(f.lineno, f.end_lineno or f.lineno) for f in ctx.nodes(*SCOPES)
                  if isinstance(f, SCOPES) and EVAL_NAME.match(f.name)]
    found: list[ast.Call] = []
    for call in ctx.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        if ctx.resolver.qualname(call.func) in _LOADERS \
                and not any(k.arg is None for k in call.keywords) \
                and not any(isinstance(a, ast.Starred) for a in call.args) \
                and not any(start <= call.lineno <= end for start, end in evaluation):
            found.append(call)
    return found


def argument(call: ast.Call, name: str, position: int) -> ast.expr | None:
    """A ``DataLoader`` argument, by keyword or at its position."""
    given = keyword(call, name)
    if given is None and len(call.args) > position:
        return call.args[position]
    return given
