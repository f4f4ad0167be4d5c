"""What one call means to the seeding rules: a seed, a draw, CUDA, determinism, training.

`LibraryCalls` is the half of the per-file collector (`units`) that classifies a
resolved library call (``torch.manual_seed``, ``np.random.rand``, ``trainer.fit``,
``DataLoader(num_workers=4)``), a method call on a known receiver (``env.reset``,
``model.cuda()``) or an assignment (``torch.backends.cudnn.benchmark = True``) into
unit events; the event kinds are listed in `units`. The predicates below read calls.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mlready.hooks.calls import argument, keyword
from mlready.hooks.context import FileContext
from mlready.hooks.names import NameResolver
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.facts import Event, Facts

Span = tuple[tuple[int, int], tuple[int, int]]

_HEUR = 1
_COND = 2
_NESTED = 4


def node_start(node: ast.AST) -> tuple[int, int]:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    first = decorators[0] if decorators else node
    return (getattr(first, "lineno", 0), getattr(first, "col_offset", 0))


def node_end(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def node_pos(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Spans:
    """A union of source spans, answering "is this position inside any?" by bisection."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[tuple[int, int]]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def __contains__(self, pos: tuple[int, int]) -> bool:
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos <= self._ends[i]


@dataclass
class Unit:
    name: str
    cls: str | None = None
    entry: str = ""
    events: list[Event] = field(default_factory=list)
    backward_in_loop: bool = False
    steps: int = 0
    first_backward: tuple[ast.Call, str] | None = None
    plots: bool = False
    first_step: ast.Call | None = None



def chain(func: ast.expr) -> tuple[str | None, str | None]:
    """``a.b.c`` -> (``a``, ``a.b.c``); (None, None) when the chain holds anything else."""
    if type(func) is ast.Name:  # the common case, without building a list
        return func.id, func.id
    parts: list[str] = []
    node = func
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not ast.Name:
        return None, None
    parts.append(node.id)
    return node.id, ".".join(reversed(parts))


def literal_false(node: ast.expr | None) -> bool:
    """``False``, ``None``, ``0``: values that turn an option off."""
    return isinstance(node, ast.Constant) and node.value in (False, None, 0)


def is_none(node: ast.expr | None) -> bool:
    """A missing argument or a literal ``None``: no seed given."""
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def literal_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def spelled(call: ast.Call) -> str:
    """``scaler.scale(loss).backward()`` as written (arguments elided), for messages."""
    text = f"{ast.unparse(call.func)}()"
    return text if len(text) <= 48 else f"...{text[-45:]}"


def has_splat(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)



