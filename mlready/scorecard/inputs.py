"""Reading the two halves' JSON files, with one-line errors that name the file.

The static half writes ``mlready check --output-format json``; the runtime half writes
``RunReport.to_json()``. Either file may be absent (the scorecard then says which
categories were not measured), but a file that is given and cannot be read is an
error: a silently empty half would look like a clean one.

The files arrive as workflow artifacts that a pull request can shape, so nothing in
them is trusted: `parse_json` refuses NaN, infinities, huge integers and runaway
nesting, and each document is checked against its shipped schema
(`mlready.scorecard.schema`) before it is converted. Whatever is wrong, the outcome is
an `InputError` (``<file>: <what is wrong>``, exit 2), never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlready.gpu_runner.results import SCHEMA_VERSION as RUN_SCHEMA_VERSION
from mlready.gpu_runner.results import RunReport
from mlready.hooks.model import Diagnostic
from mlready.scorecard import schema

CHECK_SCHEMA_VERSION = 1


class InputError(Exception):
    """An input file that is missing or malformed: ``<file>: <what is wrong>``."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class StaticReport:
    """The parts of the check JSON the scorecard uses.

    ``rules`` lists the codes that were selected, when the engine says so; without it
    the scorecard assumes the default selection of the rule registry. ``file_kinds``
    (files seen per kind, e.g. ``{"python": 12, "requirements": 1}``), when present,
    lets a rule with nothing to read count as not applicable instead of a free pass.
    """

    diagnostics: tuple[Diagnostic, ...]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    root: str | None = None
    files_checked: int | None = None
    errors: tuple[str, ...] = ()
    rules: tuple[str, ...] | None = None
    file_kinds: Mapping[str, int] | None = None  # files seen per kind, when the engine says
    severities: Mapping[str, str] = field(default_factory=dict)  # code -> its findings' severity


MAX_BYTES = 256 * 1024 * 1024  # far above any real report; a bigger file is not one
_INT_DIGITS = 19  # about the 64-bit range: no field needs more, and float() cannot overflow


class _Rejected(ValueError):
    """A JSON value the scorecard refuses before the schema sees it."""


def _no_constant(name: str) -> Any:
    raise _Rejected(f"{name} is not valid JSON (non-finite numbers are written as "
                    '"nan", "inf", "-inf")')


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Rejected(f"number {text[:30]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _INT_DIGITS:
        raise _Rejected(f"integer of {len(text.lstrip('-'))} digits is out of range")
    return int(text)


def parse_json(text: str, path: Path | str) -> Any:
    """Strict JSON: no NaN/Infinity (nor numbers that overflow to it), integers within
    64 bits, nesting within the interpreter's limits; every failure an `InputError`."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except _Rejected as exc:
        raise InputError(path, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # what json raises beyond its own errors
        raise InputError(path, f"invalid JSON: {exc}") from None


def read_json(path: Path) -> Any:
    """Parse a JSON file; every failure is an `InputError` naming the file."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size  # 0 for a pipe: the read is capped
            raw = handle.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_BYTES or len(raw) > MAX_BYTES:
        raise InputError(path, f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    return parse_json(text, path)


def validated(data: Any, schema_name: str, path: Path | str) -> None:
    """`InputError` naming the file and the field unless ``data`` matches the shipped
    schema (see `mlready.scorecard.schema`)."""
    try:
        schema.validate(data, schema_name)
    except schema.SchemaError as exc:
        raise InputError(path, str(exc)) from None


def _rule_codes(value: object) -> tuple[str, ...] | None:
    """``rules`` as a list of codes or of ``{"code": ...}`` objects."""
    if not isinstance(value, list):
        return None
    codes = [item.get("code") if isinstance(item, dict) else item for item in value]
    return tuple(str(code) for code in codes if code)


def static_from_json(data: Any, path: Path | str = "<check json>") -> StaticReport:
    """Validate and convert the check JSON (``kind == "check"``)."""
    if not isinstance(data, dict) or data.get("kind") != "check":
        raise InputError(path, 'not a `mlready check --output-format json` file (kind != "check")')
    version = data.get("schema_version")
    if version != CHECK_SCHEMA_VERSION:
        raise InputError(path, f"unsupported check schema_version {version!r} "
                               f"(this mlready reads {CHECK_SCHEMA_VERSION})")
    validated(data, "check", path)
    diagnostics = tuple(diagnostic_from_json(item) for item in data.get("diagnostics", []))
    severity = {str(item["code"]): str(item["severity"]) for item in data.get("diagnostics", [])
                if isinstance(item.get("severity"), str)}
    files = data.get("files_checked")
    return StaticReport(
        diagnostics=tuple(sorted(diagnostics, key=Diagnostic.sort_key)),
        metrics=data.get("metrics", {}),
        root=data.get("root"),
        files_checked=None if files is None else int(files),
        errors=tuple(_error_text(e) for e in data.get("errors", [])),
        rules=_rule_codes(data.get("rules")),
        file_kinds=_file_kinds(data.get("file_kinds")),
        severities=severity,
    )


def _file_kinds(value: object) -> dict[str, int] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): int(v) for k, v in value.items()}


def diagnostic_from_json(item: dict[str, Any]) -> Diagnostic:
    """`Diagnostic.from_json` on a validated item, integers normalised (JSON Schema
    lets ``3.0`` be an integer; sorting and links want ``3``)."""
    diagnostic = Diagnostic.from_json(item)

    def optional_int(value: object) -> int | None:
        return None if value is None else int(value)  # type: ignore[call-overload]

    return diagnostic._replace(
        line=int(diagnostic.line or 1),
        col=int(diagnostic.col or 1),
        end_line=optional_int(diagnostic.end_line),
        end_col=optional_int(diagnostic.end_col),
        cell=optional_int(diagnostic.cell),
    )


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        parts = [str(error.get(key)) for key in ("path", "message") if error.get(key)]
        return ": ".join(parts) or json.dumps(error, sort_keys=True)
    return str(error)


def load_static(path: Path) -> StaticReport:
    return static_from_json(read_json(path), path)


def load_run(path: Path) -> RunReport:
    data = read_json(path)
    if not isinstance(data, dict) or data.get("kind") != "run":
        raise InputError(path, 'not a `mlready run` results file (kind != "run")')
    version = data.get("schema_version")
    if version != RUN_SCHEMA_VERSION:
        raise InputError(path, f"unsupported run results schema_version {version!r} "
                               f"(this mlready reads {RUN_SCHEMA_VERSION})")
    validated(data, "run", path)
    try:
        return RunReport.from_json(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(path, f"malformed run results: {exc}") from None
