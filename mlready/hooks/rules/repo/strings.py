"""The string literals of a Python file that are values, not documentation.

Docstrings (a string expression statement: the first one of a module, class or
function, and any other bare string statement used as a comment) are prose: an
example path or a sample token in them is not code that runs. Shared by MLR610 and
MLR613, which read every other literal, f-string parts included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlready.hooks.context import FileContext


def value_strings(ctx: FileContext) -> Iterator[tuple[ast.Constant, str]]:
    """Every ``str`` constant of the file, with its text, except bare string statements
    (docstrings)."""
    prose = {id(node.value) for node in ctx.nodes(ast.Expr)
             if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
    for node in ctx.nodes(ast.Constant):
        if isinstance(node.value, str) and id(node) not in prose:
            yield node, node.value
