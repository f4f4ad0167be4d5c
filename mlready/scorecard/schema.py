"""Validating untrusted JSON against the shipped schemas, without a jsonschema dependency.

The scorecard renders files that arrive as workflow artifacts (the check JSON, the run
JSON, the base branch's scorecard JSON); a pull request can shape all three. Before
any of it is converted, each document is checked against its schema file in this
package (``check.schema.json``, ``run.schema.json``, ``scorecard.schema.json``), so
that a wrong type is one line naming the field instead of a traceback three modules
later.

The schema files are the single source of truth: this module interprets them. It knows
only the JSON Schema keywords those files use (listed in `KEYWORDS`) and refuses to
load a schema with any other, so a keyword can never be silently ignored; the tests
compare its verdicts with the ``jsonschema`` package's on generated documents. The
``jsonschema`` package is a dev dependency only: the hook environment stays small.

Two limits come before the schema, because no schema can express them and the
renderers rely on them: nesting at most `MAX_DEPTH` levels (deeper data would hit the
interpreter's recursion limit in ``json.dumps``), checked without recursion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

MAX_DEPTH = 64
# Annotations (ignored) and assertions (checked); any other keyword is refused at load.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
KEYWORDS = frozenset({"type", "const", "enum", "required", "properties",
                      "additionalProperties", "items", "minimum", "maximum", "$ref",
                      "oneOf", "anyOf"}) | ANNOTATIONS
SCHEMAS = ("check", "run", "scorecard")


class SchemaError(ValueError):
    """A document that does not match its schema; the message names the field."""


# json.loads makes exactly these types; looked up by type, this is the hot path.
_TYPE_NAMES = {type(None): "null", bool: "boolean", int: "integer", float: "number",
               str: "string", list: "array", dict: "object"}
Where = tuple[str | int, ...]  # the field being checked: keys and indexes from the top


def _json_type(value: object) -> str:
    return _TYPE_NAMES.get(type(value)) or type(value).__name__


def _has_type(value: object, name: str) -> bool:
    """JSON Schema's types: booleans are not numbers, ``1.0`` is an integer."""
    actual = _json_type(value)
    if name == "number":
        return actual in ("integer", "number")
    if name == "integer":
        return actual == "integer" or (actual == "number" and float(value).is_integer())  # type: ignore[arg-type]
    return actual == name


def _same(a: object, b: object) -> bool:
    """JSON equality for the scalars ``const`` and ``enum`` hold: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _walk(schema: object) -> Iterator[Mapping[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    yield from _walk(sub)
            elif key in ("items", "additionalProperties"):
                yield from _walk(value)
            elif key in ("oneOf", "anyOf"):
                for sub in value:
                    yield from _walk(sub)


@cache
def load(name: str) -> Mapping[str, Any]:
    """The shipped schema ``<name>.schema.json``, refused if it uses a keyword we do not
    check (that would make this validator more lenient than the file says)."""
    text = resources.files("mlready.scorecard").joinpath(f"{name}.schema.json").read_text(
        encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    supported(schema, f"{name}.schema.json")
    return schema


def supported(schema: Mapping[str, Any], name: str) -> None:
    """RuntimeError unless every keyword of ``schema`` is one this module checks, every
    ``$ref`` is local and every ``const``/``enum`` value a scalar."""
    for node in _walk(schema):
        unknown = set(node) - KEYWORDS
        if unknown:
            raise RuntimeError(f"{name} uses unsupported keywords {sorted(unknown)}")
        ref = node.get("$ref")
        if ref is not None and (not str(ref).startswith("#/$defs/")
                                or str(ref)[len("#/$defs/"):] not in schema.get("$defs", {})):
            raise RuntimeError(f"{name}: unsupported $ref {ref!r}")
        for scalar in [node["const"]] if "const" in node else node.get("enum", []):
            if isinstance(scalar, dict | list):
                raise RuntimeError(f"{name}: only scalar const/enum values")


def too_deep(data: object, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests arrays/objects more than ``limit`` levels (iteratively)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Any = value.values() if isinstance(value, dict) else \
            value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _field(path: Where) -> str:
    """``checks[0].series.loss`` for the user; keys that are no identifier are quoted."""
    shown = ""
    for part in path:
        if isinstance(part, int):
            shown += f"[{part}]"
        else:
            key = part[:40] if part.isidentifier() else json.dumps(part)[:40]
            shown += f".{key}" if shown else key
    return f"`{shown}`" if shown else "the document"


def _describe(schema: Mapping[str, Any]) -> str:
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " or ".join(kinds)
    return str(kinds) if kinds else "another form"


def _check(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: Where) -> None:
    if "$ref" in schema:
        _check(value, root["$defs"][str(schema["$ref"])[len("#/$defs/"):]], root, path)
    if "oneOf" in schema or "anyOf" in schema:
        branches = schema.get("oneOf", schema.get("anyOf"))
        errors: list[SchemaError] = []
        for branch in branches:
            try:
                _check(value, branch, root, path)
            except SchemaError as exc:
                errors.append(exc)
        matched = len(branches) - len(errors)
        if matched == 0:
            # The branch whose type fits tells most; else a generic line.
            fitting = [e for e, b in zip(errors, branches, strict=False)
                       if _type_fits(value, b, root)]
            raise fitting[0] if len(fitting) == 1 else SchemaError(
                f"{_field(path)} has none of the allowed forms")
        if "oneOf" in schema and matched > 1:
            raise SchemaError(f"{_field(path)} matches more than one allowed form")
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not any(_has_type(value, name) for name in names):
            raise SchemaError(f"{_field(path)} must be {_describe(schema)}, "
                              f"not {_json_type(value)}")
    if "const" in schema and not _same(value, schema["const"]):
        raise SchemaError(f"{_field(path)} must be {_describe(schema)}")
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        raise SchemaError(f"{_field(path)} must be {_describe(schema)}, "
                          f"not {_short(value)}")
    if type(value) in (int, float):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError(f"{_field(path)} must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError(f"{_field(path)} must be at most {schema['maximum']}")
    if isinstance(value, dict):
        _check_object(value, schema, root, path)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, (*path, index))


def _check_object(value: dict[str, Any], schema: Mapping[str, Any],
                  root: Mapping[str, Any], path: Where) -> None:
    for key in schema.get("required", ()):
        if key not in value:
            raise SchemaError(f"{_field((*path, key))} is missing")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], root, (*path, key))
        elif extra is False:
            raise SchemaError(f"{_field((*path, key))} is not an allowed field")
        elif isinstance(extra, dict):
            _check(item, extra, root, (*path, key))


def _type_fits(value: object, schema: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    while "$ref" in schema:
        schema = root["$defs"][str(schema["$ref"])[len("#/$defs/"):]]
    kinds = schema.get("type")
    if kinds is None:
        return True
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(_has_type(value, name) for name in names)


def _short(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | int | float | bool) else \
        _json_type(value)
    return text if len(text) <= 40 else text[:39] + "\u2026"


def validate(data: object, name: str) -> None:
    """Raise `SchemaError` (one line naming the field) unless ``data`` matches the
    shipped schema ``name`` and nests at most `MAX_DEPTH` levels."""
    if too_deep(data):
        raise SchemaError(f"nested deeper than {MAX_DEPTH} levels")
    match(data, load(name))


def match(data: object, schema: Mapping[str, Any]) -> None:
    """`SchemaError` unless ``data`` matches ``schema`` (one that passed `supported`)."""
    _check(data, schema, schema, ())
