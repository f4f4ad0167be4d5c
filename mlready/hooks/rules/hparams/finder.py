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
  sources calling ``DataLoader``) are library defaults, not a user's choices.

``functools.partial(torch.optim.AdamW, lr=1e-3)`` is read as the call it stands for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.hparams.literals import (
    Resolved,
    Resolver,
    Scope,
    Value,
    is_config_module,
    is_neutral,
    literal_value,
    source_text,
)
from mlready.hooks.rules.hparams.signatures import (
    BY_NAME,
    LEARN_ROOTS,
    LOOP_BOUND,
    TIMESTEPS,
    Slot,
    match_signature,
)
from mlready.hooks.training import loop_trains, range_loop

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
LOOP_WORDS = (".backward(", ".step(", "train_", "fit_")


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
    calls = _mentions(ctx.source, CALL_WORDS)
    loops = "range(" in ctx.source and _mentions(ctx.source, LOOP_WORDS)
    if not (calls or loops):
        return
    yield from _Walker(ctx, calls, loops).found


def _rewrites_globals(ctx: FileContext) -> bool:
    """``exec(...)`` or ``globals()`` at module level or anywhere: globals are not fixed."""
    if "exec(" not in ctx.source and "globals()" not in ctx.source:
        return False
    return any(isinstance(call.func, ast.Name) and call.func.id in ("exec", "globals")
               for call in ctx.nodes(ast.Call))


class _Walker:
    """Reads the engine's shared node index; scopes are found only for names to follow."""

    def __init__(self, ctx: FileContext, calls: bool, loops: bool) -> None:
        self.ctx = ctx
        self.resolver = Resolver(dynamic_globals=_rewrites_globals(ctx))
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
        self._functions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] | None = None
        if calls:
            names = BY_NAME
            for call in ctx.nodes(ast.Call):
                func = call.func
                final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if final in names or final in ("learn", "partial"):
                    self._call(call)
        if loops:
            for loop in ctx.nodes(ast.For):
                self._loop(loop)
            for async_loop in ctx.nodes(ast.AsyncFor):
                self._loop(async_loop)

    def _scopes_at(self, node: ast.AST) -> tuple[Scope, ...]:
        """The module and the functions whose span contains ``node``, outermost first."""
        if self._functions is None:
            self._functions = self.ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        assert self.ctx.tree is not None
        here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        inside = [
            f for f in self._functions
            if (f.lineno, f.col_offset) < here <= (f.end_lineno or 0, f.end_col_offset or 0)
        ]
        return (self.ctx.tree, *inside)

    def _comprehension_binds(self, name: ast.Name) -> bool:
        """Whether a comprehension around ``name`` binds it (``[f(lr=lr) for lr in grid]``)."""
        here = (name.lineno, name.col_offset)
        comps: list[ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp] = [
            *self.ctx.nodes(ast.ListComp), *self.ctx.nodes(ast.SetComp),
            *self.ctx.nodes(ast.DictComp), *self.ctx.nodes(ast.GeneratorExp)]
        for comp in comps:
            if (comp.lineno, comp.col_offset) <= here <= (comp.end_lineno or 0,
                                                          comp.end_col_offset or 0):
                targets = (sub for gen in comp.generators for sub in ast.walk(gen.target))
                if any(isinstance(t, ast.Name) and t.id == name.id for t in targets):
                    return True
        return False

    def _follow(self, node: ast.AST) -> tuple[Value | None, Resolved | None]:
        """A literal's value, or the value a name is bound to once; else (None, None)."""
        value = literal_value(node)
        if value is not None or not isinstance(node, ast.Name):
            return value, None
        if self._comprehension_binds(node):
            return None, None
        resolved = self.resolver.resolve(node, self._scopes_at(node))
        if resolved is None:
            return None, None
        return literal_value(resolved.value_node), resolved

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
        value, resolved = self._follow(node)
        if value is None or is_neutral(value, slot):
            return
        text = source_text(self.ctx, node)
        construct = f"{callee}({param}={text})" if keyword else f"{callee}(..., {text})"
        what = slot.what if keyword else f"{slot.what} (positional `{param}`)"
        self.found.append(Finding(slot.code, node, _message(self.ctx, construct, what, resolved),
                                  f"Read `{param}` from the config (a dataclass field, a YAML "
                                  f"key or a command-line option) and pass it here"))

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
        value, resolved = self._follow(bound)
        if value is None or isinstance(value, tuple) or is_neutral(value, LOOP_BOUND):
            return
        if not loop_trains(loop):
            return
        construct = f"range({', '.join(source_text(self.ctx, a) for a in call.args)})"
        self.found.append(Finding(
            LOOP_BOUND.code, bound, _message(self.ctx, construct, LOOP_BOUND.what, resolved),
            "Read the number of epochs or steps from the config and loop over `range(cfg.epochs)`",
        ))


def _message(ctx: FileContext, construct: str, what: str, resolved: Resolved | None) -> str:
    if resolved is None:
        return f"`{construct}`: {what} is a literal; read it from the config"
    literal = source_text(ctx, resolved.value_node)
    return (f"`{construct}`: {what} is the literal `{literal}` bound to `{resolved.name}` "
            f"on line {resolved.line}; read it from the config")
