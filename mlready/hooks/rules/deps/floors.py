"""The lowest version a written requirement lets a package be installed at.

A rule whose finding holds only on old releases of a package (``torch.load`` unpickles
by default before torch 2.6) asks here whether the project can still be installed with
one. The answer is a lower bound read from the requirement's own text, or None when the
text does not give one: no specifier, an upper bound only, an environment marker (where
it is false, the project asks for no version at all), or a form we do not parse. None
means "could be any release", so a caller that is unsure keeps its finding. A bound is
a `packaging` ``Version``, pre-releases included: ``>=2.6.0rc1`` is below ``2.6``.

PEP 508 text is parsed by `packaging` (imported on first use, as `requirements` does);
Poetry's and pixi's constraints (``torch = "^2.6"``, written as the deps facts keep them)
are read here, since no well-kept library parses them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from packaging.version import Version

# Operators whose version is a lower bound: `>=2.6`, `==2.6.*`, `~=2.6`, `>2.6`.
# (`>2.5` allows 2.5.1, so a strict bound counts only as the version it names.)
_PEP440_LOWER = frozenset({">=", ">", "==", "===", "~="})


def lowest_version(text: str) -> Version | None:
    """The lowest version ``text`` (one requirement as the deps facts keep it) allows,
    or None when it does not bound it from below."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return _table_lowest(text)
    if requirement.marker is not None:
        return None
    bounds = [_version(spec.version) for spec in requirement.specifier
              if spec.operator in _PEP440_LOWER]
    known = [bound for bound in bounds if bound is not None]
    return max(known) if known else None  # every specifier holds: the highest floor wins


# The `[tool.*]` tables that install packages; the others (ruff's, isort's, mypy's lists
# of module names) name packages without asking for them.
_INSTALLING_TOOLS = frozenset({"poetry", "uv", "pixi", "pdm", "hatch", "rye", "conda"})


def pyproject_requirements(data: dict[str, Any], names: Collection[str]) -> Iterator[str]:
    """Every requirement of a package in ``names`` in a parsed ``pyproject.toml``: in any
    table but the `[tool.*]` ones of tools that install nothing."""
    for key, value in data.items():
        if key == "tool" and isinstance(value, dict):
            for tool, table in value.items():
                if tool in _INSTALLING_TOOLS:
                    yield from requirements_in(table, names)
        else:
            yield from requirements_in(value, names)


def requirements_in(value: Any, names: Collection[str]) -> Iterator[str]:
    """Every requirement of a package in ``names`` anywhere in parsed TOML: PEP 508
    strings in any list (``[project] dependencies``, ``[tool.uv] override-dependencies``,
    dependency groups...) and ``name = constraint`` tables (Poetry's, pixi's), each as
    text `lowest_version` reads. A table value it cannot read (``{git = ...}``,
    ``{path = ...}``) comes out as the bare name: no lower bound."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if isinstance(value, str):
        if any(name in value.lower() for name in names):
            try:
                if canonicalize_name(Requirement(value).name) in names:
                    yield value
            except InvalidRequirement:
                pass
    elif isinstance(value, list):
        for item in value:
            yield from requirements_in(item, names)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and canonicalize_name(key) in names:
                version = item.get("version") if isinstance(item, dict) else item
                yield f"{key} = {json.dumps(version)}" if isinstance(version, str) else key
            else:
                yield from requirements_in(item, names)


def _version(text: str) -> Version | None:
    """``2.6.*`` -> 2.6; ``2.5.1+cu121`` -> 2.5.1+cu121; None for what is no version."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text.removesuffix(".*"))
    except InvalidVersion:
        return None


def _table_lowest(text: str) -> Version | None:
    """Poetry's and pixi's ``name = "^2.6, !=2.6.1"``: ``^``, ``~``, ``~=``, ``>=``,
    ``>``, ``==``, ``=`` and a bare version bound it from below; ``,`` or spaces join
    constraints that all hold; of ``||`` alternatives, the lowest."""
    name, sep, value = text.partition(" = ")
    if not sep or not name.strip():
        return None
    try:
        constraint = json.loads(value)
    except ValueError:
        return None
    if not isinstance(constraint, str):
        return None
    floors = [_alternative(part) for part in constraint.split("||")]
    known = [floor for floor in floors if floor is not None]
    return min(known) if known and len(known) == len(floors) else None


def _alternative(constraint: str) -> Version | None:
    bounds: list[Version] = []
    for part in constraint.replace(",", " ").split():
        for operator in ("^", "~=", "~", ">=", ">", "==", "="):
            if part.startswith(operator):
                part = part[len(operator):]
                break
        else:
            if not part[:1].isdigit():  # `<3`, `!=2.0.1`, `*`: no lower bound here
                continue
        version = _version(part) if part[:1].isdigit() else None
        if version is not None:
            bounds.append(version)
    return max(bounds) if bounds else None
