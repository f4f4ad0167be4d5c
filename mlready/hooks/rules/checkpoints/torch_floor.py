"""Which torch a project installs, as far as its manifests say: for MLR301, whose omitted
``weights_only`` is safe on torch 2.6 and later only.

The project is taken to install a torch of 2.6 or later when all of these hold:

- a manifest at its root asks for torch whenever the project is installed (``[project]
  dependencies`` or Poetry's main dependencies in ``pyproject.toml``, ``install_requires``
  in ``setup.py``, or ``requirements.txt``), at 2.6 or later;
- every other torch requirement of every manifest mlready reads (extras, dependency
  groups, ``[tool.uv]`` overrides, pixi tables, other requirements files, conda
  environments, ``setup.cfg``) starts at 2.6 or later too, and every requirements file
  they include is one mlready reads;
- no manifest other than the root's says it is a project of its own (a nested
  ``pyproject.toml``, ``setup.py`` or ``setup.cfg``: a monorepo's parts install their own
  torch);
- nothing sets ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` (which turns the old default back on)
  or assigns ``torch.load`` (a wrapper may pass ``weights_only=False``) in a file mlready
  reads.

What a manifest mlready does not read (a ``Pipfile``, ``test-requirements.txt``, a CI
file that installs another torch) cannot be seen: the rule page says so.
"""

from __future__ import annotations

import ast
import posixpath
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.rules.deps.facts import manifest_facts
from mlready.hooks.rules.deps.floors import (
    lowest_version,
    pyproject_requirements,
    requirements_in,
)

SAFE_FROM = "2.6"  # the release whose torch.load defaults to weights_only=True
# torch's PyPI name, and conda's names of its builds (`pytorch-cuda` selects a CUDA).
NAMES = frozenset({"torch", "pytorch", "pytorch-gpu", "pytorch-cpu"})
_FORCE = "torch_force_no_weights_only_load"  # lower case: compared with a lowered text
# The loads whose default became weights_only=True in 2.6 (without a `pickle_module`).
SAFE_BY_DEFAULT = frozenset({"torch.load", "torch.serialization.load"})
_PACKAGE_MANIFESTS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


def collect(ctx: FileContext) -> dict[str, Any]:
    """What one file says about the torch the project installs: ``declared`` (every
    torch requirement in it), ``runtime`` (those a root manifest always installs),
    ``includes`` (the requirements files it pulls in; None for one outside the project)
    and ``forced`` (it undoes the 2.6 default)."""
    facts: dict[str, Any] = {}
    lowered = ctx.source.lower()
    if _FORCE in lowered or (ctx.kind == "python" and _assigns_load(ctx)):
        facts["forced"] = True
    manifest = manifest_facts(ctx) if ctx.kind != "python" or \
        posixpath.basename(ctx.path) == "setup.py" else None
    if manifest is not None and manifest.get("includes"):
        facts["includes"] = [include["target"] for include in manifest["includes"]]
    if "torch" not in lowered or manifest is None:
        return facts
    if ctx.kind == "pyproject" and isinstance(ctx.data, dict):
        declared = list(pyproject_requirements(ctx.data, NAMES))
    else:
        declared = [e["text"] for e in manifest.get("entries", ()) if e.get("name") in NAMES]
    if declared:
        facts["declared"] = declared
    runtime = _runtime(ctx, declared) if "/" not in ctx.path else []
    if runtime:
        facts["runtime"] = runtime
    return facts


def _runtime(ctx: FileContext, declared: list[str]) -> list[str]:
    """The torch requirements a root manifest installs with the project itself."""
    if ctx.kind == "requirements" and ctx.path == "requirements.txt":
        return declared
    if ctx.kind == "pyproject" and isinstance(ctx.data, dict):
        project = ctx.data.get("project")
        poetry = ctx.data.get("tool", {}).get("poetry", {}) \
            if isinstance(ctx.data.get("tool"), dict) else {}
        main = [project.get("dependencies") if isinstance(project, dict) else None,
                poetry.get("dependencies") if isinstance(poetry, dict) else None]
        return list(requirements_in([m for m in main if m is not None], NAMES))
    if ctx.kind == "python" and ctx.tree is not None:
        from mlready.hooks.rules.deps.setup_py import install_requires

        return list(requirements_in(install_requires(ctx.tree), NAMES))
    return []


def _assigns_load(ctx: FileContext) -> bool:
    """``torch.load = patched``: every later omitted argument means what the patch says."""
    if "torch" not in ctx.source or ".load" not in ctx.source or ctx.tree is None:
        return False
    return any(isinstance(target, ast.Attribute)
               and ctx.resolver.qualname(target) in SAFE_BY_DEFAULT
               for node in ctx.nodes(ast.Assign) for target in node.targets)


def installs_safe_default(project: ProjectContext, facts: dict[str, Any]) -> bool:
    """Whether every torch the project installs defaults to ``weights_only=True`` (the
    module docstring's conditions); ``facts``: path -> `collect`'s facts."""
    from packaging.version import Version

    if any(posixpath.basename(path) in _PACKAGE_MANIFESTS and "/" in path
           for path in project.files):
        return False
    known = set(project.files)
    runtime: list[str] = []
    declared: list[str] = []
    for found in facts.values():
        if found.get("forced") or any(target is None or target not in known
                                      for target in found.get("includes", ())):
            return False
        runtime += found.get("runtime", ())
        declared += found.get("declared", ())
    floor = Version(SAFE_FROM)
    versions = [lowest_version(text) for text in (*runtime, *declared)]
    return bool(runtime) and all(v is not None and v >= floor for v in versions)
