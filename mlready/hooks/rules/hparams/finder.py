"""Shared analysis for the hard-coded hyper-parameter rules (MLR101-MLR106).

One pass over a file finds every numeric literal that lands in a hyper-parameter
slot of a known training API (optimizers, LR schedulers, ``DataLoader``, Lightning
and Hugging Face trainers, TRL configs, Stable-Baselines3 algorithms) or bounds a
loop that trains. The sibling rules share that pass through ``ctx.memo`` and each
keeps the findings with its own code, so a file is walked at most once however many
of them are selected.

Precision comes first, because a false positive costs more than a miss:

- only *literals* are findings: ``3e-4``, ``-1e-3``, ``2 ** 10``, ``int(1e6)``,
  ``(0.9, 0.999)``. A name is followed only when it is bound exactly once, in the
  scope that the call sees, by ``name = <literal>``: a parameter, an import, an
  attribute (``args.lr``, ``cfg.optim.lr``) or anything computed is configuration;
- a "neutral" literal is not a choice worth configuring: ``0`` everywhere (off, as in
  ``weight_decay=0``), ``1`` for batch sizes (the default, and the usual inference
  setting), ``-1`` for training lengths (Lightning's and HF's "no limit");
- config modules (``config.py``, ``settings.py``, ``hparams.py``, files under
  ``configs/``...) *are* the configuration, test files are skipped unless the
  ``include-tests`` option is set, and a library's own calls to its own API (torch's
  sources calling ``DataLoader``) are library defaults, not a user's choices;
- notebooks are not checked unless ``include-notebooks`` is set: a notebook has no
  command line and no config file to read from, and its config cell (``GRPOConfig(...)``
  in a Colab tutorial) *is* its configuration, shown and saved with the outputs;
- a module that collects its own module-level names (``hparams = {k: v for k, v in
  locals().items() ...}``, ``globals()``, ``vars()``) and logs them has made that
  block its config, like a module whose globals a configurator rewrites.

Beyond the call site, three flows that real scripts use are followed: a literal passed
to the file's own function whose parameter goes on into a slot
(``model.configure_optimizers(betas=(0.9, 0.95))`` ending in ``AdamW(betas=betas)``), a
name read by a ``LambdaLR`` schedule's lambda (``lambda s: s / warmup_steps``), and a
loop bound whose configured value is overwritten by a literal before the loop
(``n = args.n`` then ``n = 100``), or a loop that runs a literal number of times past a
start (``range(start, start + 200)``).

``functools.partial(torch.optim.AdamW, lr=1e-3)`` is read as the call it stands for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.hparams.literals import (
    Resolved,
    Value,
    is_config_module,
    is_neutral,
    literal_value,
    source_text,
)
from mlready.hooks.rules.hparams.lookup import Lookup
from mlready.hooks.rules.hparams.options import SCHEDULE
from mlready.hooks.rules.hparams.signatures import (
    BY_NAME,
    LEARN_ROOTS,
    LOOP_BOUND,
    TIMESTEPS,
    Slot,
    match_signature,
)
from mlready.hooks.training import loop_trains_in, range_loop
from mlready.records import NamedTuple

MEMO_KEY = "mlready.rules.hparams.finder"


class Finding(NamedTuple):
    """One hard-coded value, before it becomes a `Diagnostic` of its rule."""

    code: str
    node: ast.AST
    message: str
    fix: str



# Text prefilters, plain substring tests (a regex alternation costs more than the
# rules): a callee can only resolve into a family if its module's name occurs in the
# import that binds it, and a loop can only train if one of the evidence words occurs.
CALL_WORDS = ("optim", "DataLoader", "lightning", "transformers", "trl", "bitsandbytes",
              "stable_baselines3", "sb3_contrib", ".learn(", "clip_grad")
LOOP_WORDS = (".backward(", ".step(", ".update(", "train_", "fit_")


def _mentions(source: str, words: tuple[str, ...]) -> bool:
    return any(word in source for word in words)


# --- the pass ------------------------------------------------------------------------


def _option_modules(ctx: FileContext) -> frozenset[str]:
    extra = ctx.options.get("config-modules", ())
    if not isinstance(extra, list | tuple):
        return frozenset()
    return frozenset(str(item) for item in extra)


def diagnostics(ctx: FileContext, code: str) -> Iterator[Diagnostic]:
    """The shared pass's findings for one rule, as diagnostics at the literal."""
    for finding in findings(ctx):
        if finding.code == code:
            yield ctx.diagnostic(code, finding.node, finding.message, finding.fix)


def findings(ctx: FileContext) -> tuple[Finding, ...]:
    """Every hard-coded hyper-parameter in the file, shared by MLR101-MLR106."""
    return ctx.memo(MEMO_KEY, lambda: tuple(_analyse(ctx)))


