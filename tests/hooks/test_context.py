"""The shared node index and the context helpers rules build on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlready.hooks.context import FileContext, index_nodes

SKIPPED = (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
SOURCE = '''
import a
from b import c as d
def f(x: int = 1, *a, k=None, **kw) -> "T":
    global g
    y = [i for i in range(3) if i]
    match x:
        case {"k": 1, **rest}: pass
        case C(a, b=2) | None: pass
    return {1: 2, **kw}[0] + -x if not x else f"{x!r:>3}"
class K(B, metaclass=M):
    async def m(self):
        async with a as b: await c
        try: pass
        except E as e: raise X from e
'''


@pytest.mark.parametrize("source", [SOURCE, Path(ast.__file__).read_text(encoding="utf-8")])
def test_index_has_every_node_ast_walk_finds(source: str) -> None:
    tree = ast.parse(source)
    walked: dict[type[ast.AST], list[ast.AST]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, SKIPPED):
            walked.setdefault(type(node), []).append(node)
    index = index_nodes(tree)
    assert set(index) == set(walked)
    for node_class, nodes in walked.items():
        assert sorted(map(id, index[node_class])) == sorted(map(id, nodes)), node_class


def test_nodes_are_in_source_order() -> None:
    ctx = FileContext.from_source("m.py", "f(g(1), h(2))\nif x:\n    k()\nelse:\n    j()\n")
    assert [ast.unparse(c.func) for c in ctx.nodes(ast.Call)] == ["f", "g", "h", "k", "j"]
    both = ctx.nodes(ast.Call, ast.If)
    assert [type(n).__name__ for n in both] == ["Call", "Call", "Call", "If", "Call", "Call"]


def test_columns_count_characters() -> None:
    ctx = FileContext.from_source("m.py", "s = 'é'; t = f(1)\n")
    call = ctx.nodes(ast.Call)[0]
    found = ctx.diagnostic("MLR990", call, "m")
    assert (found.col, found.end_col) == (14, 18)  # bytes would say 15 and 19
    assert ctx.resolver.qualname(call) == "m.f"


def test_main_guard_is_recognised_in_either_order_and_nothing_else() -> None:
    import ast

    from mlready.hooks.syntax import is_main_guard, main_guard

    def first(source: str) -> ast.stmt:
        return ast.parse(source).body[0]

    assert is_main_guard(first('if __name__ == "__main__":\n    pass\n'))
    assert is_main_guard(first('if "__main__" == __name__:\n    pass\n'))
    assert not is_main_guard(first('if __name__ != "__main__":\n    pass\n'))
    assert not is_main_guard(first('if __name__ == "__main__" == x:\n    pass\n'))
    assert not is_main_guard(first('if name == "__main__":\n    pass\n'))
    tree = ast.parse('import os\n\nif __name__ == "__main__":\n    os.getcwd()\n')
    guard = main_guard(tree)
    assert guard is not None and guard.lineno == 3
    assert main_guard(ast.parse("x = 1\n")) is None
