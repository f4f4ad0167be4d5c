"""`mlready.records.NamedTuple` behaves as `typing.NamedTuple` in everything we use."""

from __future__ import annotations

import copy
import json
import pickle
import re
import typing
from pathlib import Path
from typing import Any

import pytest

import mlready
from mlready import records


def declare(base: Any) -> tuple[type, type]:
    """The same two declarations on either base: one with a default, methods, a
    property, a class constant and a docstring; one bare."""

    class Point(base):  # type: ignore[misc,valid-type]
        """A point."""

        x: int
        y: int
        label: str | None = None
        ORIGIN = "origin"

        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        @property
        def named(self) -> bool:
            return self.label is not None

        def __str__(self) -> str:
            return f"{self.x},{self.y}"

    class Bare(base):  # type: ignore[misc,valid-type]
        a: list[int]
        b: dict[str, Any]

    return Point, Bare


OURS = declare(records.NamedTuple)
THEIRS = declare(typing.NamedTuple)


def outcome(call: Any) -> Any:
    """What a call gives, or the type of what it raises."""
    try:
        return call()
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("name", [
    "positional", "keywords", "mixed", "default", "too_many", "too_few", "unknown",
    "twice", "fields", "defaults", "repr", "str", "doc", "methods", "equal", "order",
    "hash", "unpack", "index", "slice", "replace", "replace_unknown", "asdict", "make",
    "make_short", "json", "pickle", "copy", "deepcopy", "match", "getattr_doc",
    "no_dict", "set_field", "tuple", "module", "qualname"])
def test_the_two_agree(name: str) -> None:
    def behaviour(point: Any, bare: Any) -> Any:
        p = point(1, -2, "p")
        cases: dict[str, Any] = {
            "positional": lambda: tuple(point(1, 2, "a")),
            "keywords": lambda: tuple(point(y=2, x=1, label="a")),
            "mixed": lambda: tuple(point(1, y=2)),
            "default": lambda: point(1, 2).label,
            "too_many": lambda: point(1, 2, 3, 4),
            "too_few": lambda: point(1),
            "unknown": lambda: point(1, 2, z=3),
            "twice": lambda: point(1, 2, x=3),
            "fields": lambda: (point._fields, bare._fields, point.__match_args__),
            "defaults": lambda: (point._field_defaults, bare._field_defaults),
            "repr": lambda: (repr(p), repr(bare([1], {}))),
            "str": lambda: str(p),
            "doc": lambda: (point.__doc__, bare.__doc__),
            "methods": lambda: (p.norm(), p.named, point(0, 0).named, p.ORIGIN),
            "equal": lambda: (p == (1, -2, "p"), p == point(1, -2, "p"), p != point(1, 2)),
            "order": lambda: sorted([point(2, 0), point(1, 5), point(1, 3)]),
            "hash": lambda: hash(p) == hash((1, -2, "p")),
            "unpack": lambda: (lambda x, y, label: (x, y, label))(*p),
            "index": lambda: (p[0], p[-1], p.x, p.y, p.label, len(p)),
            "slice": lambda: p[1:],
            "replace": lambda: tuple(p._replace(y=7)),
            "replace_unknown": lambda: p._replace(z=1),
            "asdict": lambda: p._asdict(),
            "make": lambda: tuple(point._make([3, 4, None])),
            "make_short": lambda: point._make([3]),
            "json": lambda: json.dumps({"p": p, "b": bare([1], {"k": 2})}),
            "pickle": lambda: tuple(pickle.loads(pickle.dumps(p))),
            "copy": lambda: tuple(copy.copy(p)),
            "deepcopy": lambda: tuple(copy.deepcopy(bare([1], {"k": [2]}))),
            "match": lambda: _match(p),
            "getattr_doc": lambda: type(p).x.__doc__,
            "no_dict": lambda: hasattr(p, "__dict__"),
            "set_field": lambda: setattr(p, "x", 5),
            "tuple": lambda: (isinstance(p, tuple), type(p).__mro__[1:]),
            "module": lambda: point.__module__,
            "qualname": lambda: point.__qualname__.rsplit(".", 1)[-1],
        }
        return outcome(cases[name])

    assert behaviour(*OURS) == behaviour(*THEIRS)


def _match(value: Any) -> Any:
    match value:
        case (x, y, label):
            return ("seq", x, y, label)
    return None  # pragma: no cover


def test_pickled_instances_are_the_class_itself() -> None:
    """Workers receive records by pickle: the class is found again by name."""
    from mlready.hooks.model import Diagnostic

    found = Diagnostic(path="a.py", line=3, col=1, code="MLR001", message="m")
    back = pickle.loads(pickle.dumps(found))
    assert type(back) is Diagnostic
    assert back == found


def test_declaration_errors_are_those_of_typing() -> None:
    with pytest.raises(TypeError):
        class Wrong(records.NamedTuple):  # type: ignore[misc]
            a: int = 1
            b: int
    with pytest.raises(AttributeError):
        class Overwrites(records.NamedTuple):
            a: int

            def _replace(self, **changes: Any) -> Any:  # type: ignore[override]
                return self
    with pytest.raises(TypeError):
        class Mixed(records.NamedTuple, int):  # type: ignore[misc]
            a: int


def test_a_class_whose_annotations_are_lazy_is_refused() -> None:
    """The class body Python 3.14 makes without ``from __future__ import annotations``
    (an ``__annotate__`` function, no ``__annotations__``): an error, not a tuple type
    with no fields."""
    body = {"__module__": __name__, "__qualname__": "Lazy",
            "__annotate__": lambda format: {"a": int}}
    with pytest.raises(TypeError, match="from __future__ import annotations"):
        type(records.NamedTuple)("Lazy", (records.NamedTuple,), body)


def test_the_hook_path_declares_its_named_tuples_with_records() -> None:
    """`typing.NamedTuple` on the hook path costs every commit its compile (issue 14)."""
    package = Path(mlready.__file__).parent
    hook_path = [package / "config.py", package / "reading.py",
                 *sorted((package / "hooks").rglob("*.py"))]
    typing_named = re.compile(r"^from typing import .*\bNamedTuple\b", re.MULTILINE)
    offenders = [str(path.relative_to(package)) for path in hook_path
                 if typing_named.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_without_cpythons_private_field_accessor_the_records_are_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`collections._tuplegetter` is private to CPython: where it is missing, the
    fallback accessor (a property, as `collections` itself falls back to) gives the
    same behaviour."""
    import collections
    import importlib.util

    theirs, _ = declare(typing.NamedTuple)  # namedtuple itself needs the accessor
    monkeypatch.delattr(collections, "_tuplegetter")
    spec = importlib.util.spec_from_file_location("records_fallback", records.__file__)
    assert spec is not None and spec.loader is not None
    fallback = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fallback)
    point, _ = declare(fallback.NamedTuple)
    for make in (point, theirs):
        p = make(1, -2, "p")
        assert (p.x, p.y, p.label, p.norm(), type(p).x.__doc__) == (
            1, -2, "p", 3, "Alias for field number 0")
        with pytest.raises(AttributeError):
            p.x = 5
