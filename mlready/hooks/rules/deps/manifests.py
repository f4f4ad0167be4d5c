"""Dependency lists of ``pyproject.toml`` (PEP 621, PEP 735 groups, Poetry), with the
line of each item, and the facts every manifest kind shares (`ManifestFacts`).

Values come from ``tomllib``, positions from `toml_positions`; the scanner's items are
matched to the parsed items by order, and when they disagree (an unusual layout) a
finding falls back to the key's line. ``setup.cfg`` and conda files: `setup_cfg`,
`conda`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

from mlready.hooks import patterns
from mlready.hooks.rules.deps.requirements import (
    Entry,
    Status,
    canonicalize_name,
    is_commit,
    string_entry,
    url_status,
)
from mlready.hooks.rules.deps.toml_positions import Position, key_line, locate_array


class GroupInclude(TypedDict):
    """A PEP 735 ``{include-group = "..."}`` item."""

    line: int
    col: int
    group: str
    target: str
    exists: bool


class ManifestFacts(TypedDict):
    kind: str  # "pyproject", "setup_cfg" or "setup_py"
    entries: list[Entry]
    group_includes: list[GroupInclude]
    # Package metadata of a distribution meant for an index (trove classifiers, project
    # URLs): its ranges are right by design, and its users pin (see MLR204).
    library: bool


def is_library_metadata(table: Mapping[str, Any]) -> bool:
    """``[project]`` (or ``[tool.poetry]``, ``[metadata]``) with classifiers or links."""
    return any(key in table for key in ("classifiers", "urls", "url", "project_urls",
                                        "homepage", "repository"))


def _items(lines: list[str], path: tuple[str, ...], values: list[Any]) -> Iterator[
        tuple[Position, Any]]:
    key_line, positions = locate_array(lines, path)
    if len(positions) != len(values):
        positions = [(key_line or 1, 1)] * len(values)
    yield from zip(positions, values, strict=True)


def _entries(lines: list[str], path: tuple[str, ...], values: object) -> list[Entry]:
    if not isinstance(values, list):
        return []
    entries: list[Entry] = []
    for (line, col), value in _items(lines, path, values):
        entry = string_entry(line, col, value) if isinstance(value, str) else None
        if entry is not None:
            entries.append(entry)
    return entries


def own(entries: list[Entry], project: object) -> list[Entry]:
    """``mypkg[viz]`` inside mypkg's own extras is the project itself, not a dependency."""
    if isinstance(project, str) and project.strip():
        own = canonicalize_name(project.strip())
        for entry in entries:
            if entry["name"] == own and entry["status"] == "unpinned":
                entry["status"] = "local"
    return entries


def _tables(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    value: Any = data
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _group_includes(lines: list[str], groups: Mapping[str, Any]) -> list[GroupInclude]:
    known = {canonicalize_name(name) for name in groups}
    found: list[GroupInclude] = []
    for group, values in groups.items():
        if not isinstance(values, list):
            continue
        for (line, col), value in _items(lines, ("dependency-groups", group), values):
            target = value.get("include-group") if isinstance(value, Mapping) else None
            if isinstance(target, str):
                found.append(GroupInclude(line=line, col=col, group=group, target=target,
                                          exists=canonicalize_name(target) in known))
    return found


def pyproject_facts(source: str, data: object) -> ManifestFacts:
    """Entries of ``[project]`` dependencies, optional dependencies, dependency groups
    and Poetry's dependency tables."""
    if not isinstance(data, Mapping):
        try:
            data = tomllib.loads(source)
        except (ValueError, RecursionError):  # TOMLDecodeError, too many digits, too deep
            return ManifestFacts(kind="pyproject", entries=[], group_includes=[],
                                 library=False)
    lines = source.splitlines()
    project = _tables(data, "project")
    entries = _entries(lines, ("project", "dependencies"), project.get("dependencies"))
    for extra, values in _tables(project, "optional-dependencies").items():
        entries += _entries(lines, ("project", "optional-dependencies", extra), values)
    groups = _tables(data, "dependency-groups")
    for group, values in groups.items():
        entries += _entries(lines, ("dependency-groups", group), values)
    entries += poetry_entries(lines, data)
    poetry = _tables(data, "tool", "poetry")
    name = project.get("name") or poetry.get("name")
    library = "build-system" in data and (is_library_metadata(project)
                                          or is_library_metadata(poetry))
    return ManifestFacts(kind="pyproject", entries=own(entries, name),
                         group_includes=_group_includes(lines, groups), library=library)


_POETRY_EXACT = patterns.compile(r"^\s*+(?:===?|=)?\s*+[0-9][0-9A-Za-z.+!_-]*+\s*+$")


def poetry_status(value: object) -> tuple[Status, str | None] | None:
    """(status, ref) of a Poetry dependency value; None for what is not a dependency."""
    if isinstance(value, list):  # multiple constraints: pinned only if every one is
        statuses = [poetry_status(item) for item in value]
        known = [s for s in statuses if s is not None]
        return ("pinned", None) if known and all(s[0] == "pinned" for s in known) \
            else ("unpinned", None)
    if isinstance(value, str):
        return ("pinned" if _POETRY_EXACT.match(value) else "unpinned"), None
    if not isinstance(value, Mapping):
        return None
    if "path" in value:
        return "local", None
    if "git" in value:
        ref = str(value.get("rev") or value.get("tag") or value.get("branch") or "")
        return ("pinned" if is_commit(ref) else "vcs-unpinned"), ref
    if "url" in value:
        return url_status(str(value["url"]))
    version = value.get("version")
    return poetry_status(version) if isinstance(version, str) else ("unpinned", None)


PoetryTable = tuple[tuple[str, ...], Mapping[str, Any]]


def _poetry_tables(poetry: Mapping[str, Any]) -> Iterator[PoetryTable]:
    base = ("tool", "poetry")
    for key in ("dependencies", "dev-dependencies"):
        table = poetry.get(key)
        if isinstance(table, Mapping):
            yield (*base, key), table
    groups = poetry.get("group")
    for group, spec in (groups.items() if isinstance(groups, Mapping) else ()):
        table = spec.get("dependencies") if isinstance(spec, Mapping) else None
        if isinstance(table, Mapping):
            yield (*base, "group", group, "dependencies"), table


def poetry_entries(lines: list[str], data: Mapping[str, Any]) -> list[Entry]:
    """Entries of ``[tool.poetry.dependencies]``, dev-dependencies and groups."""
    entries: list[Entry] = []
    for path, table in _poetry_tables(_tables(data, "tool", "poetry")):
        for name, value in table.items():
            status = poetry_status(value) if name.lower() != "python" else None
            if status is None:
                continue
            line, col = key_line(lines, path, name)
            text = f"{name} = {json.dumps(value)}" if isinstance(value, str) else name
            entries.append(Entry(line=line, col=col, text=text, name=canonicalize_name(name),
                                 status=status[0], ref=status[1]))
    return entries
