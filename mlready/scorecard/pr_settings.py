"""What a pull request changes about how it is judged: mlready's settings and new ``noqa``.

A PR may edit ``[tool.mlready]`` along with its code: add ``ignore``, ``exclude`` or
``per-file-ignores``, lower ``min-score``, move the scorecard's weights. Nothing a PR
commits may change what we report, so when a base is known the head is judged with the
settings as they are at the merge base, and the card names the keys the PR changes
(they take effect once merged). Settings are read where mlready reads them: the static
half's ``pyproject.toml`` at the project root, and the scorecard's nearest
``pyproject.toml``; both are read from the merge-base commit with ``git cat-file``.

The runner's table (``[tool.mlready.runner]``) is not swapped: its train and eval
commands are the PR's own code, and the GPU workflow has no base to read. A change to it
is named on the card instead, as settings the runtime results were measured with.

``# noqa`` comments on lines the PR adds or changes are not undone either (they are the
author's judgement), but the findings they silence are counted: the head is checked once
more with those comments taken out, and the difference is shown on the card.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlready.config import PYPROJECT, ConfigError, parse_toml
from mlready.hooks.model import Diagnostic
from mlready.scorecard.inputs import InputError, StaticReport, static_from_json

RUNNER = "runner"
# A noqa comment of either kind, as `mlready.hooks.suppression` finds it: from here to
# the end of the line is what a PR's new suppression is (cut to see what it silences).
_NOQA = re.compile(r"(?i)#\s*(?:mlready:\s*)?noqa")
TEXT_KINDS_SKIPPED = (".ipynb",)  # a notebook's noqa lives inside JSON strings


@dataclass(frozen=True)
class ConfigAtBase:
    """One configuration file: where the head has it and its bytes at the merge base
    (None when the file did not exist there: then the base had no settings)."""

    path: Path
    base: bytes | None


@dataclass(frozen=True)
class Change:
    """The ``[tool.mlready]`` keys a PR changes (dotted, e.g. ``scorecard.weights.docs``):
    ``judged`` are replaced by the base's for this PR, ``runner`` were used as they are."""

    judged: tuple[str, ...] = ()
    runner: tuple[str, ...] = ()


def read_at(top: Path, sha: str, path: Path) -> bytes | None:
    """The bytes of ``path`` (inside the repository at ``top``) in commit ``sha``, or None
    when the commit has no such file."""
    name = path.resolve().relative_to(top).as_posix()
    proc = subprocess.run(["git", "cat-file", "blob", f"{sha}:{name}"], cwd=top,
                          capture_output=True, check=False, timeout=60)
    return proc.stdout if proc.returncode == 0 else None


def tool_table_of(path: Path, data: bytes | None, sha: str | None = None) -> dict[str, Any]:
    """``[tool.mlready]`` of a configuration's bytes (empty without the file); a
    `ConfigError` names the file, at ``sha`` when it is the merge base's copy."""
    if data is None:
        return {}
    origin = f"{path} at {sha[:12]}" if sha else path
    parsed = parse_toml(Path(origin), data)
    tool = parsed.get("tool", {})
    table = tool.get("mlready", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(origin, "`tool.mlready` must be a table")
    return table


def changed_keys(base: Mapping[str, Any], head: Mapping[str, Any], prefix: str = ""
                 ) -> list[str]:
    """The dotted keys whose values differ between two tables (added, removed or changed),
    down to the leaves of nested tables, in sorted order."""
    keys: list[str] = []
    for key in sorted({*base, *head}):
        dotted = f"{prefix}.{key}" if prefix else key
        before, after = base.get(key), head.get(key)
        if isinstance(before, dict) or isinstance(after, dict):
            if isinstance(before, dict | None) and isinstance(after, dict | None):
                # A table added or removed as a whole: name its leaves, not the table.
                inner = changed_keys(before or {}, after or {}, dotted)
                keys += inner or ([dotted] if (key in base) != (key in head) else [])
                continue
            keys.append(dotted)
        elif before != after or (key in base) != (key in head):
            keys.append(dotted)
    return keys


def change(files: Sequence[ConfigAtBase], sha: str) -> Change:
    """What the PR changes in the given files' ``[tool.mlready]`` (each file once)."""
    judged: dict[str, None] = {}
    runner: dict[str, None] = {}
    for config in {f.path.resolve(): f for f in files}.values():
        head = tool_table_of(config.path, config.path.read_bytes()) \
            if config.path.is_file() else {}
        for key in changed_keys(tool_table_of(config.path, config.base, sha), head):
            (runner if key.split(".", 1)[0] == RUNNER else judged)[key] = None
    return Change(tuple(judged), tuple(runner))


def static_changed(keys: Sequence[str]) -> bool:
    """Whether any of ``keys`` is the static half's (not a section another part owns)."""
    from mlready.config import SECTIONS

    return any(key.split(".", 1)[0] not in SECTIONS for key in keys)


class _BaseSettings:
    """The base's ``pyproject.toml`` written to a temporary folder, for ``--config``:
    the engine then reads the base's ``[tool.mlready]`` for the head's files."""

    def __init__(self, data: bytes | None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="mlready-base-settings-"))
        self.path = self.folder / PYPROJECT
        self.path.write_bytes(data or b"")

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _settings(root: Path, base: bytes | None, overlay: Mapping[str, bytes] | None = None
              ) -> Any:
    from mlready.hooks.discovery import find_root
    from mlready.hooks.rules import all_rules
    from mlready.hooks.settings import Overrides, load

    with _BaseSettings(base) as path:
        settings = load(find_root([root]), all_rules(), Overrides(config=path))
    if overlay:  # a run over text not on disk keeps no cache (it would be the disk's)
        settings = settings._replace(cache_dir=None, overlay=dict(overlay))
    return settings


