"""Qualified-name resolution through imports and aliases.

`import torch as T; T.optim.Adam` and `from torch import optim; optim.Adam` both
resolve to ``torch.optim.Adam``, so that rules match on what the code means rather
than on how it was spelled. Relative imports resolve against the file's own module.
A name imported from the module that defines it, where a public parent re-exports it
(``from torch.utils.data.dataloader import DataLoader``), resolves to its public name
(``torch.utils.data.DataLoader``): one symbol, one name, in every rule and message.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable

_BUILTINS = frozenset(dir(builtins))
# Public package -> its submodules whose names it re-exports (``torch.nn`` exports every
# ``torch.nn.modules.<sub>`` class; ``torch.optim.lr_scheduler`` is public on its own).
_REEXPORTS: dict[str, tuple[str, frozenset[str] | None]] = {
    "torch.utils.data": ("torch.utils.data", frozenset({
        "dataloader", "dataset", "sampler", "distributed"})),
    "torch.nn.modules": ("torch.nn", None),  # None: every submodule
    "torch.optim": ("torch.optim", frozenset({
        "adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "asgd", "lbfgs",
        "nadam", "optimizer", "radam", "rmsprop", "rprop", "sgd", "sparse_adam"})),
}


def canonical(name: str) -> str:
    """The public name of ``name``: ``torch.utils.data.dataloader.DataLoader`` ->
    ``torch.utils.data.DataLoader``, ``torch.nn.modules.linear.Linear`` ->
    ``torch.nn.Linear``; anything else unchanged."""
    module, _, symbol = name.rpartition(".")
    package, _, sub = module.rpartition(".")
    target = _REEXPORTS.get(package)
    if target is None or not symbol or (target[1] is not None and sub not in target[1]):
        return name
    return f"{target[0]}.{symbol}"


def module_name_for(path: str) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod``; ``pkg/__init__.py`` -> ``pkg``; drops ``src/``."""
    parts = path.removesuffix(".py").removesuffix(".ipynb").split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class NameResolver:
    """Maps local names bound by imports anywhere in a module to fully qualified names."""

    def __init__(self, tree: ast.Module, module: str = "", is_package: bool = False,
                 imports: Iterable[ast.Import | ast.ImportFrom] | None = None) -> None:
        """``imports``: the module's import statements when the caller already has them
        (the engine's shared node index), saving a walk of the whole tree."""
        self.module = module
        self._package = module if is_package else module.rpartition(".")[0]
        self.aliases: dict[str, str] = {}
        # node -> its qualname: a file's resolver is shared by every rule, and most rules
        # resolve every call's callee (the answer depends on the node and the imports,
        # which are fixed once this is built). Keyed by the node itself, not its id: a
        # node a rule built for the question stays alive, so no id is reused meanwhile.
        self._qualnames: dict[ast.AST, str | None] = {}
        for node in ast.walk(tree) if imports is None else imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        # `import a.b` binds `a`, and `a.b.c` then resolves naturally.
                        top = alias.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node.module, node.level)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    target = f"{base}.{alias.name}" if base else alias.name
                    self.aliases[alias.asname or alias.name] = target

    def _absolute(self, module: str | None, level: int) -> str:
        if level == 0:
            return module or ""
        parts = self._package.split(".") if self._package else []
        if level > 1:
            parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to, or None when it is not a plain name.

        Calls resolve to their callee. Names bound by imports resolve through them;
        builtins resolve to themselves (``range``); other local names resolve to
        ``<module>.<name>`` when the module is known, so that project functions get
        project-wide identities.
        """
        try:
            return self._qualnames[node]
        except KeyError:
            found = self._qualnames[node] = self._resolve(node)
            return found

    def _resolve(self, node: ast.AST) -> str | None:
        attrs: list[str] = []
        while True:  # a loop, not recursion: `a.b.c...` may be thousands of levels deep
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                attrs.append(node.attr)
                node = node.value
            else:
                break
        if not isinstance(node, ast.Name):
            return None
        if node.id in self.aliases:
            base = self.aliases[node.id]
        elif node.id in _BUILTINS:
            base = node.id
        else:
            base = f"{self.module}.{node.id}" if self.module else node.id
        return canonical(".".join([base, *reversed(attrs)]) if attrs else base)

    def imports(self, prefix: str) -> bool:
        """Whether any import in the module binds ``prefix`` or something under it."""
        dotted = prefix + "."
        return any(v == prefix or v.startswith(dotted) for v in self.aliases.values())
