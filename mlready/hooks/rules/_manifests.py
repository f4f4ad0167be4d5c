"""Dependency lists of ``pyproject.toml`` and ``setup.cfg``, with the line of each item.

``tomllib`` and ``configparser`` give values without positions, yet a finding must
point at the line of the dependency string inside the array. So the values come from
the parsed document (the truth) and the positions from a small scanner over the text
that only understands what it needs: table headers, keys, strings, brackets and
comments. The scanner's items are matched to the parsed items by order; when they
disagree (an unusual layout), a finding falls back to the key's line.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, TypedDict

from mlready.hooks.rules._requirements import (
    Entry,
    Status,
    canonicalize_name,
    is_commit,
    string_entry,
    url_status,
)


class GroupInclude(TypedDict):
    """A PEP 735 ``{include-group = "..."}`` item."""

    line: int
    col: int
    group: str
    target: str
    exists: bool


class ManifestFacts(TypedDict):
    kind: str  # "pyproject" or "setup_cfg"
    entries: list[Entry]
    group_includes: list[GroupInclude]


@cache
def _header_re() -> re.Pattern[str]:
    # The name inside the brackets, without the spaces around it. Possessive runs, and
    # inner spaces only when a name character follows: linear on any line (a lazy name
    # before `\s*\]` was cubic on `[` and a long run of spaces).
    return re.compile(r"^\s*+\[\s*+((?:[^\[\]\s]++|\s++(?=[^\[\]\s]))++)\s*+\]\s*+(?:#.*)?$")


_KEY_PART = r"""(?:"[^"]*+"|'[^']*+'|[A-Za-z0-9_\-]++)"""  # possessive: no backtracking


@cache
def _key_re() -> re.Pattern[str]:
    return re.compile(rf"^\s*+({_KEY_PART}(?:\s*+\.\s*+{_KEY_PART})*+)\s*+=\s*")


@cache
def _part_re() -> re.Pattern[str]:
    return re.compile(_KEY_PART)


Position = tuple[int, int]


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _part_re().findall(dotted))


def _skip_string(lines: list[str], row: int, col: int) -> Position:
    """The position just after the TOML string that starts at (row, col)."""
    quote = lines[row][col]
    triple = lines[row].startswith(quote * 3, col)
    closing = quote * 3 if triple else quote
    col += len(closing)
    while row < len(lines):
        text = lines[row]
        while col < len(text):
            if quote == '"' and text[col] == "\\":
                col += 2
                continue
            if text.startswith(closing, col):
                return row, col + len(closing)
            col += 1
        if not triple:
            return row, len(text)
        row, col = row + 1, 0
    return row, 0


def _array_items(lines: list[str], row: int, col: int) -> list[Position]:
    """1-based (line, column) of each top-level item of the array opening at (row, col)."""
    items: list[Position] = []
    depth = braces = 0
    while row < len(lines):
        text = lines[row]
        while col < len(text):
            char = text[col]
            top = depth == 1 and braces == 0
            if char == "#":
                break
            if char in "\"'":
                if top:
                    items.append((row + 1, col + 1))
                row, col = _skip_string(lines, row, col)
                text = lines[row] if row < len(lines) else ""
                continue
            if char in "[{" and top:
                items.append((row + 1, col + 1))
            depth += char == "["
            depth -= char == "]"
            braces += char == "{"
            braces -= char == "}"
            if depth == 0:
                return items
            col += 1
        row, col = row + 1, 0
    return items


def locate_array(lines: list[str], path: tuple[str, ...]) -> tuple[int, list[Position]]:
    """The key's 1-based line and its array items' positions, for a dotted ``path``."""
    table: tuple[str, ...] = ()
    for row, text in enumerate(lines):
        header = _header_re().match(text)
        if header:
            table = ("[[",) if text.lstrip().startswith("[[") else _parts(header.group(1))
            continue
        key = _key_re().match(text)
        if key is None or table + _parts(key.group(1)) != path:
            continue
        start = key.end()
        if start < len(text) and text[start] == "[":
            return row + 1, _array_items(lines, row, start)
        return row + 1, []
    return 0, []


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


def _own(entries: list[Entry], project: object) -> list[Entry]:
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
            return ManifestFacts(kind="pyproject", entries=[], group_includes=[])
    lines = source.splitlines()
    project = _tables(data, "project")
    entries = _entries(lines, ("project", "dependencies"), project.get("dependencies"))
    for extra, values in _tables(project, "optional-dependencies").items():
        entries += _entries(lines, ("project", "optional-dependencies", extra), values)
    groups = _tables(data, "dependency-groups")
    for group, values in groups.items():
        entries += _entries(lines, ("dependency-groups", group), values)
    entries += poetry_entries(lines, data)
    name = project.get("name") or _tables(data, "tool", "poetry").get("name")
    return ManifestFacts(kind="pyproject", entries=_own(entries, name),
                         group_includes=_group_includes(lines, groups))


