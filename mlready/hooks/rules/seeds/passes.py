"""Whole-file passes of the seeding collector, run after every call is classified:
cuDNN switches set by assignment, CUDA device strings, loads in both arms of an ``if``,
and which units train (a backward pass with an optimizer step, in a loop or not).
"""

from __future__ import annotations

import ast

from mlready.hooks.rules.seeds.nodes import (
    CollectorBase,
    Spans,
    literal_false,
    literal_true,
    node_end,
    node_pos,
    node_start,
    spelled,
)


class FilePasses(CollectorBase):
    """Passes over the whole file's units (mixed into `units._Collector`)."""

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
        # `add_argument("--device", default="cpu", choices=["cpu", "cuda"])`: the values
        # a user may pick are no choice made; the default (or a test of it) says.
        offered = Spans((node_pos(kw.value), node_end(kw.value))
                        for call in self.ctx.nodes(ast.Call) for kw in call.keywords
                        if kw.arg == "choices")
        for constant in self.ctx.nodes(ast.Constant):
            value = constant.value
            # `"cuda"`, `f"cuda:{rank}"`, and NCCL, the process-group backend of GPUs.
            if isinstance(value, str) and (value.startswith("cuda") or value == "nccl") \
                    and len(value) < 8 and node_pos(constant) not in self.device_tests \
                    and node_pos(constant) not in offered:
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
