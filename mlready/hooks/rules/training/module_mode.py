"""Where a file's models are in the wrong mode: for MLR705 (evaluation in training mode)
and MLR706 (training left in evaluation mode).

``model.eval()`` and ``model.train()`` only matter for layers that behave differently in
the two modes: dropout (and its kin) and batch norm. Whether the project has any is a
project fact, so each file's `collect` gives its candidates and whether its source
names such a layer (`LAYER_WORDS`, a pretrained model from a hub counts: it has dropout);
the rules report the candidates only when some file of the project does.

A *MLR705 candidate* is a function named as evaluation (`evaluation.EVAL_NAME`) that calls
a model (a parameter or ``self`` attribute named like one, or its ``forward``), never
calls ``.eval()`` (on anything) or ``.train(False)``, does not train, and is called in
the file only from functions that do not call ``.eval()`` first.

A *MLR706 candidate* is a ``.eval()`` of a model, or a call of a function of the file
that leaves a model in eval mode (calls ``<model>.eval()`` and never ``.train()``),
inside a loop that takes optimizer steps itself, of a model the loop calls (``model(x)``:
an EMA copy put in eval mode to sample is not trained), when nothing in that loop calls
``.train()`` again: no ``<model>.train()``, no function of the file that does, and no
function of another file named like training (``train_one_epoch``), which may.
"""

from __future__ import annotations

import ast
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.training.evaluation import (
    EVAL_NAME,
    MODEL_NAME,
    SCOPES,
    mode_calls,
    text,
    trains,
    walk_body,
)
from mlready.hooks.training import terminal_name

LAYER_WORDS = ("Dropout", "dropout", "BatchNorm", "batch_norm", "DropPath", "drop_path",
               "from_pretrained", "torchvision.models", "import timm", "from timm")
