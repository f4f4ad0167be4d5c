"""What a file's seeding facts keep: units with events that matter, calls that can reach
one, and the imports that re-export project names.

The engine holds every file's facts in memory once per rule, so a library file's facts
must stay small: calls to same-file functions without events, and repeats of a call,
are dropped here before packing (`facts.pack`).
"""

from __future__ import annotations

import ast

from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds.facts import Event
from mlready.hooks.rules.seeds.nodes import COND as _COND
from mlready.hooks.rules.seeds.nodes import NESTED as _NESTED
from mlready.hooks.rules.seeds.nodes import CollectorBase, Unit


class KeptFacts(CollectorBase):
    """Which units and events survive (mixed into `units._Collector`)."""

    module: str
    classes: dict[str, list[str]]

    def _kept_events(self, unit: Unit, live: set[str]) -> list[Event]:
        """The unit's events without calls that cannot matter: to same-file functions
        with no events, and repeats of a call (only the first seeds or draws first)."""
        kept: list[Event] = []
        seen: set[tuple[str, int]] = set()
        for event in sorted(unit.events, key=lambda e: (e[1], e[2])):
            if event[0] == "c":
                key = (event[5], event[6] & (_NESTED | _COND))
                if key in seen or not self._live_call(event[5], live):
                    continue
                seen.add(key)
            kept.append(event)
        return kept

    def _live_units(self) -> set[str]:
        """Units with an event other than a call or a figure, closed over same-file calls."""
        # A CUDA hint alone counts too: a trainer's `__init__` that only moves the model
        # to the GPU, a `get_args()` whose device defaults to `"cuda"` when there is one,
        # a `get_device()` helper: each says where the run that calls it trains.
        live = {n for n, u in self.units.items() if any(e[0] not in "cp" for e in u.events)}
        changed = True
        while changed:
            changed = False
            for name, unit in self.units.items():
                if name not in live and any(
                        e[0] == "c" and self._live_call(e[5], live) for e in unit.events):
                    live.add(name)
                    changed = True
        return live

    def _live_call(self, target: str, live: set[str]) -> bool:
        prefix = self.module + "." if self.module else ""
        if not target.startswith(prefix):
            return True  # another module: decided across files
        local = target[len(prefix):]
        if "()" in local or ".*." in local:
            return True  # through what a function returns: decided across files
        head = local.partition(".")[0]
        if local in live:
            return True
        if head in self.classes:
            return bool(self.classes[head]) or any(u.startswith(head + ".") for u in live)
        return False

    def _exports(self) -> dict[str, str]:
        """Module-level imports of project names, for re-exports through ``__init__``."""
        tree = self.ctx.tree
        assert tree is not None
        exports: dict[str, str] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                for alias in statement.names:
                    local = alias.asname or alias.name.partition(".")[0]
                    target = self.aliases.get(local)
                    if target is not None and not api.is_external(target):
                        exports[local] = target
        return exports
