"""What reads as evaluation code and as a model, for the training-loop rules (MLR701,
MLR705, MLR706).

Evaluation code is recognised by name (`EVAL_NAME`: ``evaluate``, ``validate``,
``test_policy``, ``run_eval``...) or by ``<model>.eval()``; a model by the name of what
is called (`MODEL_NAME`: ``model``, ``net``, ``policy``, ``actor``...). Training is an
optimizer step or ``.backward()`` in the same body (`trains`). Matched by spelling and
file-local, like `mlready.hooks.training`, which these rules use for the steps.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.training import is_step_call, terminal_name

EVAL_NAME = patterns.compile(r"^_?(?:(?:evaluate|validate|eval|test|val|evaluation|validation)"
                             r"(?:_(?:model|policy|agent|epoch|one_epoch|loop))?"
                             r"|run_(?:eval|evaluation|validation))$")
MODEL_NAME = patterns.compile(r"model|net|policy|actor|critic|encoder|agent", re.IGNORECASE)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef)


def text(node: ast.AST) -> str:
    return ast.unparse(node)


def walk_body(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*SCOPES, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def trains(nodes: list[ast.AST]) -> bool:
    """An optimizer step or a ``.backward()`` among ``nodes``: training, not evaluation."""
    return any(isinstance(n, ast.Call) and (
        is_step_call(n) or (isinstance(n.func, ast.Attribute) and n.func.attr == "backward"))
        for n in nodes)


def mode_calls(nodes: list[ast.AST], mode: str) -> list[ast.Call]:
    """The ``<model>.eval()`` (``mode="eval"``) or ``<model>.train()`` calls among
    ``nodes``, of receivers named like a model (an env wrapper's ``eval()`` is not one).
    ``.train(False)`` is an ``eval``; ``.train(True)``, ``.train(mode)`` a ``train``."""
    found: list[ast.Call] = []
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and MODEL_NAME.search(terminal_name(node.func.value))):
            continue
        attr, args = node.func.attr, [*node.args, *(k.value for k in node.keywords)]
        off = attr == "train" and len(args) == 1 and isinstance(args[0], ast.Constant) \
            and args[0].value is False
        sets_eval = (attr == "eval" and not args) or off
        sets_train = attr == "train" and not off and len(args) <= 1
        if (sets_eval if mode == "eval" else sets_train):
            found.append(node)
    return found


def eval_receivers(nodes: list[ast.AST]) -> set[str]:
    """What ``.eval()`` is called on (``model.eval()`` -> ``model``)."""
    return {text(n.func.value) for n in mode_calls(nodes, "eval")
            if isinstance(n.func, ast.Attribute) and n.func.attr == "eval"}
