"""Patterns declared with `mlready.hooks.patterns`: compiled on first use, matching as
`re` does, and every declaration in the hook half valid (a lazy pattern with a typo
would otherwise fail only on the input that first reaches it)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import mlready.hooks
from mlready.hooks import patterns


def test_a_pattern_compiles_on_first_use_and_matches_as_re_does() -> None:
    pattern = patterns.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    assert pattern._compiled is None
    twin = re.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    text = "Abc-1 de-23 x"
    match = pattern.match(text)
    assert match is not None and match.group("word") == "Abc"
    assert pattern._compiled is not None
    assert pattern.findall(text) == twin.findall(text)
    assert pattern.split(text) == twin.split(text)
    assert pattern.search(text, 3).span() == twin.search(text, 3).span()  # type: ignore[union-attr]
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in twin.finditer(text)]
    assert pattern.sub(r"\2", text) == twin.sub(r"\2", text)
    assert pattern.fullmatch("ab-12") is not None and pattern.fullmatch("ab-12 ") is None


def test_an_invalid_pattern_fails_when_first_used() -> None:
    broken = patterns.compile(r"(unclosed")
    with pytest.raises(re.error):
        broken.search("x")


def _hook_modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(mlready.hooks.__path__, "mlready.hooks.")
            if not info.name.endswith("__main__")]


def test_every_declared_pattern_of_the_hook_half_compiles() -> None:
    declared = [(name, attr, value) for name in _hook_modules()
                for attr, value in vars(importlib.import_module(name)).items()
                if isinstance(value, patterns.Pattern)]
    assert len(declared) > 40  # the rules' patterns are found, not silently skipped
    for name, attr, value in declared:
        try:
            assert value.compiled.pattern == value.pattern
        except re.error as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"{name}.{attr}: {exc}")