@cache
def _cfg_section_re() -> re.Pattern[str]:
    return re.compile(r"^\[\s*+((?:[^\]\s]++|\s++(?=[^\]\s]))++)\s*+\]")  # linear, as _header_re


@cache
def _cfg_key_re() -> re.Pattern[str]:
    return re.compile(r"^([A-Za-z0-9_.\-]+)\s*[=:]\s*(.*)$")


CfgValue = tuple[int, int, str]


def _cfg_values(lines: list[str]) -> Iterator[tuple[str, str, bool, list[CfgValue]]]:
    """(section, key, inline, [(line, col, text)]) for every key of an INI file.

    ``inline`` says the value is one line written after the key, which setuptools
    splits on ``;`` rather than on lines.
    """
    section = ""
    key: str | None = None
    values: list[CfgValue] = []
    inline = False
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if stripped.startswith(("#", ";")):
            continue
        if text[:1].isspace() and key is not None:
            if stripped:
                values.append((number, len(text) - len(text.lstrip()) + 1, stripped))
                inline = False
            continue
        if key is not None:
            yield section, key, inline, values
            key, values = None, []
        if match := _cfg_section_re().match(text):
            section = match.group(1)
        elif match := _cfg_key_re().match(text):
            key = match.group(1).lower().replace("-", "_")
            inline = bool(match.group(2).strip())
            if inline:
                values = [(number, match.start(2) + 1, match.group(2).strip())]
    if key is not None:
        yield section, key, inline, values


def setup_cfg_facts(source: str) -> ManifestFacts:
    """Entries of ``[options] install_requires`` and ``[options.extras_require]``.

    As setuptools reads them: one requirement per line, or ``;``-separated on one line;
    ``file:`` values point at requirement files that are checked on their own.
    """
    entries: list[Entry] = []
    name: str | None = None
    for section, key, inline, values in _cfg_values(source.splitlines()):
        if section == "metadata" and key == "name" and values:
            name = values[0][2]
        wanted = (section == "options" and key == "install_requires") or \
            section == "options.extras_require"
        if not wanted or (values and values[0][2].startswith("file:")):
            continue
        items = values
        if inline:
            line, col, text = values[0]
            items = []
            for part in text.split(";"):
                items.append((line, col + len(part) - len(part.lstrip()), part))
                col += len(part) + 1
        for line, col, text in items:
            text = text.partition(" #")[0]  # setuptools drops inline comments this way
            entry = string_entry(line, col, text) if text.strip() else None
            if entry is not None:
                entries.append(entry)
    return ManifestFacts(kind="setup_cfg", entries=_own(entries, name), group_includes=[])


@cache
def _conda_name_re() -> re.Pattern[str]:
    return re.compile(r"(?:environment|conda|env)[^/]*\.ya?ml")


@cache
def _conda_spec_re() -> re.Pattern[str]:
    return re.compile(r"^(?:[\w.\-]+::)?(?P<name>[A-Za-z0-9_.\-]++)(?P<rest>.*)$")


def _conda_version(rest: str) -> str | None:
    r"""The version part of what follows a spec's name: ``\s*(?P<spec>[^#]*?)\s*(?:\[.*\])?$``
    written out, because that lazy pattern was quadratic on a long run of spaces."""
    rest = rest.lstrip()
    bracket = rest.find("[")
    if bracket >= 0 and rest.endswith("]"):
        rest = rest[:bracket]
    rest = rest.rstrip()
    return None if "#" in rest else rest


@cache
def _conda_exact_re() -> re.Pattern[str]:
    return re.compile(r"^(?:==?)?\s*[0-9][0-9A-Za-z.+_!]*(?:[=\s]\S+)?$")


_CONDA_TOOLS = frozenset({"pip"})  # the installer itself: listed bare so `pip:` works