_LIGHTNING_HOOKS = frozenset({"validation_step", "test_step", "predict_step"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _name(call: ast.Call) -> str:
    return terminal_name(call.func)


def _any_eval(nodes: list[ast.AST]) -> bool:
    """Any ``x.eval()`` or ``x.train(False)``: whatever it is called on, the code knows
    about modes (generous: an absence is reported)."""
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "eval" and not node.args and not node.keywords:
                return True
            if node.func.attr == "train" and node.args and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value is False:
                return True
    return False


def _model_call(function: ast.FunctionDef | ast.AsyncFunctionDef,
                nodes: list[ast.AST]) -> ast.Call | None:
    """The first call of a model: a parameter or a ``self`` attribute named like one
    (``model(x)``, ``self.net(x)``, ``policy.forward(obs)``)."""
    params = {a.arg for a in (*function.args.posonlyargs, *function.args.args,
                              *function.args.kwonlyargs)}
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        target = func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func
        if isinstance(target, ast.Name) and target.id in params and MODEL_NAME.search(target.id):
            return node
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                and target.value.id == "self" and MODEL_NAME.search(target.attr):
            return node
    return None


class _File:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for function in ctx.nodes(*SCOPES):
            assert isinstance(function, SCOPES)
            self.functions.setdefault(function.name, []).append(function)
        self._bodies: dict[int, list[ast.AST]] = {}

    def body(self, function: ast.AST) -> list[ast.AST]:
        assert isinstance(function, SCOPES)
        key = id(function)
        if key not in self._bodies:
            self._bodies[key] = list(walk_body(function.body))
        return self._bodies[key]

    def _own(self, call: ast.Call) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The functions of this file a call may reach (by name)."""
        return self.functions.get(_name(call), [])

    def eval_in_train_mode(self) -> list[list[Any]]:
        found: list[list[Any]] = []
        callers = self._callers()
        for name, functions in self.functions.items():
            if not EVAL_NAME.match(name) or name in _LIGHTNING_HOOKS:
                continue
            for function in functions:
                nodes = self.body(function)
                if trains(nodes) or _any_eval(nodes):
                    continue
                call = _model_call(function, nodes)
                if call is None or any(_any_eval(self._before(caller, site))
                                       for caller, site in callers.get(name, ())):
                    continue
                found.append([call.lineno, call.col_offset, name, text(call.func)])
        return found

    def _callers(self) -> dict[str, list[tuple[ast.AST, ast.Call]]]:
        """Function name -> (the function around each call of it, the call)."""
        found: dict[str, list[tuple[ast.AST, ast.Call]]] = {}
        for functions in self.functions.values():
            for function in functions:
                for node in self.body(function):
                    if isinstance(node, ast.Call) and _name(node) in self.functions:
                        found.setdefault(_name(node), []).append((function, node))
        return found

    def _before(self, function: ast.AST, site: ast.Call) -> list[ast.AST]:
        return [n for n in self.body(function)
                if (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
                < (site.lineno, site.col_offset)]

    def _leaves_eval(self, call: ast.Call, models: set[str]) -> bool:
        """A call of a function of the file that puts the trained model (one of
        ``models``, or what the call passes it) in eval mode for good."""
        passed = any(text(a) in models for a in (*call.args, *(k.value for k in call.keywords)))
        for function in self._own(call):
            body = self.body(function)
            evals = mode_calls(body, "eval")
            if evals and not _calls_train(body) and (passed or any(
                    isinstance(e.func, ast.Attribute) and text(e.func.value) in models
                    for e in evals)):
                return True
        return False

    def _may_train(self, call: ast.Call) -> bool:
        """A call that may switch back: a function of the file that calls ``.train()``,
        or one of another file named like training."""
        own = self._own(call)
        if not own:
            return "train" in _name(call).lower()
        return any(_calls_train(self.body(f)) for f in own)

    def train_in_eval_mode(self) -> list[list[Any]]:
        found: list[list[Any]] = []
        seen: set[tuple[int, int]] = set()
        for loop in self.ctx.nodes(*_LOOPS):
            assert isinstance(loop, _LOOPS)
            nodes = list(walk_body(loop.body))
            if not any(isinstance(n, ast.Call) and _steps(n) for n in nodes):
                continue
            calls = [n for n in nodes if isinstance(n, ast.Call)]
            if _calls_train(nodes) or any(self._may_train(c) for c in calls):
                continue
            # the models the loop trains: what it calls (`model(x)`, `self.net(x)`); an
            # EMA copy or a target network put in eval mode is not one of them
            models = {text(c.func) for c in calls if isinstance(c.func, ast.Name | ast.Attribute)
                      and MODEL_NAME.search(terminal_name(c.func))}
            for call in calls:
                direct = bool(mode_calls([call], "eval")) and isinstance(call.func, ast.Attribute) \
                    and text(call.func.value) in models
                if direct or self._leaves_eval(call, models):
                    where = (call.lineno, call.col_offset)
                    if where not in seen:
                        seen.add(where)
                        found.append([*where, text(call)])
                    break
        return found


def _steps(call: ast.Call) -> bool:
    """``optimizer.step()``, ``scaler.step(opt)``: the loop itself updates the weights."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr == "step" and any(
        word in terminal_name(func.value).lower() for word in ("opt", "scaler"))


def _calls_train(nodes: list[ast.AST]) -> bool:
    """Any ``x.train()`` / ``x.train(True)`` / ``x.train(mode)``: generous, any receiver."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "train" and not mode_calls([n], "eval")
               and len(n.args) + len(n.keywords) <= 1 for n in nodes)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """This file's candidates of both rules, and whether it names a mode-dependent layer."""
    if is_test_path(ctx.path) or not ctx.resolver.imports("torch"):
        return None

    def compute() -> dict[str, Any]:
        layers = any(word in ctx.source for word in LAYER_WORDS)
        if ".eval()" not in ctx.source and ".train(" not in ctx.source \
                and not any(EVAL_NAME.match(f.name) for f in ctx.nodes(*SCOPES)
                            if isinstance(f, SCOPES)):
            return {"layers": layers, "eval": [], "train": []}
        file = _File(ctx)
        return {"layers": layers, "eval": file.eval_in_train_mode(),
                "train": file.train_in_eval_mode()}
    return ctx.memo("training:module_mode", compute)


def has_layers(project: ProjectContext) -> bool:
    """Whether any file of the project names dropout, batch norm or a pretrained model."""
    return any(isinstance(f, dict) and f["layers"] for f in project.facts.values())
