"""Helpers for the engine's tests: small projects on disk, real git repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from project_files import Files, write


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)})
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Callable[[Files], Path]:
    """``project({"a.py": "..."})`` writes a project with a pyproject.toml at its root."""
    def make(files: Files) -> Path:
        root = tmp_path / "proj"
        root.mkdir(exist_ok=True)
        if "pyproject.toml" not in files:
            (root / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
        return write(root, files)

    return make


@pytest.fixture
def repo(tmp_path: Path) -> Callable[[Files], Path]:
    """Like ``project`` but a real git repository with everything committed."""
    def make(files: Files) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        write(root, files)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "init")
        return root

    return make


# ---------------------------------------------------------------------------------------
# Test-only rules, so that engine tests do not depend on the real rules' behaviour.

import ast  # noqa: E402
import types  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from mlready.hooks import rules as registry  # noqa: E402
from mlready.hooks.context import FileContext, ProjectContext  # noqa: E402
from mlready.hooks.model import Diagnostic  # noqa: E402

DOC = """{code} `{name}`: {summary}

## What it does
Test rule.

## Why is this bad?
Test rule.

## Example
```python
x = 1
```

## Use instead
```python
x = 2
```
"""


def _module(code: str, name: str, kinds: tuple[str, ...], summary: str,
            **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(f"tests_fake_rules.{name.replace('-', '_')}",
                              DOC.format(code=code, name=name, summary=summary))
    module.CODE, module.NAME, module.KINDS = code, name, kinds  # type: ignore[attr-defined]
    module.SEVERITY = "warning"  # type: ignore[attr-defined]
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def _print_check(ctx: FileContext, code: str = "MLR990") -> Iterator[Diagnostic]:
    for call in ctx.nodes(ast.Call):
        if isinstance(call.func, ast.Name) and call.func.id == "print":
            yield ctx.diagnostic(code, call, "`print(...)`: use logging", fix="log it")


def _print_check_993(ctx: FileContext) -> Iterator[Diagnostic]:
    return _print_check(ctx, "MLR993")


def _defs_collect(ctx: FileContext) -> list[list[Any]] | None:
    defs = [[n.name, n.lineno, n.col_offset + 1] for n in ctx.nodes(ast.FunctionDef)]
    return defs or None


def _defs_finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    where: dict[str, list[str]] = {}
    for path, defs in project.facts.items():
        for name, _, _ in defs:
            where.setdefault(name, []).append(path)
    for path, defs in sorted(project.facts.items()):
        for name, line, col in defs:
            if len(where[name]) > 1:
                others = ", ".join(p for p in where[name] if p != path)
                yield project.diagnostic(path, line, col, "MLR992",
                                         f"`{name}` is also defined in {others}")


def _defs_summarize(project: ProjectContext) -> dict[str, Any]:
    return {"functions": sum(len(d) for d in project.facts.values()),
            "files": len(project.facts)}


def _key_check(ctx: FileContext) -> Iterator[Diagnostic]:
    if isinstance(ctx.data, dict) and "bad" in ctx.data:
        line = next((n for n, t in enumerate(ctx.lines, 1) if "bad" in t), 1)
        yield ctx.diagnostic("MLR994", (line, 1), "`bad`: a bad key")


def _explode(ctx: FileContext) -> Iterator[Diagnostic]:
    if ctx.path.endswith("boom.py"):
        raise RuntimeError("kaboom")
    if ctx.path.endswith("deep.py"):
        raise RecursionError("maximum recursion depth exceeded")
    return iter(())


def _opt_check(ctx: FileContext) -> Iterator[Diagnostic]:
    limit = ctx.options.get("max-lines", 1000)
    if len(ctx.lines) > limit:
        yield ctx.diagnostic("MLR996", (1, 1), f"file has {len(ctx.lines)} lines (> {limit})")


def fake_modules() -> list[types.ModuleType]:
    from mlready.config import Field, Table

    return [
        _module("MLR990", "print-call", ("python",), "a `print` call.", check=_print_check),
        _module("MLR992", "duplicate-function", ("python",), "a function defined twice.",
                collect=_defs_collect, finalize=_defs_finalize, summarize=_defs_summarize),
        _module("MLR993", "opinionated", ("python",), "off by default.", EXPLICIT=True,
                SEVERITY="note",
                check=_print_check_993),
        _module("MLR994", "bad-key", ("config", "pyproject"), "a key named bad.",
                check=_key_check),
        _module("MLR995", "explode", ("python",), "raises on boom.py.", check=_explode),
        _module("MLR996", "long-file", ("python",), "a long file.", check=_opt_check,
                FAMILY="fake", OPTIONS=Table({"max-lines": Field((int,), "limit")})),
    ]


def as_rule(module: types.ModuleType) -> registry.Rule:
    return registry.from_module(module)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> tuple[registry.Rule, ...]:
    """Replace the registry with MLR000 plus the test-only rules above."""
    rules = tuple(sorted([registry.by_code()["MLR000"], *map(as_rule, fake_modules())],
                         key=lambda r: r.code))
    table = {r.code: r for r in rules}
    import mlready.hooks.analysis as analysis
    import mlready.hooks.docs as docs
    import mlready.hooks.engine as engine

    monkeypatch.setattr(registry, "all_rules", lambda: rules)
    monkeypatch.setattr(registry, "by_code", lambda: table)
    monkeypatch.setattr(analysis, "by_code", lambda: table)
    monkeypatch.setattr(engine, "all_rules", lambda: rules)
    monkeypatch.setattr(docs, "all_rules", lambda: rules)
    return rules
