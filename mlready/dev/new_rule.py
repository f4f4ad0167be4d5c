"""``new-rule MLR701 eval-without-no-grad --family training``: the scaffold of a rule,
as ruff's ``scripts/add_rule.py`` writes one.

Writes the rule module (``mlready/hooks/rules/<family>/<name>.py``, with every
docstring section), its fixture (``tests/fixtures/rules/<CODE>.py``) and its registry
entry (the family's tuple in ``mlready/hooks/rules/__init__.py``). A new family also
gets its folder, its ``__init__.py`` and a pre-commit hook (``mlready-<family>``).
Then ``python -m mlready.dev generate`` rebuilds the index and the README; the
fixture test fails until the rule fires where the fixture says.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

CODE = re.compile(r"^MLR[0-9]{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
FAMILY = re.compile(r"^[a-z][a-z_]*$")


class ScaffoldError(ValueError):
    """A code, name or family the scaffold refuses (one line)."""


@dataclass(frozen=True)
class Scaffold:
    code: str
    name: str
    family: str

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")


MODULE = '''"""{summary}

## What it does
TODO: what the rule flags, precisely enough that a reader can predict each finding.

## Why is this bad?
TODO: what goes wrong in a training run or for a reader of the code.

## Example
```python
TODO = "the code the rule flags"
```

## Use instead
```python
TODO = "the code it accepts"
```

## Options
None.

## References
- TODO: the checklist item or the library documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

CODE = "{code}"
SEVERITY = "warning"  # TODO: "error" (reproducibility, correctness, security), "warning"
#                       (hygiene) or "note" (style)
NAME = "{name}"
KINDS = ("python",)


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    """TODO: yield ``ctx.diagnostic(CODE, node, "`construct`: what is wrong", fix=...)``."""
    return iter(())
'''
FIXTURE = '''"""Fixture of {code} `{name}`: the bad cases carry `# error: {code} <message>` on the
reported line; every other line must produce nothing (see tests/fixtures/README.md)."""


def bad() -> None:
    pass  # error: {code} TODO: the message the rule reports here


def good() -> None:
    pass
'''
HOOK = '''- id: mlready-{family}
  name: mlready ({family})
  description: "TODO: what the {family} rules check ({prefix}xx)."
  entry: mlready check --force-exclude --fix --select {family}
  language: python
  types_or: [python, jupyter]
  require_serial: true
  minimum_pre_commit_version: "3.0.0"
'''


def validate(scaffold: Scaffold, root: Path) -> None:
    if not CODE.match(scaffold.code):
        raise ScaffoldError(f"`{scaffold.code}`: a code is MLR and three digits (MLR701)")
    if not NAME.match(scaffold.name):
        raise ScaffoldError(f"`{scaffold.name}`: a name is kebab-case words (eval-without-no-grad)")
    if not FAMILY.match(scaffold.family):
        raise ScaffoldError(f"`{scaffold.family}`: a family is a lower-case word (training)")
    index = (root / "mlready/hooks/rules/_index.py").read_text(encoding="utf-8")
    if f'"{scaffold.code}"' in index or f'"{scaffold.name}"' in index:
        raise ScaffoldError(f"{scaffold.code} `{scaffold.name}`: code or name already taken")


def register(source: str, scaffold: Scaffold) -> str:
    """``rules/__init__.py`` with the module added to its family's tuple in ``FAMILIES``
    (a new family gets its own line at the end)."""
    tree = ast.parse(source)
    table = next(node.value for node in tree.body if isinstance(node, ast.AnnAssign)
                 and isinstance(node.target, ast.Name) and node.target.id == "FAMILIES")
    assert isinstance(table, ast.Dict)
    lines = source.splitlines(keepends=True)
    for key, value in zip(table.keys, table.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == scaffold.family:
            assert isinstance(value, ast.Tuple) and value.elts
            last = value.elts[-1]
            row = last.end_lineno - 1  # type: ignore[operator]
            col = last.end_col_offset
            assert col is not None
            lines[row] = f'{lines[row][:col]}, "{scaffold.module}"{lines[row][col:]}'
            return "".join(lines)
    row = table.end_lineno - 1  # type: ignore[operator]  # the closing brace's line
    entry = f'    "{scaffold.family}": ("{scaffold.module}",),  # {scaffold.code[:4]}xx\n'
    lines.insert(row, entry)
    return "".join(lines)


def new_rule(scaffold: Scaffold, root: Path) -> list[Path]:
    """Write the scaffold under ``root`` (a checkout); the paths written, in order."""
    validate(scaffold, root)
    rules = root / "mlready/hooks/rules"
    folder = rules / scaffold.family
    written: list[Path] = []
    registry = rules / "__init__.py"
    source = registry.read_text(encoding="utf-8")
    new_family = f'"{scaffold.family}": (' not in source
    if new_family:
        folder.mkdir()
        (folder / "__init__.py").write_text(
            f'"""{scaffold.code[:4]}xx {scaffold.family}: TODO, what the family checks."""\n',
            encoding="utf-8")
        written.append(folder / "__init__.py")
    module = folder / f"{scaffold.module}.py"
    summary = f"{scaffold.code} `{scaffold.name}`: TODO, one line on what it flags."
    module.write_text(MODULE.format(summary=summary, code=scaffold.code, name=scaffold.name),
                      encoding="utf-8")
    written.append(module)
    fixture = root / "tests/fixtures/rules" / f"{scaffold.code}.py"
    fixture.write_text(FIXTURE.format(code=scaffold.code, name=scaffold.name), encoding="utf-8")
    written.append(fixture)
    registry.write_text(register(source, scaffold), encoding="utf-8")
    written.append(registry)
    hooks = root / ".pre-commit-hooks.yaml"
    if new_family and hooks.is_file():
        text = hooks.read_text(encoding="utf-8")
        hooks.write_text(text + HOOK.format(family=scaffold.family, prefix=scaffold.code[:4]),
                         encoding="utf-8")
        written.append(hooks)
    return written
