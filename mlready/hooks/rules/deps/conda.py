"""Dependencies of a conda ``environment.yml``, with the line of each item."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.rules.deps.manifests import ManifestFacts
from mlready.hooks.rules.deps.requirements import Entry, string_entry

_CONDA_NAME = patterns.compile(r"(?:environment|conda|env)[^/]*\.ya?ml")
_CONDA_SPEC = patterns.compile(r"^(?:[\w.\-]+::)?(?P<name>[A-Za-z0-9_.\-]++)(?P<rest>.*)$")
_CONDA_EXACT = patterns.compile(r"^(?:==?)?\s*[0-9][0-9A-Za-z.+_!]*(?:[=\s]\S+)?$")
_CONDA_TOOLS = frozenset({"pip"})  # the installer itself: listed bare so `pip:` works


def is_conda_environment(path: str, data: object) -> bool:
    """A conda environment file: ``dependencies:`` and a conda-ish name or ``channels:``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("dependencies"), list):
        return False
    name = path.rsplit("/", 1)[-1].lower()
    return bool(_CONDA_NAME.fullmatch(name)) or "channels" in data


def conda_status(spec: str) -> tuple[str | None, bool]:
    """(name, pinned) of a conda match spec: ``pytorch=2.3.1``, ``numpy==1.26.4=py311h_0``
    and ``python=3.11`` pin one release; ``pytorch``, ``numpy>=1.24``, ``cuda=12.*`` do not."""
    match = _CONDA_SPEC.match(spec.strip())
    version = _conda_version(match.group("rest")) if match is not None else None
    if match is None or version is None:
        return None, False
    if version.startswith("=*="):  # `blas=*=mkl`: picks a build variant, not a version
        return match.group("name").lower(), True
    return match.group("name").lower(), bool(_CONDA_EXACT.match(version)) and \
        not any(char in version for char in "*<>|,!~")


def _conda_version(rest: str) -> str | None:
    r"""The version part of what follows a spec's name: ``\s*(?P<spec>[^#]*?)\s*(?:\[.*\])?$``
    written out, because that lazy pattern was quadratic on a long run of spaces."""
    rest = rest.lstrip()
    bracket = rest.find("[")
    if bracket >= 0 and rest.endswith("]"):
        rest = rest[:bracket]
    rest = rest.rstrip()
    return None if "#" in rest else rest


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
    return ManifestFacts(kind="conda", entries=entries, group_includes=[], library=False)
