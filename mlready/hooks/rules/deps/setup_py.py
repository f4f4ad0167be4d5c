"""Dependency lists of ``setup.py`` (``setup(install_requires=[...], extras_require={...})``),
read statically from the syntax tree: the file is never executed, so only what is
written as literals counts (a list, a tuple, a dict of lists, or a module-level name
bound once to one of them). A requirement computed at run time (read from a file, built
in a loop) is not a finding: it cannot be seen without running the file.

Also says whether the ``setup()`` call describes a published library (`is_library`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.rules.deps.manifests import ManifestFacts, own
from mlready.hooks.rules.deps.requirements import Entry, string_entry
from mlready.hooks.syntax import setup_calls

# Metadata only a distribution meant for an index carries: a trove classifier list, a
# home page, project links or a long description for the index page.
LIBRARY_KEYWORDS = frozenset({"classifiers", "url", "project_urls", "long_description",
                              "download_url"})


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, by a plain assignment."""
    count: dict[str, int] = {}
    value: dict[str, ast.expr] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else [])
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    count[sub.id] = count.get(sub.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            value[node.targets[0].id] = node.value
    return {name: v for name, v in value.items() if count.get(name) == 1}


def _strings(node: ast.expr, names: dict[str, ast.expr]) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                yield item
    elif isinstance(node, ast.Dict):
        for item in node.values:
            yield from _strings(item, names)


def is_library(call: ast.Call) -> bool:
    return any(k.arg in LIBRARY_KEYWORDS for k in call.keywords)


def setup_py_facts(tree: ast.Module) -> ManifestFacts:
    """Entries of every ``setup()`` call's ``install_requires`` and ``extras_require``."""
    names = _module_literals(tree)
    entries: list[Entry] = []
    project: str | None = None
    library = False
    for call in setup_calls(tree):
        library = library or is_library(call)
        for given in call.keywords:
            if given.arg == "name" and isinstance(given.value, ast.Constant) and \
                    isinstance(given.value.value, str):
                project = given.value.value
            if given.arg not in ("install_requires", "extras_require"):
                continue
            for item in _strings(given.value, names):
                # One requirement per string; the column is the string's opening quote.
                entry = string_entry(item.lineno, item.col_offset + 1, str(item.value))
                if entry is not None:
                    entries.append(entry)
    return ManifestFacts(kind="setup_py", entries=own(entries, project), group_includes=[],
                         library=library)


def install_requires(tree: ast.Module) -> list[str]:
    """The requirement strings of every ``setup()`` call's ``install_requires``: what
    installing the project always installs (``extras_require`` only when asked for)."""
    names = _module_literals(tree)
    return [str(item.value) for call in setup_calls(tree) for given in call.keywords
            if given.arg == "install_requires" for item in _strings(given.value, names)]
