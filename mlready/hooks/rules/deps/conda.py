"""Dependencies of a conda ``environment.yml``, with the line of each item."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlready.hooks.rules.deps.manifests import ManifestFacts
from mlready.hooks.rules.deps.requirements import Entry, string_entry

_CONDA_NAME = re.compile(r"(?:environment|conda|env)[^/]*\.ya?ml")
_CONDA_SPEC = re.compile(
        r"^(?:[\w.\-]+::)?(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<spec>[^#]*?)\s*(?:\[.*\])?$")
_CONDA_EXACT = re.compile(r"^(?:==?)?\s*[0-9][0-9A-Za-z.+_!]*(?:[=\s]\S+)?$")
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
    if match is None:
        return None, False
    version = match.group("spec")
    if version.startswith("=*="):  # `blas=*=mkl`: picks a build variant, not a version
        return match.group("name").lower(), True
    return match.group("name").lower(), bool(_CONDA_EXACT.match(version)) and \
        not any(char in version for char in "*<>|,!~")


class _LineFinder:
    """Finds each YAML list item's line by its text, in document order."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.row = 0

    def find(self, value: str) -> tuple[int, int]:
        pattern = re.compile(r"^(\s*-\s*)[\"']?" + re.escape(value) + r"[\"']?\s*(?:#.*)?$")
        for row in range(self.row, len(self.lines)):
            match = pattern.match(self.lines[row])
            if match:
                self.row = row + 1
                return row + 1, match.end(1) + 1
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
