"""Reading the two halves' JSON files, with one-line errors that name the file.

The static half writes ``mlready check --output-format json``; the runtime half writes
``RunReport.to_json()``. Either file may be absent (the scorecard then says which
categories were not measured), but a file that is given and cannot be read is an
error: a silently empty half would look like a clean one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlready.gpu_runner.results import RunReport
from mlready.hooks.model import Diagnostic

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


def read_json(path: Path) -> Any:
    """Parse a JSON file; every failure is an `InputError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None


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
    raw = data.get("diagnostics", [])
    if not isinstance(raw, list):
        raise InputError(path, "`diagnostics` must be a list")
    try:
        diagnostics = tuple(_diagnostic(item) for item in raw)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(path, f"malformed diagnostic: {exc}") from None
    metrics = data.get("metrics", {})
    errors = data.get("errors", [])
    files = data.get("files_checked")
    return StaticReport(
        diagnostics=tuple(sorted(diagnostics, key=Diagnostic.sort_key)),
        metrics=metrics if isinstance(metrics, dict) else {},
        root=str(data["root"]) if data.get("root") is not None else None,
        files_checked=files if isinstance(files, int) else None,
        errors=tuple(_error_text(e) for e in errors) if isinstance(errors, list) else (),
        rules=_rule_codes(data.get("rules")),
        file_kinds=_file_kinds(data.get("file_kinds")),
    )


def _file_kinds(value: object) -> dict[str, int] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): int(v) for k, v in value.items()
            if isinstance(v, int) and not isinstance(v, bool)}


def _diagnostic(item: Any) -> Diagnostic:
    """`Diagnostic.from_json` with the types checked: the file may be hand-edited or
    written by another version, and a bad value must fail here, naming the file."""
    if not isinstance(item, dict):
        raise TypeError(f"expected an object, got {type(item).__name__}")
    diagnostic = Diagnostic.from_json(item)
    if not isinstance(diagnostic.path, str) or not isinstance(diagnostic.code, str):
        raise ValueError("`path` and `code` must be strings")

    def optional_int(value: object) -> int | None:
        return None if value is None else int(str(value))

    return diagnostic._replace(
        line=int(diagnostic.line or 1),
        col=int(diagnostic.col or 1),
        message=str(diagnostic.message or ""),
        end_line=optional_int(diagnostic.end_line),
        end_col=optional_int(diagnostic.end_col),
        fix=str(diagnostic.fix) if diagnostic.fix is not None else None,
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
    try:
        return RunReport.from_json(data)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(path, f"malformed run results: {exc}") from None
