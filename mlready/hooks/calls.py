"""Reading a call's arguments as the callee would bind them, for rules that ask which
value a parameter gets: by keyword, or by keyword or position."""

from __future__ import annotations

import ast


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value passed as ``name=...``, or None (``**kwargs`` are not looked into)."""
    for given in call.keywords:
        if given.arg == name:
            return given.value
    return None


def argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """A parameter given by keyword or at position ``index`` (not behind a ``*args``)."""
    found = keyword(call, name)
    if found is None and len(call.args) > index \
            and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        found = call.args[index]
    return found
