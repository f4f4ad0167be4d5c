"""Calls recognised by method name on a receiver we cannot type precisely (an env's
``reset``/``seed``, a space's ``sample``, ``loss.backward()``, ``optimizer.step()``,
``model.cuda()``): the half of call classification that needs no resolved library name.
"""

from __future__ import annotations

import ast

from mlready.hooks.calls import keyword
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.nodes import (
    CollectorBase,
    Unit,
    has_splat,
    is_none,
    node_pos,
    spelled,
)


class MethodCalls(CollectorBase):
    """Method calls on receivers, as unit events (mixed into `units._Collector`)."""

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
