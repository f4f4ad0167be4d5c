"""`[tool.mlready]` in the user's pyproject.toml: finding it, reading it, validating it.

Each half owns the schema of its part (the hooks own the top-level keys, the runner
owns ``[tool.mlready.runner]``, the scorecard ``[tool.mlready.scorecard]``); this
module only knows how to read TOML and check a table against a schema, so that every
configuration error reads the same: the file, the key, and what is wrong with it.
Keys are kebab-case, as in ruff.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mlready.records import NamedTuple

PYPROJECT = "pyproject.toml"
# Sub-tables of [tool.mlready] owned by other parts of the package; the hooks accept
# them as known keys without validating their contents.
SECTIONS = ("runner", "scorecard", "comment")


class ConfigError(Exception):
    """A configuration problem, reported as one line naming the file and the key."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class Field(NamedTuple):
    """One allowed key: the accepted Python types after TOML parsing, and a help text."""

    types: tuple[type, ...]
    help: str = ""
    item_types: tuple[type, ...] | None = None  # for lists and tables: the type of each value
    choices: tuple[object, ...] | None = None


class Table(NamedTuple):
    """A nested table of known keys; ``open_keys`` allows user-chosen keys (e.g. globs)."""

    fields: Mapping[str, Field | Table] = MappingProxyType({})
    help: str = ""
    open_keys: Field | None = None


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "an array", dict: "a table"}


def _describe(types: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def _type_ok(value: object, types: tuple[type, ...]) -> bool:
    # TOML booleans are ints in Python; never accept one where a number is asked for.
    if isinstance(value, bool) and bool not in types:
        return False
    if float in types and isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, types)


def _check_field(path: Path, dotted: str, value: object, spec: Field) -> None:
    if not _type_ok(value, spec.types):
        raise ConfigError(path, f"`{dotted}` must be {_describe(spec.types)}, "
                                f"got {type(value).__name__} {value!r}")
    if spec.choices is not None and value not in spec.choices:
        options = ", ".join(repr(c) for c in spec.choices)
        raise ConfigError(path, f"`{dotted}` must be one of {options}, got {value!r}")
    if spec.item_types is not None and isinstance(value, list | dict):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if not _type_ok(item, spec.item_types):
                raise ConfigError(path, f"`{dotted}[{key!r}]` must be "
                                        f"{_describe(spec.item_types)}, got {item!r}")


def validate(table: Mapping[str, Any], schema: Table, path: Path, prefix: str) -> None:
    """Raise `ConfigError` for the first unknown key or wrongly typed value in ``table``."""
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        spec = schema.fields.get(key, schema.open_keys)
        if spec is None:
            known = ", ".join(sorted(schema.fields)) or "none"
            raise ConfigError(path, f"unknown key `{dotted}` (known keys: {known})")
        if isinstance(spec, Table):
            if not isinstance(value, dict):
                raise ConfigError(path, f"`{dotted}` must be a table, got {value!r}")
            validate(value, spec, path, dotted)
        else:
            _check_field(path, dotted, value, spec)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (a file or a directory)."""
    here = start.resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def read_bytes(path: Path) -> bytes:
    """A configuration file's bytes, or a one-line `ConfigError`. Only a regular file
    is read (`mlready.reading`): a FIFO or a device would block the run forever."""
    from mlready.reading import read_regular

    try:
        return read_regular(path)
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None


def parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    """Parse TOML read from ``path``, turning every failure into a one-line `ConfigError`."""
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nesting level: arrays, inline tables
        raise ConfigError(path, "invalid TOML: nested too deeply to read") from None
    except MemoryError:
        raise ConfigError(path, "invalid TOML: too large to read") from None
    except ValueError as exc:  # an integer over sys.get_int_max_str_digits() digits
        text = " ".join(str(exc).split())[:200]
        raise ConfigError(path, f"invalid TOML: {text}") from None


def read_toml(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file, turning every failure into a one-line `ConfigError`."""
    return parse_toml(path, read_bytes(path))


def tool_table(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """``[tool.mlready]`` of the given pyproject.toml (whose bytes are ``raw`` when the
    caller has read them), or an empty table."""
    data = parse_toml(path, raw if raw is not None else read_bytes(path))
    tool = data.get("tool", {})
    table = tool.get("mlready", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(path, "`tool.mlready` must be a table")
    return table


def section(path: Path, name: str) -> dict[str, Any]:
    """One sub-table of ``[tool.mlready]`` (e.g. ``runner``), or an empty table."""
    value = tool_table(path).get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"`tool.mlready.{name}` must be a table")
    return value
