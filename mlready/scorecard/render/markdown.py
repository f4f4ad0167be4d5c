"""The scorecard as GitHub markdown: the PR comment and the job summary.

Both are the same document at two size limits. GitHub rejects a comment body over
65,536 characters and a step summary over 1 MiB, so the renderer degrades in a fixed
order until the document fits: finding rows from the end (least important first: other
findings, then fixed, then introduced), then failing checks' log tails, then the loss
chart. A dropped part leaves a one-line note pointing at the job summary (from the
comment) or the JSON artifact (from the summary). Whole tables and code blocks are kept
or dropped, never cut.

Everything that comes from the user's repository or run goes through
`mlready.scorecard.escape`; links are built only from the ``--repo-url`` and head SHA
given on the command line and a path that `mlready.scorecard.paths.linkable` accepts,
percent-encoded; any other path is shown as code text without a link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from mlready.gpu_runner.results import Outcome
from mlready.hooks.model import Diagnostic
from mlready.scorecard.model import Scorecard
from mlready.scorecard.render.md_findings import (
    base_counts,
    finding_row,
    findings_table,
    split_findings,
)
from mlready.scorecard.render.md_pr import pr_lines
from mlready.scorecard.render.md_sections import (
    category_table,
    checks_section,
    header,
    log_tail_block,
    loss_chart,
    notes,
)
from mlready.scorecard.render.md_text import COMMENT_POINTER, SUMMARY_POINTER, Options

__all__ = ["COMMENT_LIMIT", "MARKER_RESERVE", "SUMMARY_LIMIT", "Options", "finding_row",
           "fit", "render_comment", "render_summary"]

COMMENT_LIMIT = 65_536  # characters, GitHub's limit on an issue comment body
SUMMARY_LIMIT = 1024 * 1024  # bytes, GitHub's limit on one step's summary
# Room left for a marker line that the comment code prepends when none is passed here.
MARKER_RESERVE = 256


def _document(card: Scorecard, options: Options,
              rows: dict[tuple[Diagnostic, str | None], str] | None = None) -> str:
    blocks: list[list[str]] = []
    if options.marker:
        blocks.append([options.marker])
    blocks.append(header(card, options))
    blocks.append(pr_lines(card))
    blocks.append(category_table(card))
    blocks.append(checks_section(card))
    if options.chart:
        blocks.append(loss_chart(card))
    if options.log_tails:
        for check in card.checks:
            if check.outcome in (Outcome.FAIL, Outcome.ERROR) and check.log_tail:
                blocks.append(log_tail_block(check))
    introduced, other, fixed = split_findings(card)
    collapsed: list[Diagnostic] = []
    if options.collapse_base and card.baseline is not None:
        collapsed, other = other, []
    budget = options.max_findings if options.max_findings is not None else 1 << 62
    left_out = 0
    titles = ("New findings in this PR", "Findings" if card.baseline is None
              else "Findings already on the base branch", "Fixed in this PR")
    # Fixed findings exist only on the base: link them there, or not at all.
    base_links = replace(options, head_sha=card.baseline.sha if card.baseline else None)
    for title, findings, links in zip(titles, (introduced, other, fixed),
                                      (options, options, base_links), strict=True):
        table, dropped = findings_table(title, findings, links, budget, rows)
        budget = max(0, budget - (len(findings) - dropped))
        left_out += dropped
        blocks.append(table)
    if left_out:
        blocks.append([f"_\u2026 {left_out} more finding{'s' if left_out != 1 else ''}: "
                       f"{options.pointer}._"])
    blocks.append(base_counts(card, collapsed, options.pointer))
    blocks.append(notes(card))
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"


def fit(card: Scorecard, options: Options, size: Callable[[str], int], limit: int) -> str:
    """The most detailed document whose ``size`` is within ``limit``."""
    rows: dict[tuple[Diagnostic, str | None], str] = {}
    # Render rows in display order only until they alone exceed the limit: with 10,000
    # findings most rows can never be shown, and escaping them all would be wasted.
    introduced, other, fixed = split_findings(card)
    if options.collapse_base and card.baseline is not None:
        other = []  # counted per rule, never rows
    base_links = replace(options, head_sha=card.baseline.sha if card.baseline else None)
    ordered = [(d, options) for d in (*introduced, *other)] + [(d, base_links) for d in fixed]
    used, fitting = 0, 0
    for d, links in ordered:
        key = (d, links.head_sha)
        if key not in rows:
            rows[key] = finding_row(d, links)
        used += size(rows[key]) + 1
        if used > limit:
            break
        fitting += 1
    if fitting == len(ordered):
        text = _document(card, options, rows)
        if size(text) <= limit:
            return text
    lo, hi = 0, fitting  # binary search the number of finding rows that fit
    best: str | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = _document(card, replace(options, max_findings=mid), rows)
        if size(candidate) <= limit:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    if best is not None:
        return best
    for reduced in (replace(options, max_findings=0, log_tails=False),
                    replace(options, max_findings=0, log_tails=False, chart=False)):
        text = _document(card, reduced)
        if size(text) <= limit:
            return text
    # Cannot happen with bounded cells; keep the promise anyway with the bare minimum.
    return "\n\n".join("\n".join(b) for b in (
        [options.marker] if options.marker else [], header(card, options),
        pr_lines(card), category_table(card),
        [f"_Details did not fit: {options.pointer}._"]) if b) + "\n"


def render_comment(card: Scorecard, marker: str = "", *, repo_url: str | None = None,
                   head_sha: str | None = None, path_prefix: str = "",
                   limit: int = COMMENT_LIMIT) -> str:
    """The PR comment: ``marker`` (the GitHub code's hidden upsert marker) first, at most
    ``limit`` characters, overflow pointing at the job summary.

    Without a marker, `MARKER_RESERVE` characters are left free, so that the comment
    code can put its marker line in front without cutting the document.
    """
    options = Options(repo_url=repo_url, head_sha=head_sha, path_prefix=path_prefix,
                      marker=marker, pointer=COMMENT_POINTER, collapse_base=True)
    return fit(card, options, len, limit if marker else limit - MARKER_RESERVE)


def render_summary(card: Scorecard, *, repo_url: str | None = None,
                   head_sha: str | None = None, path_prefix: str = "",
                   limit: int = SUMMARY_LIMIT) -> str:
    """The job summary (``$GITHUB_STEP_SUMMARY``): at most ``limit`` UTF-8 bytes."""
    options = Options(repo_url=repo_url, head_sha=head_sha, path_prefix=path_prefix,
                      pointer=SUMMARY_POINTER)
    return fit(card, options, lambda text: len(text.encode("utf-8")), limit)
