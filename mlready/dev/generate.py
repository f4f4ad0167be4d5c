"""Everything derived from the rule modules, rebuilt by one command.

- ``mlready/hooks/rules/_index.py``: each rule's metadata, and which families keep
  their options in ``rules/<family>/options.py`` (the registry reads it so that
  choosing rules and validating settings import no rule);
- the README block between ``<!-- rules:start -->`` and ``<!-- rules:end -->``: the
  rules table (from the docstrings) and the hook line (from .pre-commit-hooks.yaml);
- the runtime checks' tables in ``docs/`` (from the check modules' declarations,
  `mlready.gpu_runner.checks._docs`);
- every reference to our own action and hook repository (the README snippets,
  ``mlready init``'s workflow template, ``examples/workflows/``), at the pin of
  `mlready.github.pins` (RELEASING.md).

`generate` writes what is stale and returns the paths it wrote; with ``check`` it
writes nothing and returns the stale paths. Running it twice changes nothing.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import mlready
from mlready.github import pins
from mlready.gpu_runner.checks import _docs as check_docs
from mlready.hooks import docs
from mlready.hooks import rules as registry

ROOT = Path(mlready.__file__).resolve().parents[1]  # the checkout the package runs from
INDEX = Path(registry.__file__).with_name("_index.py")


def generate(check: bool = False, root: Path = ROOT) -> list[Path]:
    """Rebuild the index, then the README block from it; the paths written (or stale)."""
    changed: list[Path] = []
    text = registry.index_source()
    if INDEX.read_text(encoding="utf-8") != text:
        changed.append(INDEX)
        if not check:
            INDEX.write_text(text, encoding="utf-8")
    if not check:  # the README is generated from the new index, not the imported one
        importlib.reload(importlib.import_module("mlready.hooks.rules._index"))
        registry.all_rules.cache_clear()
    readme = root / "README.md"
    current = readme.read_text(encoding="utf-8")
    hooks = docs.read_hooks(root / ".pre-commit-hooks.yaml")
    updated = pins.rewrite(docs.replace_table(current, docs.generated(registry.all_rules(),
                                                                      hooks)))
    if updated != current:
        changed.append(readme)
        if not check:
            readme.write_text(updated, encoding="utf-8")
    if (root / "docs").is_dir():
        for path, (current, text) in check_docs.render(root / "docs").items():
            if text != current:
                changed.append(path)
                if not check:
                    path.write_text(text, encoding="utf-8")
    pinned = [root / "mlready" / "github" / "templates" / "mlready.yml",
              *sorted((root / "examples" / "workflows").glob("*.yml"))]
    for path in pinned:
        if path.is_file():
            current = path.read_text(encoding="utf-8")
            text = pins.rewrite(current)
            if text != current:
                changed.append(path)
                if not check:
                    path.write_text(text, encoding="utf-8")
    return changed
