"""Dependency lists of ``setup.cfg`` (``install_requires``, ``extras_require``), with the
line of each item: ``configparser`` gives no positions, so a small INI reader does."""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.rules.deps.manifests import ManifestFacts, own
from mlready.hooks.rules.deps.requirements import Entry, string_entry

_CFG_SECTION = patterns.compile(r"^\[\s*+((?:[^\]\s]++|\s++(?=[^\]\s]))++)\s*+\]")  # linear
_CFG_KEY = patterns.compile(r"^([A-Za-z0-9_.\-]+)\s*[=:]\s*(.*)$")


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
        if match := _CFG_SECTION.match(text):
            section = match.group(1)
        elif match := _CFG_KEY.match(text):
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
    library = False
    for section, key, inline, values in _cfg_values(source.splitlines()):
        if section == "metadata" and key == "name" and values:
            name = values[0][2]
        if section == "metadata" and key in ("classifiers", "url", "project_urls"):
            library = True
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
    return ManifestFacts(kind="setup_cfg", entries=own(entries, name), group_includes=[],
                         library=library)
