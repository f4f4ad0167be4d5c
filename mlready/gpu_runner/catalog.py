"""The checks' ids, order and categories, read from their modules' source without importing them.

The scorecard needs only which checks exist and which category each feeds; importing
the checks would import the session, the process runner and psutil with them (about
0.2 s, three times what the scorecard's own modules cost). So this reads the literal
``ID``, ``ORDER`` and ``CATEGORY`` at the top of each check module, the same constants
`mlready.gpu_runner.checks` imports; a test asserts both views agree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHECKS_DIR = Path(__file__).with_name("checks")
FIELDS = ("ID", "ORDER", "CATEGORY")


@dataclass(frozen=True)
class Entry:
    id: str
    order: int
    category: str


def _constants(path: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in FIELDS \
                and isinstance(node.value, ast.Constant):
            found[node.targets[0].id] = node.value.value
    return found


@cache
def entries() -> tuple[Entry, ...]:
    """Every check module's (id, order, category), in run order."""
    out = []
    for path in sorted(CHECKS_DIR.glob("*.py")):
        if path.name.startswith("_"):
            continue
        found = _constants(path)
        missing = [name for name in FIELDS if name not in found]
        if missing:
            raise ValueError(f"{path}: no literal {', '.join(missing)} at the top of the "
                             "check module")
        out.append(Entry(str(found["ID"]), int(str(found["ORDER"])), str(found["CATEGORY"])))
    return tuple(sorted(out, key=lambda e: e.order))
