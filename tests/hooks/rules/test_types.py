"""MLR401: coverage numbers, options and scope, beyond what the fixture shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from project_files import write

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.engine import check
from mlready.hooks.rules.types import missing_type_annotation as rule
from mlready.hooks.settings import Overrides

MODEL = '''\
class Net:
    def __init__(self, width: int):
        self.width = width

    def forward(self, x):
        return x

    def _hidden(self, y):
        return y


def build(width: int = 4) -> Net:
    return Net(width)
'''
TRAIN = '''\
def train(model, steps: int, *args, **kwargs: int) -> None:
    pass


def main():
    train(None, 1)
'''
TESTS = "def test_it(tmp_path):\n    pass\n"


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    return write(tmp_path / "proj", files)


def run(root: Path) -> tuple[list[str], Any]:
    report = check([root], Overrides(select=["MLR401"], no_cache=True), jobs=1)
    assert report.errors == ()
    lines = [f"{d.path}:{d.line}:{d.col} {d.code} {d.message}" for d in report.diagnostics]
    return lines, report.metrics["missing-type-annotation"]


def test_coverage_counts_parameters_and_returns_of_checked_functions(tmp_path: Path) -> None:
    root = project(tmp_path, {"pkg/model.py": MODEL, "pkg/train.py": TRAIN,
                              "tests/test_train.py": TESTS, "pkg/_impl.py": TRAIN,
                              "pkg/empty.py": "X = 1\n"})
    findings, metrics = run(root)
    assert findings == [
        "pkg/model.py:5:5 MLR401 `Net.forward`: parameter `x` and the return type have no "
        "type annotation",
        "pkg/train.py:1:1 MLR401 `train`: parameters `model`, `*args` have no type annotation",
        "pkg/train.py:5:1 MLR401 `main`: return type has no annotation",
    ]
    # model.py: __init__ width (its return is implied) 1/1, forward 0/2, build 2/2 -> 3/5.
    # train.py: train 3/5 (model, steps, *args, **kwargs, return), main 0/1 -> 3/6.
    assert metrics == {
        "project": {"annotated": 6, "total": 11, "ratio": 0.5455},
        "files": {"pkg/model.py": {"annotated": 3, "total": 5, "ratio": 0.6},
                  "pkg/train.py": {"annotated": 3, "total": 6, "ratio": 0.5}},
    }


def test_options_bring_tests_and_private_names_in(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "pyproject.toml": "[tool.mlready.types]\ninclude-tests = true\ninclude-private = true\n",
        "pkg/model.py": MODEL, "tests/test_train.py": TESTS, "pkg/_impl.py": "def f(x): ...\n",
    })
    findings, metrics = run(root)
    assert [f.split(" MLR401 ")[1].split(":")[0] for f in findings] == [
        "`f`", "`Net.forward`", "`Net._hidden`", "`test_it`"]
    assert metrics["project"] == {"annotated": 3, "total": 11, "ratio": 0.2727}


def test_an_unknown_option_is_a_configuration_error(tmp_path: Path) -> None:
    from mlready.config import ConfigError

    root = project(tmp_path, {"pyproject.toml": "[tool.mlready.types]\ninclude-test = true\n",
                              "a.py": ""})
    with pytest.raises(ConfigError, match="include-test"):
        check([root], Overrides(select=["MLR401"], no_cache=True), jobs=1)


def test_nothing_to_annotate_has_no_ratio(tmp_path: Path) -> None:
    _, metrics = run(project(tmp_path, {"a.py": "X = 1\n"}))
    assert metrics == {"project": {"annotated": 0, "total": 0, "ratio": None}, "files": {}}


@pytest.mark.parametrize(("path", "is_test"), [
    ("tests/test_model.py", True), ("pkg/test/helpers.py", True), ("test_model.py", True),
    ("pkg/model_test.py", True), ("conftest.py", True), ("pkg/testing.py", False),
    ("pkg/contest.py", False), ("latest/model.py", False),
])
def test_test_paths(path: str, is_test: bool) -> None:
    assert rule.is_test_path(path) is is_test


def facts(source: str, path: str = "m.py", **options: bool) -> Any:
    ctx = FileContext.from_source(path, source, options=options)
    return rule.collect(ctx)


def test_notebooks_are_not_checked() -> None:
    ctx = FileContext.from_source("nb.ipynb", "def f(x):\n    return x\n", notebook=True)
    assert rule.collect(ctx) is None


def test_private_modules_are_out_of_scope_by_default() -> None:
    assert facts("def f(x): ...\n", "pkg/_internal/ops.py") is None
    assert facts("def f(x): ...\n", "pkg/__init__.py")["total"] == 2
    assert facts("def f(x): ...\n", "pkg/__main__.py")["total"] == 2


def test_positional_only_keyword_only_and_decorated_methods() -> None:
    source = (
        "import typing\n"
        "class A:\n"
        "    @staticmethod\n"
        "    def s(a: int, /, b, *, c: int) -> int: ...\n"
        "    @typing.no_type_check\n"
        "    def skipped(self, x): ...\n"
        "    def __new__(cls, size: int) -> 'A': ...\n"
    )
    result = facts(source)
    assert [m[2] for m in result["missing"]] == ["`A.s`: parameter `b` has no type annotation"]
    assert (result["annotated"], result["total"]) == (5, 6)


def test_finalize_reports_only_targets() -> None:
    project = ProjectContext(root=Path(), files=("a.py", "b.py"), targets=frozenset({"b.py"}),
                             facts={"a.py": facts("def f(x): ...\n"),
                                    "b.py": facts("def g() -> None: ...\ndef h(): ...\n")})
    assert [(d.path, d.line, d.message) for d in rule.finalize(project)] == [
        ("b.py", 2, "`h`: return type has no annotation")]


@pytest.mark.parametrize(("path", "source"), [
    ("api/service_pb2_grpc.py", "class Stub:\n    def Call(self, request): ...\n"),
    ("gen.py", "# @generated by codegen\ndef f(x): ...\n"),
    ("gen.py", '"""Autogenerated by thrift. DO NOT EDIT."""\ndef f(x): ...\n'),
])
def test_generated_files_are_out_of_scope(path: str, source: str) -> None:
    assert facts(source, path) is None