def is_conda_environment(path: str, data: object) -> bool:
    """A conda environment file: ``dependencies:`` and a conda-ish name or ``channels:``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("dependencies"), list):
        return False
    name = path.rsplit("/", 1)[-1].lower()
    return bool(_conda_name_re().fullmatch(name)) or "channels" in data


def conda_status(spec: str) -> tuple[str | None, bool]:
    """(name, pinned) of a conda match spec: ``pytorch=2.3.1``, ``numpy==1.26.4=py311h_0``
    and ``python=3.11`` pin one release; ``pytorch``, ``numpy>=1.24``, ``cuda=12.*`` do not."""
    match = _conda_spec_re().match(spec.strip())
    version = _conda_version(match.group("rest")) if match is not None else None
    if match is None or version is None:
        return None, False
    if version.startswith("=*="):  # `blas=*=mkl`: picks a build variant, not a version
        return match.group("name").lower(), True
    return match.group("name").lower(), bool(_conda_exact_re().match(version)) and \
        not any(char in version for char in "*<>|,!~")


class _LineFinder:
    """Finds each YAML list item's line by its text, in document order.

    The ``- item`` lines are indexed once by the texts they can hold (the whole rest,
    or the part before a ``#`` comment; with or without quotes), so that each look-up
    is a dictionary hit: scanning the remaining lines per item was quadratic (a 20,000
    item flow-style list, whose items are on no ``-`` line, took minutes).
    """

    def __init__(self, lines: list[str]) -> None:
        self.row = 0
        self._rows: dict[str, list[tuple[int, int]]] = {}
        for row, text in enumerate(lines):
            stripped = text.lstrip()
            if not stripped.startswith("-"):
                continue
            rest = stripped[1:].lstrip()
            col = len(text) - len(rest) + 1
            for value in self._texts(rest):
                self._rows.setdefault(value, []).append((row, col))

    @staticmethod
    def _texts(rest: str) -> set[str]:
        cuts = {rest, rest.partition("#")[0], rest.rpartition("#")[0]}
        texts: set[str] = set()
        for cut in cuts:
            cut = cut.rstrip()
            texts.add(cut)
            for quote in "\"'":
                texts.add(cut.removeprefix(quote).removesuffix(quote))
        return texts

    def find(self, value: str) -> tuple[int, int]:
        rows = self._rows.get(value, [])
        at = bisect.bisect_left(rows, (self.row, 0))
        if at < len(rows):
            row, col = rows[at]
            self.row = row + 1
            return row + 1, col
        return 1, 1


def conda_facts(path: str, source: str, data: Mapping[str, Any]) -> ManifestFacts:
    """Entries of a conda ``environment.yml``: conda specs and its ``pip:`` list."""
    finder = _LineFinder(source.splitlines())
    entries: list[Entry] = []
    for item in data["dependencies"]:
        if isinstance(item, str):
            line, col = finder.find(item)
            name, pinned = conda_status(item)
            if name in _CONDA_TOOLS:
                continue
            entries.append(Entry(line=line, col=col, text=item.strip(), name=name,
                                 status="pinned" if pinned else "unpinned", ref=None))
        elif isinstance(item, Mapping) and isinstance(item.get("pip"), list):
            for requirement in item["pip"]:
                if not isinstance(requirement, str) or requirement.lstrip().startswith("-r"):
                    continue
                line, col = finder.find(requirement)
                text = requirement.strip().removeprefix("-e ").removeprefix("--editable ")
                entry = string_entry(line, col, text)
                if entry is not None:
                    entries.append(entry)
    return ManifestFacts(kind="conda", entries=entries, group_includes=[])


@cache
def _poetry_exact_re() -> re.Pattern[str]:
    return re.compile(r"^\s*+(?:===?|=)?\s*+[0-9][0-9A-Za-z.+!_-]*+\s*+$")


def _key_line(lines: list[str], table: tuple[str, ...], key: str) -> tuple[int, int]:
    """1-based (line, column) of ``key = ...`` inside ``[table]`` (or of the table's header)."""
    current: tuple[str, ...] = ()
    for row, text in enumerate(lines):
        header = _header_re().match(text)
        if header:
            current = _parts(header.group(1))
            if current == (*table, key):
                return row + 1, 1
            continue
        match = _key_re().match(text)
        if match and current == table and _parts(match.group(1)) == (key,):
            return row + 1, len(text) - len(text.lstrip()) + 1
    return 1, 1


def poetry_status(value: object) -> tuple[Status, str | None] | None:
    """(status, ref) of a Poetry dependency value; None for what is not a dependency."""
    if isinstance(value, list):  # multiple constraints: pinned only if every one is
        statuses = [poetry_status(item) for item in value]
        known = [s for s in statuses if s is not None]
        return ("pinned", None) if known and all(s[0] == "pinned" for s in known) \
            else ("unpinned", None)
    if isinstance(value, str):
        return ("pinned" if _poetry_exact_re().match(value) else "unpinned"), None
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
            line, col = _key_line(lines, path, name)
            text = f"{name} = {json.dumps(value)}" if isinstance(value, str) else name
            entries.append(Entry(line=line, col=col, text=text, name=canonicalize_name(name),
                                 status=status[0], ref=status[1]))
    return entries
