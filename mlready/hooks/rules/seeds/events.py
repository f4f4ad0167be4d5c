"""What one resolved library call means to the seeding rules: a seed, a draw, CUDA,
determinism, a framework's training.

`LibraryCalls` is the part of the per-file collector (`units`) that classifies a
resolved library call (``torch.manual_seed``, ``np.random.rand``, ``trainer.fit``,
``DataLoader(num_workers=4)``, ``torch.optim.Adam``) into unit events, and hands calls
on a receiver to `methods`; the event kinds are listed in `units`.
"""

from __future__ import annotations

import ast

from mlready.hooks.calls import argument, keyword
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.methods import MethodCalls
from mlready.hooks.rules.seeds.nodes import (
    Unit,
    has_splat,
    is_none,
    literal_false,
    literal_true,
    node_pos,
)


class LibraryCalls(MethodCalls):
    """Classification of library calls into unit events (mixed into `units._Collector`,
    which owns the units, the spans and the variable bindings these methods read)."""

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