class LibraryCalls:
    """Classification of library calls into unit events (mixed into `units._Collector`,
    which owns the units, the spans and the variable bindings these methods read)."""

    ctx: FileContext
    facts: Facts
    resolver: NameResolver
    units: dict[str, Unit]
    vars: dict[tuple[str, str], str]
    bound_names: set[str]
    seed_draws: set[int]
    optimizer_classes: set[str]
    imports_torch: bool
    imports_env: bool
    aliases: dict[str, str]
    loops: Spans
    branches: Spans
    device_tests: Spans

    def _event(self, unit: Unit, kind: str, node: ast.AST, name: str,
               extra: Any = None) -> Event:
        line, offset = node_pos(node)
        end_line, end_offset = node_end(node)
        event: Event = [kind, line, offset, end_line, end_offset, name, extra]
        unit.events.append(event)
        return event

    def _unit_at(self, pos: tuple[int, int]) -> Unit:
        raise NotImplementedError

    def _cond(self, node: ast.AST) -> int:
        """1 when ``node`` runs only behind an ``if`` of its unit, else 0."""
        return 1 if node_pos(node) in self.branches else 0

    def _variable(self, unit: Unit, dotted: str) -> str | None:
        scope = unit.cls if dotted.startswith("self.") and unit.cls else unit.name
        return self.vars.get((scope, dotted))

    # -- classification of library calls --

    def _classify(self, unit: Unit, call: ast.Call, final: str, base: str | None,
                  dotted: str | None, qualname: str | None, nested: bool) -> bool:
        """Record the library event a call stands for; False when it is none."""
        if qualname is not None and base in self.aliases \
                and self._library_call(unit, call, qualname, nested):
            return True
        if dotted is None:
            # `pl.Trainer(...).fit(model)`: the resolver sees through the inner call.
            through = self.resolver.qualname(call.func)
            if through is not None and self._framework_method(unit, call, through):
                return True
            return self._method_call(unit, call, final, "", None, nested)
        if "." not in dotted:
            return False
        receiver = dotted.rpartition(".")[0]
        bound = self._variable(unit, receiver)
        if bound is not None and self._framework_method(unit, call, f"{bound}.{final}"):
            return True
        return self._method_call(unit, call, final, receiver, bound, nested)

    def _library_call(self, unit: Unit, call: ast.Call, qualname: str, nested: bool) -> bool:
        if qualname in api.CHECKPOINT_LOADERS:
            self._event(unit, "k", call, qualname, self._cond(call))
            return True
        if api.builds_optimizer(qualname):
            # Not inside a lambda or a nested function: it may never run.
            if not nested:
                self._event(unit, "o", call, qualname)
                if unit.cls:
                    self.optimizer_classes.add(unit.cls)
            return True
        seeded = api.seeded_libraries(qualname)
        if seeded is not None:
            if qualname in api.NEEDS_ARGUMENT and (not call.args or is_none(call.args[0])):
                return True
            self._event(unit, "s", call, qualname, list(seeded))
            deterministic = keyword(call, "deterministic")
            if qualname in api.FULL_DETERMINISM or (
                    deterministic is not None and not literal_false(deterministic)):
                # `accelerate.utils.set_seed(seed, deterministic=True)`
                self._event(unit, "d", call, qualname)
            return True
        return self._determinism(unit, call, qualname) or self._framework(
            unit, call, qualname) or self._draw(unit, call, qualname, nested)

    def _determinism(self, unit: Unit, call: ast.Call, qualname: str) -> bool:
        if qualname == "torch.use_deterministic_algorithms":
            mode = argument(call, 0, "mode")
            if not literal_false(mode):
                self._event(unit, "d", call, qualname)
            return True
        if qualname == "torch.backends.cudnn.flags":
            self._trainer_flags(unit, call, qualname)
            return True
        if (qualname == "torch.device" and self._cuda_arg(call)) \
                or (qualname.startswith(("torch.cuda.", "torch.accelerator."))
                    and qualname not in api.SEEDERS):
            # `torch.device("cuda")`, `torch.cuda.is_available()`, `.set_device(rank)`;
            # not `torch.cuda.synchronize()` under `if device.startswith("cuda"):`.
            if node_pos(call) not in self.device_tests:
                self._event(unit, "g", call, qualname)
            return True
        return False

    @staticmethod
    def _cuda_arg(call: ast.Call) -> bool:
        if not call.args:
            return True  # `torch.cuda.is_available()`
        first = call.args[0]
        return isinstance(first, ast.Constant) and str(first.value).startswith("cuda")

    def _trainer_flags(self, unit: Unit, call: ast.Call, qualname: str) -> None:
        deterministic = keyword(call, "deterministic")
        if deterministic is not None and not literal_false(deterministic):
            self._event(unit, "d", call, qualname)
        if literal_true(keyword(call, "benchmark")):
            cond = 1 if node_pos(call) in self.branches else 0
            self._event(unit, "b", call, f"{qualname.rpartition('.')[2]}(benchmark=True)", cond)

    def _framework(self, unit: Unit, call: ast.Call, qualname: str) -> bool:
        root, _, rest = qualname.partition(".")
        final = qualname.rpartition(".")[2]
        if root in api.LIGHTNING_ROOTS and final == "Fabric":
            # `L.Fabric(devices="auto")` runs on the GPUs there are, unless told the CPU.
            accelerator = keyword(call, "accelerator")
            named = isinstance(accelerator, ast.Constant) \
                and accelerator.value not in ("auto", "gpu", "cuda")
            if not named and "xla" not in self.ctx.source.lower():  # TPUs: no cuDNN
                self._event(unit, "g", call, qualname)
            return True
        if root in api.LIGHTNING_ROOTS and final == "Trainer":
            self._trainer_flags(unit, call, qualname)
            return True
        if qualname in api.HF_TRAINERS or (root == "trl" and final.endswith("Trainer")):
            # Hugging Face's Trainer calls `set_seed(args.seed)` (default 42) in __init__.
            self._event(unit, "s", call, qualname, list(api.GLOBAL))
            return True
        if root == "transformers" and final == "TrainingArguments" \
                and literal_true(keyword(call, "full_determinism")):
            self._event(unit, "d", call, qualname)
            return True
        if root in api.SB3_ROOTS and final in api.SB3_ALGOS and rest:
            if not is_none(keyword(call, "seed")):
                self._event(unit, "s", call, qualname, list(api.EVERYTHING))
            elif not has_splat(call):
                self._event(unit, "u", call, qualname, "torch")
            return True
        if root in api.VEC_ENV_ROOTS and (final in api.ENV_MAKERS or ".vector." in qualname) \
                and not is_none(keyword(call, "seed")):
            # `gym.vector.make(name, num_envs=8, seed=0)`, `envpool.make(..., seed=0)`: the
            # factory seeds the environments it builds.
            self._event(unit, "s", call, qualname, ["env"])
            return True
        if root in api.SB3_ROOTS and final in ("make_vec_env", "make_atari_env"):
            if not is_none(keyword(call, "seed")):
                self._event(unit, "s", call, qualname, ["env"])
            return True
        return False

    def _framework_method(self, unit: Unit, call: ast.Call, bound: str) -> bool:
        """``trainer.fit`` (Lightning), ``model.learn`` (SB3), ``trainer.train`` (HF)."""
        root = bound.partition(".")[0]
        owner, _, method = bound.rpartition(".")
        if root == "datasets" and method in ("train_test_split", "shuffle"):
            # Hugging Face datasets derive a missing seed from NumPy's global state.
            shuffle = keyword(call, "shuffle")
            if is_none(keyword(call, "seed")) and keyword(call, "generator") is None \
                    and not literal_false(shuffle) and not has_splat(call):
                self._event(unit, "u", call, f"Dataset.{method}", "numpy")
            return True
        kind = ""
        if root in api.LIGHTNING_ROOTS and owner.endswith("Trainer") and method == "fit":
            kind = "lightning"
        elif root in api.SB3_ROOTS and method == "learn":
            kind = "sb3"
        elif (owner in api.HF_TRAINERS or root == "trl") and method == "train":
            kind = "hf"
        if kind:
            self._event(unit, "t", call, f"{owner.rpartition('.')[2]}.{method}", kind)
            return True
        return False

    def _draw(self, unit: Unit, call: ast.Call, qualname: str, nested: bool) -> bool:
        found = self._draw_kind(call, qualname)
        if found is None:
            return False
        if found and not nested and id(call) not in self.seed_draws:
            self._event(unit, "u", call, qualname, found)
        return True

    def _draw_kind(self, call: ast.Call, qualname: str) -> str | None:
        """The generator a library call draws from; "" for a known non-draw; None if unknown."""
        parts = qualname.split(".")
        root, final = parts[0], parts[-1]
        if root == "random" and len(parts) == 2:
            if final == "Random":
                return "random_rng" if not call.args and not call.keywords else ""
            return "random" if final in api.RANDOM_FUNCS else None
        if parts[:2] == ["numpy", "random"] and len(parts) == 3:
            return self._numpy_kind(call, final)
        if root == "torch":
            return self._torch_kind(call, parts)
        if root == "torchvision" and len(parts) >= 3:
            return self._torchvision_kind(call, parts)
        return None

    @staticmethod
    def _numpy_kind(call: ast.Call, final: str) -> str | None:
        if final in ("default_rng", "RandomState"):
            return "numpy_rng" if is_none(argument(call, 0, "seed")) else ""
        return "" if final in api.NUMPY_NOT_DRAWS else "numpy"

    def _torch_kind(self, call: ast.Call, parts: list[str]) -> str | None:
        final = parts[-1]
        if keyword(call, "generator") is not None:
            return ""
        if len(parts) == 2:
            return "torch" if final in api.TORCH_FUNCS else None
        if parts[1:3] == ["nn", "functional"]:
            return "torch" if final in api.TORCH_FUNCTIONAL else None
        if parts[1:3] == ["nn", "init"]:
            return "torch_init" if final in api.TORCH_INIT else None
        if parts[1] == "nn":
            if final in api.TORCH_DROPOUT_MODULES:
                return "torch_dropout"
            return "torch_init" if final in api.TORCH_MODULES else None
        if parts[1:3] == ["utils", "data"]:
            if final == "DataLoader":
                self._loader(call)
                shuffle = argument(call, 2, "shuffle")
                unseeded = shuffle is not None and not literal_false(shuffle)
                return "torch_loader" if unseeded else ""
            if final == "random_split":
                return "torch"  # draws its permutation when called
            # A sampler, like a shuffled loader, draws when iterated, not when built.
            return "torch_loader" if final in api.TORCH_SAMPLERS else None
        return None

    @staticmethod
    def _torchvision_kind(call: ast.Call, parts: list[str]) -> str | None:
        final = parts[-1]
        if any(part.startswith("_") for part in parts):
            return None  # `torchvision.models.__dict__.keys()`: a lookup, not a model
        if parts[1] == "transforms":
            return "torch" if final.startswith("Random") else None
        if parts[1] == "models" and final[:1].islower() and final not in api.TORCHVISION_NOT_MODELS:
            pretrained = keyword(call, "weights") or keyword(call, "pretrained")
            return "torch_init" if pretrained is None or literal_false(pretrained) else ""
        return None

    def _loader(self, call: ast.Call) -> None:
        workers = argument(call, 5, "num_workers")
        if workers is None or has_splat(call):
            return
        if isinstance(workers, ast.Constant) and not (
                isinstance(workers.value, int) and workers.value > 0):
            return
        shuffle = argument(call, 2, "shuffle")
        if shuffle is None or literal_false(shuffle):
            # Worker seeds come from torch's seeded generator and PyTorch reseeds
            # random, torch and numpy in each worker: only the order of a shuffled
            # loader shifts with every other draw from the global generator.
            return
        if keyword(call, "worker_init_fn") is None and keyword(call, "generator") is None:
            self._event(self._unit_at(node_pos(call)), "w", call,
                        "torch.utils.data.DataLoader(shuffle=True, num_workers=...)")

    def _method_call(self, unit: Unit, call: ast.Call, final: str, receiver: str,
                     bound: str | None, nested: bool) -> bool:
        """Calls recognised by method name on an object we cannot type precisely."""
        if final == "reset" and self._is_env(receiver, bound):
            if not is_none(keyword(call, "seed")):
                self._event(unit, "s", call, f"{receiver}.reset(seed=...)", ["env"])
            elif not nested and not has_splat(call) and not self._by_hand(unit):
                self._event(unit, "u", call, f"{receiver}.reset()", "env")
            return True
        if final == "seed":
            return self._seed_method(unit, call, receiver, bound)
        if final in api.CHECKPOINT_METHODS:
            self._event(unit, "k", call, spelled(call), self._cond(call))
            return True
        if final == "sample" and api.is_space_name(receiver):
            # A sampled observation is a dummy input (a shape, a `predict` demo); the
            # run's randomness is in the actions it explores with.
            if not nested and "observation" not in receiver.rpartition(".")[2] \
                    and not self._by_hand(unit):
                self._event(unit, "u", call, f"{receiver}.sample()", "space")
            return True
        if final in api.TENSOR_RANDOM_METHODS and self.imports_torch:
            if not nested and keyword(call, "generator") is None:
                self._event(unit, "u", call, f"Tensor.{final}", "torch")
            return True
        if final == "backward":
            in_loop = node_pos(call) in self.loops
            if unit.first_backward is None or (in_loop and not unit.backward_in_loop):
                unit.first_backward = (call, spelled(call))
                unit.backward_in_loop = in_loop
            return True
        if final == "step" and not self._is_env(receiver, bound):
            unit.steps += 1
            if unit.first_step is None:
                unit.first_step = call
            return False
        return self._cuda_method(unit, call, final, receiver)

    def _by_hand(self, unit: Unit) -> bool:
        """An env stepped in a notebook cell itself: a tutorial showing the API, printing
        what comes back. Episodes that give a result run in a function (``evaluate``),
        in the algorithm, or in the training library."""
        return bool(self.facts.get("nb")) and unit.name == "<module>"

    def _cuda_method(self, unit: Unit, call: ast.Call, final: str, receiver: str) -> bool:
        """``model.cuda()``, ``x.to("cuda")``: the run uses CUDA."""
        if final == "cuda" or (final == "to" and call.args and self._cuda_arg(call)):
            self._event(unit, "g", call, spelled(call))
            return True
        return False

    def _is_env(self, receiver: str, bound: str | None) -> bool:
        """A Gym-style environment: made by an env library, or named like one when we
        do not know what built it. An object of the project's own class or of another
        library (an HTTP game client) is not: its ``reset`` is whatever it defines."""
        if bound is not None and "(" not in bound and not bound.endswith("*"):
            final = bound.rpartition(".")[2]
            if bound.partition(".")[0] in api.ENV_ROOTS:
                return True
            if api.is_external(bound) or final[:1].isupper():
                return False  # a class of another library or of the project itself
            if final in api.ENV_MAKERS or "env" in final.lower():
                return True  # the project's factory, `make_env(...)`
        return self.imports_env and api.is_env_name(receiver)

    def _seed_method(self, unit: Unit, call: ast.Call, receiver: str, bound: str | None) -> bool:
        if not call.args and not call.keywords:
            return True  # `space.seed()` draws a fresh seed from the OS
        if api.is_space_name(receiver):
            self._event(unit, "s", call, f"{receiver}.seed", ["space"])
        elif self._is_env(receiver, bound) or (self.imports_env and api.is_env_name(receiver)):
            # `env = Wrapper(env); env.seed(seed)`: seeding counts whatever wraps the env.
            self._event(unit, "s", call, f"{receiver}.seed", ["env", *api.GLOBAL])
        else:
            self._event(unit, "s", call, f"{receiver}.seed", list(api.GLOBAL))
        return True

    # -- assignments: `torch.backends.cudnn.deterministic = True` --

    def _assign(self, assign: ast.Assign) -> None:
        for target in assign.targets:
            if not isinstance(target, ast.Attribute) \
                    or target.attr not in ("deterministic", "benchmark", "enabled"):
                continue
            qualname = self.resolver.qualname(target)
            if qualname not in ("torch.backends.cudnn.deterministic",
                                "torch.backends.cudnn.benchmark",
                                "torch.backends.cudnn.enabled"):
                continue
            unit = self._unit_at(node_pos(assign))
            if target.attr == "enabled" and not literal_true(assign.value):
                # `cudnn.enabled = args.enable_cudnn`: cuDNN's nondeterministic kernels
                # are off (or a deliberate option), the other half of deterministic mode.
                self._event(unit, "d", assign, qualname)
            elif target.attr == "deterministic" and not literal_false(assign.value):
                self._event(unit, "d", assign, qualname)
            elif target.attr == "benchmark" and literal_true(assign.value):
                cond = 1 if node_pos(assign) in self.branches else 0
                self._event(unit, "b", assign, f"{qualname} = True", cond)

    def _cuda_strings(self) -> None:
        if not self.imports_torch:
            return
        seen: set[str] = set()
        for constant in self.ctx.nodes(ast.Constant):
            value = constant.value
            # `"cuda"`, `f"cuda:{rank}"`, and NCCL, the process-group backend of GPUs.
            if isinstance(value, str) and (value.startswith("cuda") or value == "nccl") \
                    and len(value) < 8 and node_pos(constant) not in self.device_tests:
                unit = self._unit_at(node_pos(constant))
                if unit.name not in seen:
                    seen.add(unit.name)
                    self._event(unit, "g", constant, repr(value))

    def _settle_loads(self) -> None:
        """A load in both arms of an ``if`` (``if os.path.isfile(p): load(p) else:
        load_from_url(...)``) happens either way: it is no conditional load."""
        loads = [e for u in self.units.values() for e in u.events if e[0] == "k" and e[6]]
        if not loads:
            return
        for node in self.ctx.nodes(ast.If):
            if not node.orelse:
                continue
            arms = [[e for e in loads if node_start(arm[0]) <= (e[1], e[2]) <= node_end(arm[-1])]
                    for arm in (node.body, node.orelse)]
            if all(arms):
                for event in (*arms[0], *arms[1]):
                    event[6] = 0

    def _training_loops(self) -> None:
        """A unit that calls ``.backward()`` inside a loop and some ``.step()`` trains
        (``torch``); without the loop it is one training step (``step``), which trains
        its callers' flows but does not make the function an entrypoint."""
        for unit in self.units.values():
            if unit.first_backward is not None and unit.steps:
                node, name = unit.first_backward
                self._event(unit, "t", node, name,
                            "torch" if unit.backward_in_loop else "step")
            elif unit.first_backward is not None:
                # Half a step: a trainer's `forward_backward`, whose optimizer steps in
                # another method; the flow that reaches both halves trains (`callgraph`).
                node, name = unit.first_backward
                self._event(unit, "t", node, name, "bw")
            elif unit.first_step is not None and unit.cls:
                self._event(unit, "t", unit.first_step, spelled(unit.first_step), "st")