def _check(root: Path, base: bytes | None, overlay: Mapping[str, bytes] | None = None
           ) -> dict[str, Any]:
    from mlready.hooks.discovery import DiscoveryError
    from mlready.hooks.engine import check_with
    from mlready.hooks.output.json_format import document
    from mlready.hooks.selection import SelectionError

    try:
        settings = _settings(root, base, overlay)
        return document(check_with(settings, [settings.root]))
    except (ConfigError, DiscoveryError, SelectionError, ValueError, OSError) as exc:
        raise InputError(root, f"static checks with the base's settings failed: {exc}") \
            from None


def judged_static(root: Path, base: bytes | None, sha: str) -> StaticReport:
    """The head's static report under the base's ``[tool.mlready]`` (``base`` is the
    root's ``pyproject.toml`` at the merge base; None: the base had none)."""
    return static_from_json(_check(root, base), f"static checks with the settings of {sha[:12]}")


def _without_new_noqa(text: str, lines: set[int]) -> str | None:
    """``text`` with the noqa comments on ``lines`` cut off; None when none was there."""
    out = text.splitlines(keepends=True)
    cut = False
    for number in sorted(lines):
        if not 1 <= number <= len(out):
            continue
        line = out[number - 1]
        match = _NOQA.search(line)
        if match is None:
            continue
        ending = line[len(line.rstrip("\r\n")):]
        out[number - 1] = line[: match.start()].rstrip() + ending
        cut = True
    return "".join(out) if cut else None


def new_noqa_overlay(root: Path, prefix: str, changed: Mapping[str, set[int]]
                     ) -> dict[str, bytes]:
    """Root-relative path -> the file's text without the noqa comments on the lines the PR
    changed, for each file that has one. ``changed`` is repository-relative
    (`mlready.scorecard.diff.changed_lines`); ``prefix`` the project's folder in it."""
    overlay: dict[str, bytes] = {}
    for path, lines in sorted(changed.items()):
        if not path.startswith(prefix) or path.endswith(TEXT_KINDS_SKIPPED) or not lines:
            continue
        name = path[len(prefix):]
        try:
            text = (root / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        stripped = _without_new_noqa(text, lines)
        if stripped is not None:
            overlay[name] = stripped.encode("utf-8")
    return overlay


def silenced(root: Path, base: bytes | None, overlay: Mapping[str, bytes],
             head: Sequence[Diagnostic] | None = None) -> tuple[Diagnostic, ...]:
    """The findings the PR's new noqa comments silence: those the head has once the
    comments are cut (``overlay``) beyond those it has with them (``head``, computed here
    when not given), both under the base's settings."""
    from mlready.scorecard.baseline import diff_findings

    if not overlay:
        return ()
    if head is None:
        head = static_from_json(_check(root, base)).diagnostics
    without = static_from_json(_check(root, base, overlay)).diagnostics
    return diff_findings(without, head)[0]
