"""The lowest release a written requirement lets a package be installed at.

A rule whose finding holds only on old releases of a package (``torch.load`` unpickles
by default before torch 2.6) asks here whether the project can still be installed with
one. The answer is a lower bound read from the requirement's own text, or None when the
text does not give one: no specifier, an upper bound only, an environment marker (where
it is false, the project asks for no version at all), or a form we do not parse. None
means "could be any release", so a caller that is unsure keeps its finding.

PEP 508 text is parsed by `packaging` (imported on first use, as `requirements` does);
Poetry's constraints (``torch = "^2.6"``, written as the deps facts keep them) are read
here, since no well-kept library parses them.
"""

from __future__ import annotations

import json

Release = tuple[int, ...]

# Operators whose version is a lower bound: `>=2.6`, `==2.6.*`, `~=2.6`, `>2.6`.
# (`>2.5` allows 2.5.1, so a strict bound counts only as the version it names.)
_PEP440_LOWER = frozenset({">=", ">", "==", "===", "~="})


def lowest_release(text: str) -> Release | None:
    """The lowest release ``text`` (one requirement as the deps facts keep it) allows,
    as a tuple (``(2, 6)``), or None when it does not bound it from below."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return _poetry_lowest(text)
    if requirement.marker is not None:
        return None
    bounds = [_release(spec.version) for spec in requirement.specifier
              if spec.operator in _PEP440_LOWER]
    known = [bound for bound in bounds if bound is not None]
    return max(known) if known else None  # every specifier holds: the highest floor wins


def _release(version: str) -> Release | None:
    """``2.6.*`` -> (2, 6); ``2.5.1+cu121`` -> (2, 5, 1); None for what is no version."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version.removesuffix(".*")).release
    except InvalidVersion:
        return None


def _poetry_lowest(text: str) -> Release | None:
    """Poetry's ``name = "^2.6, !=2.6.1"``: ``^``, ``~``, ``~=``, ``>=``, ``>``, ``==``,
    ``=`` and a bare version bound it from below; ``||`` alternatives all must."""
    name, sep, value = text.partition(" = ")
    if not sep or not name.strip():
        return None
    try:
        constraint = json.loads(value)
    except ValueError:
        return None
    if not isinstance(constraint, str):
        return None
    floors = [_poetry_alternative(part) for part in constraint.split("||")]
    known = [floor for floor in floors if floor is not None]
    return min(known) if known and len(known) == len(floors) else None


def _poetry_alternative(constraint: str) -> Release | None:
    bounds: list[Release] = []
    for part in constraint.split(","):
        part = part.strip()
        for operator in ("^", "~=", "~", ">=", ">", "==", "="):
            if part.startswith(operator):
                part = part[len(operator):].strip()
                break
        else:
            if not part[:1].isdigit():  # `<3`, `!=2.0.1`, `*`: no lower bound here
                continue
        release = _release(part) if part[:1].isdigit() else None
        if release is not None:
            bounds.append(release)
    return max(bounds) if bounds else None
