"""The card's finding tables: new in this PR, already on the base, fixed, and the
base's findings collapsed to counts per rule.

Locations link only through `md_text.finding_url`; every message is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mlready.hooks.model import Diagnostic
from mlready.scorecard import escape
from mlready.scorecard.model import Scorecard
from mlready.scorecard.render.md_text import Options, finding_url


def finding_row(diagnostic: Diagnostic, options: Options) -> str:
    """One table row. A notebook finding's line counts inside its cell, so it links to
    the notebook without a line anchor, which would point into the JSON."""
    if diagnostic.cell is None:
        where = escape.code(f"{diagnostic.path}:{diagnostic.line}")
        url = finding_url(options, diagnostic.path, diagnostic.line)
    else:
        where = escape.code(f"{diagnostic.path}:cell {diagnostic.cell}:{diagnostic.line}")
        url = finding_url(options, diagnostic.path, None)
    location = escape.link(where, url)
    return (f"| {location} | {escape.code(diagnostic.code, 20)} | "
            f"{escape.message(diagnostic.message)} |")


def findings_table(title: str, findings: Sequence[Diagnostic], options: Options,
                   limit: int, rows: dict[tuple[Diagnostic, str | None], str] | None = None
                   ) -> tuple[list[str], int]:
    """A table of at most ``limit`` findings; returns the lines and how many were left out.

    ``rows`` caches rendered rows across the fitting loop's attempts.
    """
    if not findings:
        return [], 0
    cache = rows if rows is not None else {}
    shown = list(findings[: max(0, limit)])
    lines = [f"### {title} ({len(findings)})"]
    if shown:
        lines += ["", "| Location | Rule | Message |", "| --- | --- | --- |"]
        for d in shown:
            key = (d, options.head_sha)
            if key not in cache:
                cache[key] = finding_row(d, options)
            lines.append(cache[key])
    return lines, len(findings) - len(shown)


def split_findings(card: Scorecard) -> tuple[list[Diagnostic], list[Diagnostic], list[Diagnostic]]:
    """(introduced, other, fixed): with a baseline, the PR's own findings come first."""
    if card.baseline is None:
        return [], list(card.findings), []
    introduced = list(card.baseline.introduced)
    pending = Counter(introduced)
    other = []
    for d in card.findings:
        if pending[d] > 0:
            pending[d] -= 1
        else:
            other.append(d)
    return introduced, other, list(card.baseline.fixed)


def base_counts(card: Scorecard, findings: Sequence[Diagnostic], pointer: str) -> list[str]:
    """The base branch's findings as counts per rule, collapsed: one row per rule, in the
    card's order (most severe first), however many findings there are."""
    if not findings:
        return []
    names = {i.id: i.title for c in card.categories for i in c.items if i.title != i.id}
    counts = Counter(d.code for d in findings)
    order = list(dict.fromkeys(d.code for d in findings))
    n = len(findings)
    rows = [f"<details><summary>Findings already on the base branch: {n} "
            f"({len(order)} rule{'s' if len(order) != 1 else ''})</summary>", "",
            "| Rule | Name | Findings |", "| --- | --- | ---: |"]
    rows += [f"| {escape.code(code, 20)} | {escape.text(names.get(code, ''), 60)} | "
             f"{counts[code]} |" for code in order]
    return [*rows, "", f"Every finding, with its location: {escape.text(pointer)}.", "",
            "</details>"]
