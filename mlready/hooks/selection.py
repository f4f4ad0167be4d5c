"""Which rules run, and where: ``select`` / ``extend-select`` / ``ignore`` / ``per-file-ignores``.

Selectors are read as ruff reads them: ``ALL``, a code prefix (``MLR``, ``MLR1``,
``MLR10``), a full code (``MLR101``), and, because hooks and users think in concerns
rather than numbers, a family name (``seeds``, ``hparams``, ``config``, ``deps``,
``checkpoints``, ``types``, ``notebooks``, ``docs``) or a rule name
(``unseeded-python-random``). When several selectors match a rule, the most specific
one decides (a full code beats ``MLR1``, which beats ``MLR``); on a tie ``ignore``
wins. Rules with ``DEFAULT = False`` (MLR401, MLR603) are outside the default selection,
as ruff's ``ANN`` rules are: any selector that covers them turns them on. Rules with
``EXPLICIT = True`` (the opinionated MLR9xx) are enabled only by their own code or
name, or by ``ALL``.

The ``core`` rules (MLR000, a file that cannot be read or parsed) are always on, as
ruff reports syntax errors under any selection: such a file is seen by no other rule,
so ``--select deps`` or ``--ignore ALL`` must not hide it. The other core rule,
MLR900 (``unused-noqa``), is off by default and selected as an ``EXPLICIT`` rule is.
Retired selectors redirect with a warning, as ruff's rule redirects do: ``misc``
(until 0.2 the family of MLR000, MLR301, MLR501, MLR6xx and MLR901) now means
``checkpoints``, ``notebooks``, ``docs``.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterable, Mapping, Sequence

from mlready.hooks import patterns
from mlready.hooks import rules as registry
from mlready.hooks.rules import Rule
from mlready.records import NamedTuple

_CODE = patterns.compile(r"^MLR[0-9]{0,3}$")
# Retired selector -> what it means now. Keep entries forever: configurations outlive us.
REDIRECTS: dict[str, tuple[str, ...]] = {"misc": ("checkpoints", "notebooks", "docs")}


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
    explicit: bool  # names this very rule (or ALL): may enable an `EXPLICIT` rule


def _match(selector: str, rule: Rule) -> _Match | None:
    if selector == "ALL":
        return _Match(0, True)
    if selector in (rule.code, rule.name):
        return _Match(10, True)
    if _CODE.match(selector) and rule.code.startswith(selector):
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
        if selector in REDIRECTS:
            print(f"warning: `{selector}` is deprecated; use {', '.join(REDIRECTS[selector])}"
                  f" (in {origin})", file=sys.stderr)
            continue
        if selector == "ALL" or selector in names or selector in codes:
            continue
        if _CODE.match(selector) and len(selector) < 6:
            continue
        raise SelectionError(f"{origin}: unknown rule selector `{selector}`")


def select(rules: Sequence[Rule], select: Sequence[str] | None, extend_select: Sequence[str],
           ignore: Sequence[str]) -> tuple[Rule, ...]:
    """The enabled rules. ``select=None`` means the default set; ``core`` rules always."""
    select = None if select is None else _redirected(select)
    extend_select, ignore = _redirected(extend_select), _redirected(ignore)
    enabled: list[Rule] = []
    for rule in rules:
        if rule.family == registry.CORE_FAMILY and rule.default:
            enabled.append(rule)
            continue
        best_on: _Match | None = _Match(0, True) if select is None and rule.default else None
        for selector in (*(select or ()), *extend_select):
            found = _match(selector, rule)
            if found and (not rule.explicit or found.explicit) and (
                    best_on is None or found.specificity > best_on.specificity):
                best_on = found
        if best_on is None:
            continue
        worst = max((m.specificity for s in ignore if (m := _match(s, rule))), default=-1)
        if worst >= best_on.specificity:
            continue
        enabled.append(rule)
    return tuple(enabled)


def _redirected(selectors: Sequence[str]) -> list[str]:
    return [new for selector in selectors for new in REDIRECTS.get(selector, (selector,))]


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
