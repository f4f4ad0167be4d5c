"""One line per category that says why it scores what it scores.

A score of 77.4 next to "2 passed, 1 failed" leaves the reader to guess which item
cost what. The line names the items that lost points, biggest loss first, with the
points each cost, so that 100 minus the named losses is the score (the rest, when
more items lost points than are named, is summed as "N more"). Points are the item's
share of the category: ``100 * weight * (1 - credit) / total scored weight``.
Item ids are in backticks, as rule messages name constructs; the markdown renderer
escapes the line with `escape.message`, which keeps those spans as code.
"""

from __future__ import annotations

from mlready.scorecard.model import CategoryScore, ItemResult, Source, Status

MAX_NAMED = 2
_UNSCORED = ((Status.NOT_APPLICABLE, "n/a"), (Status.SKIPPED, "skipped"),
             (Status.ERROR, "errored"), (Status.NOT_MEASURED, "not measured"))


def _short(detail: str, limit: int = 80) -> str:
    """The first clause of an item's detail: "32% covered (94/291)", "1 finding".

    Cut at ``limit`` characters, never inside a backticked span: half a span would
    turn the rest of the line into code when it is rendered.
    """
    text = detail.split(";", 1)[0].strip()
    if len(text) <= limit:
        return text
    text = text[: limit - 1]
    if text.count("`") % 2:
        text = text[: text.rindex("`")].rstrip()
    return text + "\u2026"


def _name(item: ItemResult) -> str:
    """`MLR005` unseeded-environment: a code alone means nothing to a reviewer."""
    if item.title and item.title != item.id:
        return f"`{item.id}` {item.title}"
    return f"`{item.id}`"


def losses(category: CategoryScore) -> list[tuple[ItemResult, float]]:
    """(item, points lost) for every scored item below full credit, biggest first."""
    scored = [i for i in category.items if i.status.scored and i.credit is not None]
    total = sum(i.weight for i in scored)
    if total <= 0:
        return []
    lost = [(i, 100.0 * i.weight * (1.0 - (i.credit or 0.0)) / total) for i in scored]
    return sorted([pair for pair in lost if pair[1] > 1e-9], key=lambda p: -p[1])


def _unscored(category: CategoryScore) -> str:
    if any(i.status.scored and i.credit is not None for i in category.items):
        # `scoring.runtime_unmeasured`: the runtime items were tried and measured nothing.
        unscored = [i for i in category.items if i.source is Source.CHECK
                    and not i.status.scored]
        unscored.sort(key=lambda i: i.status is Status.NOT_APPLICABLE)  # the why first
        tried = [f"`{i.id}` {i.status.value.replace('_', ' ')}" for i in unscored]
        return ("not measured: its runtime checks measured nothing ("
                + (", ".join(tried[:3]) or "no smoke run")
                + "), and its static items alone would claim what they were there to prove")
    if any(i.status is Status.NOT_MEASURED for i in category.items):
        why = next(i.detail for i in category.items if i.status is Status.NOT_MEASURED)
        return f"not measured: {why}"
    if not category.items:
        return "no item feeds this category yet"
    return "nothing scored: every item is not applicable, skipped or errored"


def _aside(category: CategoryScore, status: Status, word: str) -> str:
    """"3 not measured", or with one or two items their ids: "not measured: `tests`"
    (a Testing score of 100 reads differently once it says the test suite never ran)."""
    ids = [f"`{i.id}`" for i in category.items if i.status is status]
    return f"{word}: {', '.join(ids)}" if len(ids) <= 2 else f"{len(ids)} {word}"


def line(category: CategoryScore) -> str:
    """Why ``category`` scores what it does, in one line."""
    if category.score is None:
        return _unscored(category)
    scored = [i for i in category.items if i.status.scored]
    passed = sum(1 for i in scored if i.status is Status.PASS)
    head = f"{passed}/{len(scored)} scored items pass"
    aside = [_aside(category, status, word) for status, word in _UNSCORED
             if category.count(status)]
    if aside:
        head += f" ({', '.join(aside)})"
    lost = losses(category)
    if not lost:
        return head
    rest = lost[MAX_NAMED:]
    shown = lost if len(rest) == 1 else lost[:MAX_NAMED]  # one more costs no more room
    named = [f"\u2212{points:.1f} {_name(item)} ({_short(item.detail) or item.status.value})"
             for item, points in shown]
    if len(rest) > 1:
        named.append(f"\u2212{sum(p for _, p in rest):.1f} {len(rest)} other items")
    return f"{head}; " + ", ".join(named)
