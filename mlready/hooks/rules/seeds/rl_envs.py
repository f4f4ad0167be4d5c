"""Where a file builds, seeds and evaluates RL environments: for MLR009-MLR012.

The seeding rules (MLR005) follow the first ``env.reset()`` of an entrypoint through the
project; these rules look at how environments are *built and used* in one file, which
the seeding call graph does not record: which variable holds an evaluation env and
whether anything seeds it, which env an evaluation runs on, which seed each copy of a
vector env gets, and where a running normaliser is built. Environment names and
libraries are the seeding family's (`apis.is_env_name`, `apis.ENV_ROOTS`,
`apis.ENV_MAKERS`), so that the two halves agree on what an env is.

An *env construction* is a call of an env library (``gym.make``, tianshou's
``DummyVectorEnv``), of a maker in `apis.ENV_MAKERS` (``make_vec_env``,
``SubprocVecEnv``), of a lower-case project factory named like one (``make_env``,
``make_vec_envs``), or of a class named ``*VecEnv``/``*VectorEnv``. A project's own
env class (``GoLeftEnv()``) is not: whether it draws at all is its own business.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.seeds import apis
from mlready.records import NamedTuple

RL_ROOTS = (*sorted(apis.ENV_ROOTS), "tianshou")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_EVAL_TOKENS = frozenset({"eval", "test", "val", "valid", "evaluation", "validation"})


def text(node: ast.AST) -> str:
    return ast.unparse(node)


def final(name: str) -> str:
    return name.rpartition(".")[2]


def reads_rl(ctx: FileContext) -> bool:
    """A file that is not a test and imports an RL environment library."""
    return not is_test_path(ctx.path) and any(ctx.resolver.imports(r) for r in RL_ROOTS)


def is_construction(ctx: FileContext, call: ast.Call) -> bool:
    name = ctx.resolver.qualname(call.func) or text(call.func)
    last = final(name)
    if name.partition(".")[0] in RL_ROOTS:
        return (last[:1].isupper() and "Env" in last) or last in apis.ENV_MAKERS
    if last in apis.ENV_MAKERS or last.endswith(("VecEnv", "VectorEnv")):
        return True
    return last[:1].islower() and "env" in last.lower() and last.startswith(("make", "create",
                                                                              "build", "get"))


def is_eval_name(dotted: str) -> bool:
    """``eval_env``, ``self.test_envs``, ``val_env``: an environment kept for evaluation."""
    tokens = set(final(dotted).lower().split("_"))
    return apis.is_env_name(dotted) and bool(tokens & _EVAL_TOKENS)


class Binding(NamedTuple):
    """``name = <construction>``: where an env is built and bound."""

    name: str
    call: ast.Call
    scope: ast.AST  # the function around it, or the module


def _targets(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _targets(element)
    else:
        yield target


class Scopes:
    """The innermost function around a node (or the module), from line spans."""

    def __init__(self, ctx: FileContext) -> None:
        assert ctx.tree is not None
        self.module: ast.AST = ctx.tree
        self._spans = sorted(((f.lineno, f.end_lineno or f.lineno, f) for f in ctx.nodes(*_SCOPES)
                              if isinstance(f, _SCOPES)), key=lambda s: (s[0], -s[1]))

    def around(self, node: ast.AST) -> ast.AST:
        line = getattr(node, "lineno", 0)
        found = self.module
        for start, end, function in self._spans:
            if start > line:
                break
            if line <= end:
                found = function
        return found


def bindings(ctx: FileContext) -> list[Binding]:
    """Every env construction bound to a name (``env = gym.make(...)``, ``self.eval_env =
    ...``, ``env, train_envs, test_envs = make_env(...)``), in source order."""
    def compute() -> list[Binding]:
        scopes = Scopes(ctx)
        found: list[Binding] = []
        for assign in ctx.nodes(ast.Assign):
            assert isinstance(assign, ast.Assign)
            value = assign.value
            if not isinstance(value, ast.Call) or not is_construction(ctx, value):
                continue
            for target in (t for outer in assign.targets for t in _targets(outer)):
                if isinstance(target, ast.Name | ast.Attribute):
                    found.append(Binding(text(target), value, scopes.around(assign)))
        return found
    return ctx.memo("seeds:rl_bindings", compute)


def mentions_seed(node: ast.AST) -> bool:
    """Whether an expression reads a seed (``args.seed``, ``seed + 1``, ``cfg.env_seed``)."""
    return any(isinstance(n, ast.Name | ast.Attribute) and "seed" in (
        n.id if isinstance(n, ast.Name) else n.attr).lower() for n in ast.walk(node)) or any(
        isinstance(n, ast.keyword) and n.arg is not None and "seed" in n.arg
        for n in ast.walk(node))


def seeded(ctx: FileContext, name: str, scope: ast.AST) -> bool:
    """Whether anything in ``scope`` (the whole file for ``self.<attr>`` and module-level
    code) seeds the env held by ``name``: a construction of it given a seed, its
    ``seed(...)`` (or its wrapped env's: ``env.unwrapped.seed``), a ``reset(seed=...)``,
    or a call that is passed it with a seed (``seed_env(eval_env, s)``,
    ``evaluate(agent, eval_env, seed=cfg.seed)``: the callee may seed it)."""
    where = ctx.tree if name.startswith("self.") or scope is ctx.tree else scope
    assert where is not None
    for node in ast.walk(where):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and any(text(t) == name for outer in node.targets for t in _targets(outer)) \
                and mentions_seed(node.value):
            return True
        if not isinstance(node, ast.Call):
            continue
        func = text(node.func)
        if (func == f"{name}.seed" or (func.startswith(f"{name}.") and func.endswith(".seed"))) \
                and (node.args or node.keywords):
            return True
        if func.startswith(f"{name}.") and final(func) == "reset" \
                and any(k.arg == "seed" for k in node.keywords):
            return True
        given = [*node.args, *(k.value for k in node.keywords)]
        if any(text(a) == name for a in given) and ("seed" in final(func).lower() or any(
                mentions_seed(a) for a in given) or any(k.arg and "seed" in k.arg
                                                       for k in node.keywords)):
            return True  # a seeding helper, or a call handed the env and a seed for it
    return False


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


_NOT_ENVS = ("_id", "_name", "_ids", "_names", "_kwargs", "_fn", "_fns", "_cls", "_class")


def wraps_existing(binding: Binding) -> bool:
    """``eval_env = DummyVecEnv([lambda: eval_env])``, ``DummyVecEnv([lambda: env])`` of a
    parameter: a conversion of an env the caller built (and seeds), not a new one."""
    own = final(binding.name)
    params: set[str] = set()
    if isinstance(binding.scope, _SCOPES):
        args = binding.scope.args
        params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                  if apis.is_env_name(a.arg) and not a.arg.endswith(_NOT_ENVS)}
    return bool(names_in(binding.call) & ({own} | params))


def returned(binding: Binding) -> bool:
    """The function returns the env it built: its caller owns (and seeds) it."""
    if not isinstance(binding.scope, _SCOPES):
        return False
    return any(isinstance(n, ast.Return) and n.value is not None
               and any(text(sub) == binding.name for sub in ast.walk(n.value))
               for n in ast.walk(binding.scope))


def evaluates_on(ctx: FileContext, binding: Binding) -> bool:
    """Whether the env is used for evaluation: given to a call named like one
    (``evaluate_policy``, ``EvalCallback``, ``test_agent``, tianshou's ``Collector``),
    or built in a function named like one."""
    scope = binding.scope
    if isinstance(scope, _SCOPES) and any(w in scope.name.lower() for w in ("eval", "test")):
        return True
    where = ctx.tree if binding.name.startswith("self.") or not isinstance(scope, _SCOPES) \
        else scope
    assert where is not None
    for node in ast.walk(where):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.value if isinstance(node.func, ast.Subscript) else node.func
        name = final(text(func))  # `Collector[CollectStats](...)`: the generic's own name
        if ("eval" in name.lower() or "test" in name.lower() or name == "Collector") \
                and any(text(a) == binding.name
                        for a in (*node.args, *(k.value for k in node.keywords))):
            return True
    return False
