"""MLR614 `no-tests`: a Python project without a single test.

## What it does
Reports once per project, on the project root (``.``), when it has Python modules but
no tests: no ``test_*.py``, ``*_test.py`` or ``conftest.py``, no file in a ``test``,
``tests`` or ``testing`` folder, and no test configuration (``pytest.ini``,
``tox.ini``, ``noxfile.py``, ``[tool.pytest.ini_options]`` in ``pyproject.toml``,
``[tool:pytest]`` in ``setup.cfg``, ``test_suite=`` or ``tests_require=`` in
``setup.py``'s ``setup()`` call, read without running it), and no ``test_*``/``*_test.*`` file (any
language: ``test_gpt2.cu``) or ``tests/`` folder in the root or the folders above it
up to the top of the git work tree. A project of notebooks only is not reported.

## Why is this bad?
Without a single test, a refactor of the data pipeline or the loss can break training
silently: the first sign is a worse curve days later. Even one smoke test (a forward
pass, one optimizer step on a tiny batch) catches shape errors, a broken import or a
loss that is NaN before a GPU hour is spent.

## Example
```text
train.py
model.py
data.py
```

## Use instead
```text
train.py
model.py
data.py
tests/test_model.py    # forward pass shape; one step lowers the loss on a tiny batch
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Testing & Validation" (unit tests:
  model forward pass, loss computation, data loading)
- Day 40 Deep Dive: Building a Complete RL Pipeline: "Unit tests for critical components"
- [pytest: Get started](https://docs.pytest.org/en/stable/getting-started.html)
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import TEST_DIRS, is_test_path
from mlready.hooks.rules.repo.project import ROOT, folders, has_python
from mlready.hooks.syntax import setup_calls

CODE = "MLR614"
SEVERITY = "warning"
NAME = "no-tests"
# python: what the rule is about (a project of scripts and no manifest still needs tests,
# and the scorecard counts the rule as applicable wherever it reads a file kind), and
# setup.py, where a project without pyproject.toml or setup.cfg keeps its metadata.
KINDS = ("python", "pyproject", "setup_cfg")
_CONFIG_FILES = ("pytest.ini", "tox.ini", "noxfile.py", "conftest.py")
# setuptools' own test configuration: the suite `setup.py test` runs, and its packages.
_SETUP_TEST_KEYWORDS = frozenset({"test_suite", "tests_require"})


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """Whether a pyproject.toml, setup.cfg or setup.py configures the tests."""
    if ctx.kind == "python":
        if posixpath.basename(ctx.path) != "setup.py" or ctx.tree is None or ctx.notebook:
            return None  # test files are found by path in `finalize`
        return {"pytest": any(given.arg in _SETUP_TEST_KEYWORDS
                              for call in setup_calls(ctx.tree) for given in call.keywords)}
    data = ctx.data if isinstance(ctx.data, dict) else {}
    if ctx.kind == "pyproject":
        tool = data.get("tool")
        pytest = tool.get("pytest") if isinstance(tool, dict) else None
        return {"pytest": isinstance(pytest, dict)}
    return {"pytest": "tool:pytest" in data}


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not has_python(project) or any(is_test_path(path) for path in project.files):
        return
    if any(isinstance(f, dict) and f.get("pytest") for f in project.facts.values()):
        return
    for folder in folders(project):
        if any(project.disk.exists(folder / name) for name in _CONFIG_FILES):
            return
        for name in project.disk.listdir(folder):  # tests in another language count too
            stem = name.split(".", 1)[0]
            if stem.startswith("test_") or stem.endswith("_test") or (
                    name in TEST_DIRS and project.disk.is_dir(folder / name)):
                return
    yield project.diagnostic(
        ROOT, 1, 1, CODE, "the project has no tests (no `tests/`, `test_*.py` or test "
        "configuration)",
        fix="add tests/test_smoke.py: build the model, run one training step on a tiny "
            "batch, assert the loss is finite")
