"""A key written twice in the same mapping of a YAML or JSON config file.

## What it does
Reports the second (and later) occurrence of a key in one mapping of a YAML file (any
document of a multi-document file, at any depth) or a JSON object. TOML needs no
rule: a repeated key there is a syntax error, reported by MLR000.

## Why is this bad?
Both parsers accept the file and silently keep the *last* value: ``lr: 0.001`` near
the top of a long experiment config is overridden by a forgotten ``lr: 0.1`` further
down, and the run trains with a learning rate nobody reads in the file. The config
loads, the experiment is wrong, and nothing says so.

## Example
```yaml
optimizer:
  lr: 0.001
  weight_decay: 0.01
  lr: 0.1
```

## Use instead
```yaml
optimizer:
  lr: 0.001
  weight_decay: 0.01
```

## Options
None. YAML merge keys (``<<: *defaults``) are how YAML overrides on purpose and are
not duplicates; keys are compared with their type (``1`` and ``"1"`` differ). In JSON
a duplicate is reported only when its line is certain (the key occurs as a key on
exactly two lines of the file); files over 2 MB are skipped.

## References
- YAML 1.2, section 3.2.1.1: mapping keys are unique.
- RFC 8259, section 4: "The names within an object SHOULD be unique."
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic

if TYPE_CHECKING:
    from yaml.nodes import MappingNode

CODE = "MLR112"
NAME = "duplicate-config-key"
KINDS = ("config",)

MAX_BYTES = 2_000_000
_MERGE = "tag:yaml.org,2002:merge"
_FIX = "keep one occurrence of the key: the parser silently uses the last one"


def check(ctx: FileContext) -> Iterator[Diagnostic]:
    if len(ctx.source) > MAX_BYTES:
        return iter(())
    suffix = PurePosixPath(ctx.path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml(ctx)
    if suffix == ".json":
        return _json(ctx)
    return iter(())


def _yaml(ctx: FileContext) -> Iterator[Diagnostic]:
    import yaml  # only when a YAML file is checked: start-up stays cheap

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        documents = list(yaml.compose_all(ctx.source, Loader=loader))
    except yaml.YAMLError:
        return  # a syntax error is MLR000's
    seen: set[int] = set()
    stack: list[Any] = [doc for doc in documents if doc is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # aliases share nodes; recursive anchors loop
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield from _mapping(ctx, node)
            stack.extend(value for pair in node.value for value in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _mapping(ctx: FileContext, node: MappingNode) -> Iterator[Diagnostic]:
    from yaml.nodes import ScalarNode

    first: dict[tuple[str, str], int] = {}
    for key, _value in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE:
            continue
        ident = (str(key.tag), str(key.value))
        line = key.start_mark.line + 1
        if ident in first:
            yield ctx.diagnostic(
                CODE, (line, key.start_mark.column + 1),
                f"`{key.value}`: key repeated in the same mapping (first on line "
                f"{first[ident]}); the last value silently wins", _FIX)
        else:
            first[ident] = line


def _json(ctx: FileContext) -> Iterator[Diagnostic]:
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated.extend(key for index, key in enumerate(keys) if key in keys[:index])
        return dict(items)

    try:
        json.loads(ctx.source, object_pairs_hook=pairs)
    except ValueError:
        return
    for key in dict.fromkeys(repeated):
        pattern = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
        lines = [n for n, text in enumerate(ctx.lines, start=1) if pattern.search(text)]
        if len(lines) == 2 and all(len(pattern.findall(ctx.lines[n - 1])) == 1 for n in lines):
            col = pattern.search(ctx.lines[lines[1] - 1])
            yield ctx.diagnostic(
                CODE, (lines[1], (col.start() if col else 0) + 1),
                f"`{key}`: key repeated in the same object (first on line {lines[0]}); the "
                "last value silently wins", _FIX)
