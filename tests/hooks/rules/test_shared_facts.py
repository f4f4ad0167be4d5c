"""The facts several rule families share, each defined once: test paths, "trains",
reading a call's arguments."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from project_files import write

from mlready.hooks.calls import argument, keyword
from mlready.hooks.engine import check
from mlready.hooks.paths import is_test_path
from mlready.hooks.settings import Overrides
from mlready.hooks.training import trains


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/test_model.py", True), ("pkg/test/helpers.py", True), ("conftest.py", True),
    ("pkg/model_test.py", True), ("test_train.py", True),
    ("testing/helpers.py", True),  # the case the three old copies disagreed on
    ("src/testing_utils.py", False), ("latest/train.py", False), ("contest.py", False),
    ("pkg/tests.py", False),
])
def test_is_test_path(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


def test_every_family_skips_a_testing_folder(tmp_path: Path) -> None:
    """MLR401 (types) now agrees with the hparams rules: ``testing/`` holds tests."""
    root = write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "testing/helpers.py": ("import torch\n\n\ndef make(model):\n"
                               "    return torch.optim.SGD(model.parameters(), lr=0.1)\n"),
        "src/helpers.py": ("import torch\n\n\ndef make(model):\n"
                           "    return torch.optim.SGD(model.parameters(), lr=0.1)\n")})
    report = check([root], Overrides(select=["MLR101", "MLR401"], no_cache=True))
    assert sorted({(d.path, d.code) for d in report.diagnostics}) == [
        ("src/helpers.py", "MLR101"), ("src/helpers.py", "MLR401")]


def _call(source: str) -> ast.Call:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    return node.value


@pytest.mark.parametrize(("source", "expected"), [
    ("optimizer.step()", True), ("scaler.step(opt)", True), ("train_one_epoch(model)", True),
    ("trainer.fit(model)", True), ("self.trainer.train()", True),
    ("model.learn(total_timesteps=10)", True), ("model.learn(10)", False),
    ("env.step(action)", False), ("model.train()", False), ("fit(x)", False),
])
def test_trains(source: str, expected: bool) -> None:
    assert trains(_call(source)) is expected


def test_keyword_and_argument() -> None:
    call = _call("f(1, 2, lr=3, **extra)")
    assert isinstance(keyword(call, "lr"), ast.Constant)
    assert keyword(call, "momentum") is None
    found = argument(call, 1, "betas")
    assert isinstance(found, ast.Constant) and found.value == 2
    assert argument(_call("f(*args, 2)"), 1, "x") is None  # behind a splat: unknown
