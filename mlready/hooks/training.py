"""Whether code trains: one definition for the rules that ask (hparams, config).

`is_step_call` (an optimizer step, a learner's ``update(batch)`` or a
``train_one_epoch``-style call), `loop_trains` (a loop whose body takes such steps) and
`trains` (a call that trains by itself: a step, ``trainer.fit``/``trainer.train``,
``model.learn(total_timesteps=...)``); `terminal_name` is the receiver's name they match
by, shared with the checkpoint and training-loop rules.
Matched by spelling, not by resolved name: a project's own ``train_one_epoch`` counts,
and the rules using it want a cheap, file-local answer. (The seeding rules classify
resolved library calls instead, in `mlready.hooks.rules.seeds.units`.)
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import TYPE_CHECKING

from mlready.hooks import patterns
from mlready.hooks.calls import keyword

if TYPE_CHECKING:
    from mlready.hooks.context import FileContext

_TRAIN_FUNCTION = patterns.compile(
    r"^_?(?:train|fit)(?:_one)?_(?:epoch|step|iter|iteration|batch|episode|update)s?$")
_COUNTER_NAME = patterns.compile(r"epoch|step|iter|itr|episode|update|^it$|^ep$", re.IGNORECASE)
# Objects whose `update(batch)` is a learning update (an RL agent, a GAIL discriminator);
# `config.update(...)`, `pbar.update(1)` and an EMA's `update()` are not.
_LEARNER_NAME = patterns.compile(r"agent|algo|learner|policy|discr|critic|actor|trainer",
                                 re.IGNORECASE)


def terminal_name(node: ast.AST) -> str:
    """``self.optimizer`` -> ``optimizer``; ``opt`` -> ``opt``; ``self.opts[0]`` ->
    ``opts``; anything else -> ``""``. The name rules match receivers by."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return terminal_name(node.value)
    return ""


def _mentions_loss(node: ast.AST) -> bool:
    return any(
        "loss" in terminal_name(sub).lower()
        for sub in ast.walk(node)
        if isinstance(sub, ast.Name | ast.Attribute)
    )


def is_step_call(call: ast.Call) -> bool:
    """``optimizer.step()``, ``scaler.step(opt)``, ``agent.update(batch)``,
    ``train_one_epoch(...)``: an update."""
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = terminal_name(func.value).lower()
        if func.attr == "step" and ("opt" in receiver or "scaler" in receiver):
            return True
        if func.attr == "update" and (call.args or call.keywords) \
                and bool(_LEARNER_NAME.search(receiver)):
            return True  # `agent.update(rollouts)`, `discr.update(expert_loader, ...)`
        return bool(_TRAIN_FUNCTION.match(func.attr))
    if isinstance(func, ast.Name):
        return bool(_TRAIN_FUNCTION.match(func.id))
    return False


def is_loss_backward(call: ast.Call) -> bool:
    """``loss.backward()``, ``(loss / n).backward()``, ``accelerator.backward(loss)``."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "backward"):
        return False
    return _mentions_loss(func.value) or any(_mentions_loss(arg) for arg in call.args)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def range_loop(node: ast.AST) -> bool:
    return (isinstance(node, ast.For | ast.AsyncFor) and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Name) and node.iter.func.id == "range")


def loop_trains(loop: ast.For | ast.AsyncFor) -> bool:
    """Whether the loop body (not nested functions) takes training steps.

    An optimizer step or a ``train_one_epoch``-style call is enough. A bare
    ``loss.backward()`` is enough only in a loop whose variable reads as a counter of
    epochs or steps: gradient checks and tests call it in ``for i in range(10)``.
    Nested ``range`` loops are their own candidates (``for seed in range(3): for epoch
    in range(cfg.epochs): ...`` must not blame the seed loop); only a counter-named loop
    looks through them.
    """
    counter = isinstance(loop.target, ast.Name) and bool(_COUNTER_NAME.search(loop.target.id))
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES) or (not counter and range_loop(node)):
            continue
        if isinstance(node, ast.Call) and (
                is_step_call(node) or (counter and is_loss_backward(node))):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def loop_trains_in(ctx: FileContext, loop: ast.For | ast.AsyncFor) -> bool:
    """`loop_trains` once per loop and file: the logging facts (twice), the GPU
    entrypoint test and the hparams finder ask it of the same loops, and each answer
    walks the loop's body (an outer loop's walk covers its inner loops again). A loop
    whose lines hold none of the file's step calls and ``.backward()`` calls (found once,
    from the shared node index) cannot train, and is not walked: most loops, in most
    files."""
    known: dict[ast.AST, bool] = ctx.memo("training:loop_trains", dict)
    found = known.get(loop)
    if found is None:
        lines = ctx.memo("training:step_lines", lambda: sorted(
            c.lineno for c in ctx.nodes(ast.Call) if is_step_call(c) or is_loss_backward(c)))
        first = bisect.bisect_left(lines, loop.lineno)
        found = known[loop] = first < len(lines) and \
            lines[first] <= (loop.end_lineno or loop.lineno) and loop_trains(loop)
    return found


def trains(call: ast.Call) -> bool:
    """A call that trains by itself: a step (`is_step_call`), ``trainer.fit(...)`` or
    ``trainer.train()``, or ``model.learn(total_timesteps=...)`` (Stable-Baselines3)."""
    if is_step_call(call):
        return True
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("fit", "train", "learn"):
        receiver = ast.unparse(func.value).lower()
        return ("trainer" in receiver and func.attr in ("fit", "train")) or (
            func.attr == "learn" and keyword(call, "total_timesteps") is not None)
    return False
