"""Small AST predicates that several rules (and `mlready init`) share.

One definition of "a ``__main__`` guard" keeps the rules agreeing on what an
entrypoint is: the seeding rules, the documentation rule and the config rule all ask.
Likewise "a ``setup()`` call", which the dependency facts and MLR614 (no tests) read.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator


def is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either operand order), and nothing else."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and mains)


def main_guard(tree: ast.Module) -> ast.If | None:
    """The module's top-level ``__main__`` guard, if it has one."""
    for node in tree.body:
        if is_main_guard(node):
            assert isinstance(node, ast.If)
            return node
    return None


def setup_calls(tree: ast.Module) -> Iterator[ast.Call]:
    """Every ``setup(...)`` call of the file (``setuptools.setup`` or a bare ``setup``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "setup":
                yield node