def _analyse(ctx: FileContext) -> Iterator[Finding]:
    if ctx.tree is None:
        return
    if not ctx.options.get("include-tests", False) and is_test_path(ctx.path):
        return
    if is_config_module(ctx.path, _option_modules(ctx)):
        return
    if ctx.notebook and not ctx.options.get("include-notebooks", False):
        return
    calls = _mentions(ctx.source, CALL_WORDS)
    loops = "range(" in ctx.source and _mentions(ctx.source, LOOP_WORDS)
    if not (calls or loops):
        return
    yield from _Walker(ctx, calls, loops).found


_SCHEDULE_LAMBDAS = ("LambdaLR", "MultiplicativeLR")


class _Walker:
    """Reads the engine's shared node index; what a name stands for is `Lookup`'s job."""

    def __init__(self, ctx: FileContext, calls: bool, loops: bool) -> None:
        self.ctx = ctx
        self.lookup = Lookup(ctx)
        self.found: list[Finding] = []
        # A library's own sources call its API with its own defaults: torch/ calling
        # torch.optim is not a user's choice. Seen from the module name, the root's
        # name, or the package folder right under site-packages (when checked from a
        # root above it).
        folders = ctx.path.split("/")[:-1]
        self.self_roots = {ctx.module.split(".")[0], ctx.root.name}
        for marker in ("site-packages", "dist-packages"):
            if marker in folders[:-1]:
                self.self_roots.add(folders[folders.index(marker) + 1])
        # (function name, parameter) -> where the parameter goes: the file's own helpers
        # (`configure_optimizers(betas=...)`) that hand a parameter on to a slot.
        self._flows: dict[tuple[str, str], tuple[str, str, Slot]] = {}
        self._reported: set[tuple[str, int]] = set()
        if calls:
            names = BY_NAME
            for call in ctx.nodes(ast.Call):
                func = call.func
                final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if final in names or final in ("learn", "partial"):
                    self._call(call)
                elif final in _SCHEDULE_LAMBDAS:
                    self._schedule_lambda(call)
            if self._flows:
                self._project_calls()
        if loops:
            for loop in ctx.nodes(ast.For):
                self._loop(loop)
            for async_loop in ctx.nodes(ast.AsyncFor):
                self._loop(async_loop)

    # calls

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "learn":
            self._learn(call)
            return
        qualname = self.ctx.resolver.qualname(func)
        args: list[ast.expr] = call.args
        if qualname == "functools.partial" and args:
            # partial(torch.optim.Adam, lr=1e-3): the same call, made later.
            qualname, args = self.ctx.resolver.qualname(args[0]), args[1:]
        if qualname is None:
            return
        family = match_signature(qualname)
        if family is None or qualname.split(".")[0] in self.self_roots:
            return
        for index, arg in enumerate(args):
            if isinstance(arg, ast.Starred) or index >= len(family.positional):
                break
            slot = family.slots.get(family.positional[index])
            if slot is not None:
                self._check(qualname, family.positional[index], arg, slot, keyword=False)
        for given in call.keywords:
            slot = family.slots.get(given.arg or "")
            if given.arg is not None and slot is not None:
                self._check(qualname, given.arg, given.value, slot, keyword=True)

    def _learn(self, call: ast.Call) -> None:
        given = keyword(call, "total_timesteps")
        target: tuple[ast.AST, bool] | None = None if given is None else (given, True)
        if (target is None and call.args
                and any(self.ctx.resolver.imports(root) for root in LEARN_ROOTS)):
            target = (call.args[0], False)
        if target is not None:
            callee = f"{source_text(self.ctx, call.func)}"
            self._check(callee, "total_timesteps", target[0], TIMESTEPS, keyword=target[1])

    def _check(self, callee: str, param: str, node: ast.AST, slot: Slot, *,
               keyword: bool) -> None:
        value, resolved = self.lookup.follow(node)
        if value is None and isinstance(node, ast.Name):
            self._record_flow(node, callee, param, slot)
        if value is None or is_neutral(value, slot):
            return
        text = source_text(self.ctx, node)
        construct = f"{callee}({param}={text})" if keyword else f"{callee}(..., {text})"
        what = slot.what if keyword else f"{slot.what} (positional `{param}`)"
        self.found.append(Finding(slot.code, node, _message(self.ctx, construct, what, resolved),
                                  f"read `{param}` from the config (a dataclass field, a YAML "
                                  f"key or a command-line option) and pass it here"))

    # flows through the file's own functions

    def _record_flow(self, name: ast.Name, callee: str, param: str, slot: Slot) -> None:
        """``def f(..., betas): AdamW(..., betas=betas)``: remember that ``f``'s
        parameter ``betas`` is a slot, when the parameter is its only binding."""
        scopes = self.lookup.scopes_at(name)
        function = scopes[-1]
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            return
        if name.id not in _parameters(function) or \
                self.lookup.resolver.bindings(function).count.get(name.id) != 1:
            return
        self._flows.setdefault((function.name, name.id), (callee, param, slot))

    def _project_calls(self) -> None:
        """Literals passed to the parameters recorded by `_record_flow`."""
        defined: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for function in self.ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                defined.setdefault(function.name, []).append(function)
        names = {name for name, _ in self._flows}
        for call in self.ctx.nodes(ast.Call):
            func = call.func
            final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if final not in names or len(defined.get(final, ())) != 1:
                continue  # a name defined twice (two classes' methods) is ambiguous
            params = _parameters(defined[final][0])
            defaults = _defaults(defined[final][0])
            if isinstance(func, ast.Attribute) and params[:1] in (["self"], ["cls"]):
                params = params[1:]
            given = [(params[i], arg) for i, arg in enumerate(call.args)
                     if i < len(params) and not isinstance(arg, ast.Starred)]
            given += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
            for param, arg in given:
                flow = self._flows.get((final, param))
                if flow is None:
                    continue
                callee, slot_param, slot = flow
                value = literal_value(arg)
                if value is None or is_neutral(value, slot) or value == defaults.get(param):
                    continue  # the helper's own default, written out, is no new choice
                text = source_text(self.ctx, arg)
                self._add(slot.code, arg, (
                    f"`{final}({param}={text})`: {slot.what} is a literal that `{final}` "
                    f"passes to `{callee}({slot_param}=...)`; read it from the config"),
                    f"read `{param}` from the config (a dataclass field, a YAML key or a "
                    f"command-line option) and pass it to `{final}`")

    def _schedule_lambda(self, call: ast.Call) -> None:
        """``LambdaLR(opt, lambda step: step / warmup_steps)`` with ``warmup_steps = 10``:
        the schedule's constants are literals, reported where they are bound."""
        qualname = self.ctx.resolver.qualname(call.func) or ""
        if not qualname.startswith("torch.optim."):
            return
        given = keyword(call, "lr_lambda")
        function = given if given is not None else (call.args[1] if len(call.args) > 1
                                                     else None)
        if not isinstance(function, ast.Lambda):
            return
        for node in ast.walk(function.body):
            if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
                continue
            if self.lookup.comprehension_binds(node):
                continue
            # Only a local literal: a module-level constant block is how a script keeps
            # its knobs in one place, and the schedule reads it from there.
            resolved = self.lookup.resolver.resolve(node, self.lookup.scopes_at(node)[1:])
            value = None if resolved is None else literal_value(resolved.value_node)
            if value is None or resolved is None or is_neutral(value, _SCHEDULE_CONSTANT):
                continue
            literal = source_text(self.ctx, resolved.value_node)
            self._add(SCHEDULE, resolved.value_node, (
                f"`{qualname}(lr_lambda=...)`: {_SCHEDULE_CONSTANT.what} `{resolved.name}` "
                f"is the literal `{literal}`; read it from the config"),
                f"read `{resolved.name}` from the config and let the lambda use it")

    def _add(self, code: str, node: ast.AST, message: str, fix: str) -> None:
        """A finding, once per code and place (two lambdas may read one constant)."""
        key = (code, id(node))
        if key not in self._reported:
            self._reported.add(key)
            self.found.append(Finding(code, node, message, fix))

    # loops

    def _loop(self, loop: ast.For | ast.AsyncFor) -> None:
        if not range_loop(loop):
            return
        call = loop.iter
        assert isinstance(call, ast.Call)
        if self.ctx.resolver.qualname(call.func) != "range" or call.keywords:
            return
        if not 1 <= len(call.args) <= 3 or any(isinstance(a, ast.Starred) for a in call.args):
            return
        bound = call.args[0] if len(call.args) == 1 else call.args[1]
        if (len(call.args) >= 2 and isinstance(bound, ast.BinOp)
                and isinstance(bound.op, ast.Add)
                and ast.dump(bound.left) == ast.dump(call.args[0])):
            bound = bound.right  # range(start, start + 200): 200 iterations
        value, resolved = self.lookup.follow(bound)
        anchor: ast.AST = bound
        if value is None and isinstance(bound, ast.Name):
            resolved = self.lookup.overridden(bound, loop)
            if resolved is not None:
                value, anchor = literal_value(resolved.value_node), resolved.value_node
        if value is None or isinstance(value, tuple) or is_neutral(value, LOOP_BOUND):
            return
        if not loop_trains_in(self.ctx, loop):
            return
        construct = f"range({', '.join(source_text(self.ctx, a) for a in call.args)})"
        self._add(LOOP_BOUND.code, anchor,
                  _message(self.ctx, construct, LOOP_BOUND.what, resolved),
                  "read the number of epochs or steps from the config and loop over "
                  "`range(cfg.epochs)`")

_SCHEDULE_CONSTANT = Slot(SCHEDULE, "LR-schedule constant", frozenset({0.0, 1.0}))


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _defaults(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Value | None]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                     strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
              if d is not None]
    return {a.arg: literal_value(d) for a, d in pairs}


def _message(ctx: FileContext, construct: str, what: str, resolved: Resolved | None) -> str:
    if resolved is None:
        return f"`{construct}`: {what} is a literal; read it from the config"
    literal = source_text(ctx, resolved.value_node)
    return (f"`{construct}`: {what} is the literal `{literal}` bound to `{resolved.name}` "
            f"on line {resolved.line}; read it from the config")
