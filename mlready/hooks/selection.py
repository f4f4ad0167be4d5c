"""Which rules run, and where: ``select`` / ``extend-select`` / ``ignore`` / ``per-file-ignores``.

Selectors are read as ruff reads them: ``ALL``, a code prefix (``MLR``, ``MLR1``,
``MLR10``), a full code (``MLR101``), and, because hooks and users think in concerns
rather than numbers, a family name (``seeds``, ``hparams``, ``config``, ``deps``,
``types``, ``misc``) or a rule name (``unseeded-entrypoint``). When several selectors
match a rule, the most specific one decides (a full code beats ``MLR1``, which beats
``MLR``); on a tie ``ignore`` wins. Rules with ``DEFAULT = False`` are enabled only by
their own code or name, or by ``ALL``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import NamedTuple

from mlready.hooks import rules as registry
from mlready.hooks.rules import Rule


@cache
def _code_re() -> re.Pattern[str]:
    return re.compile(r"^MLR[0-9]{0,3}$")


class SelectionError(ValueError):
    """An unknown selector (one line)."""


def families(rules: Iterable[Rule]) -> dict[str, list[Rule]]:
    grouped: dict[str, list[Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule.family, []).append(rule)
    return grouped


class _Match(NamedTuple):
    """How specifically a selector names a rule."""

    specificity: int
    explicit: bool  # names this very rule (or ALL): may enable an off-by-default rule


def _match(selector: str, rule: Rule) -> _Match | None:
    if selector == "ALL":
        return _Match(0, True)
    if selector in (rule.code, rule.name):
        return _Match(10, True)
    if _code_re().match(selector) and rule.code.startswith(selector):
        return _Match(len(selector), False)
    if selector == rule.family:
        return _Match(4, False)
    return None


def validate(selectors: Iterable[str], rules: Sequence[Rule], origin: str) -> None:
    """Raise `SelectionError` for a selector that is neither a code prefix, a known
    code, a family nor a rule name. Prefixes that match no rule yet are accepted, so
    that configurations survive rules being added."""
    names = {r.name for r in rules} | {r.family for r in rules} | set(registry.FAMILIES)
    codes = {r.code for r in rules}
    for selector in selectors:
        if selector == "ALL" or selector in names or selector in codes:
            continue
        if _code_re().match(selector) and len(selector) < 6:
            continue
        raise SelectionError(f"{origin}: unknown rule selector `{selector}`")


def select(rules: Sequence[Rule], select: Sequence[str] | None, extend_select: Sequence[str],
           ignore: Sequence[str]) -> tuple[Rule, ...]:
    """The enabled rules. ``select=None`` means the default set."""
    enabled: list[Rule] = []
    for rule in rules:
        best_on: _Match | None = _Match(0, True) if select is None and rule.default else None
        for selector in (*(select or ()), *extend_select):
            found = _match(selector, rule)
            if found and (rule.default or found.explicit) and (
                    best_on is None or found.specificity > best_on.specificity):
                best_on = found
        if best_on is None:
            continue
        worst = max((m.specificity for s in ignore if (m := _match(s, rule))), default=-1)
        if worst >= best_on.specificity:
            continue
        enabled.append(rule)
    return tuple(enabled)


def ignored_by_path(path: str, per_file_ignores: Mapping[str, Sequence[str]],
                    code: str) -> bool:
    """Whether ``per-file-ignores`` silences ``code`` in ``path`` (a root-relative path).

    A pattern without a slash matches the file name, one with a slash the whole path;
    codes are prefixes, and ``ALL`` means every code.
    """
    name = path.rsplit("/", 1)[-1]
    for pattern, codes in per_file_ignores.items():
        target = path if "/" in pattern else name
        if fnmatch.fnmatchcase(target, pattern.removeprefix("./")) and any(
                c == "ALL" or code.startswith(c) for c in codes):
            return True
    return False
