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

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote

from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.hooks.model import Diagnostic
from mlready.scorecard import escape, explain, proofs
from mlready.scorecard.levels import Level, display_score
from mlready.scorecard.model import Scorecard
from mlready.scorecard.paths import linkable
from mlready.scorecard.render.mermaid import xychart

COMMENT_LIMIT = 65_536  # characters, GitHub's limit on an issue comment body
SUMMARY_LIMIT = 1024 * 1024  # bytes, GitHub's limit on one step's summary
# Room left for a marker line that the comment code prepends when none is passed here.
MARKER_RESERVE = 256
COMMENT_POINTER = "see the job summary"
SUMMARY_POINTER = "see the scorecard JSON artifact"

LEVEL_ICONS = {
    Level.PRODUCTION_READY: "\U0001f7e2",  # green circle
    Level.NEARLY_READY: "\U0001f7e2",
    Level.SOLID_RESEARCH: "\U0001f7e1",  # yellow circle
    Level.PROTOTYPE: "\U0001f534",  # red circle
    Level.NOT_MEASURED: "\u26aa",  # white circle
}
OUTCOME_LABELS = {
    Outcome.PASS: "\u2705 pass",
    Outcome.FAIL: "\u274c fail",
    Outcome.NOT_APPLICABLE: "\u2796 not applicable",
    Outcome.SKIPPED: "\u23ed\ufe0f skipped",
    Outcome.ERROR: "\u26a0\ufe0f error",
}
GAP_LABEL = "\u274c gap"
# The runner's metric names with a friendlier label, shown first in this order; other
# metrics (the eval command's, for instance) follow under their own names.
METRIC_LABELS = {
    "steps_per_s": "steps/s",
    "peak_rss_mb": "peak RSS",
    "peak_gpu_mb": "peak GPU memory",
    "steps_logged": "steps logged",
    "tier": "match",
    "max_abs_diff_after_resume": "divergence after resume",
    "weights_max_abs_diff": "weights max |\u0394|",
    "max_abs_diff": "max |\u0394|",
    "other_seed_max_abs_diff": "other seed max |\u0394|",
    "size_mb": "size",
    "passed": "passed",  # the tests check (pytest's counts)
    "failed": "failed",
    "errors": "errors",
    "skipped": "skipped",
    "exit_code": "exit code",
}
# Shown only when non-zero: a zero says nothing a pass has not said already.
ZERO_HIDDEN = frozenset({"unparsed_lines", "exit_code", "failed", "errors", "skipped"})
# Shown elsewhere (the Time column, the summary's "loss 2.9 -> 2.8"), duplicates of a
# labelled metric, or the runner's bookkeeping that tells a reviewer nothing.
HIDDEN_METRICS = frozenset({"wall_s", "size_bytes", "steps_requested", "records_logged",
                            "step_unit", "steps_per_s_basis", "objective_window",
                            "objective_first_window", "objective_last_window"})
MAX_METRICS_PER_CHECK = 5
LOG_TAIL_LINES = 30
LOG_TAIL_CHARS = 3000
_SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")


@dataclass(frozen=True)
class Options:
    """How to render. ``max_findings`` None means all; the fitting loop lowers it."""

    repo_url: str | None = None
    head_sha: str | None = None
    path_prefix: str = ""  # the project's directory inside the repository, for links
    marker: str = ""
    max_findings: int | None = None
    log_tails: bool = True
    chart: bool = True
    pointer: str = COMMENT_POINTER
    title: str = "mlready scorecard"
    # The PR comment collapses the findings already on the base branch to counts per
    # rule: the reviewer's question is what this PR changes. The job summary lists them.
    collapse_base: bool = False


# ---------------------------------------------------------------- small formatters


def score_text(score: float | None) -> str:
    return "not measured" if score is None else display_score(score)


def delta_text(delta: float | None) -> str:
    if delta is None:
        return ""
    if abs(delta) < 0.05:
        return "\u00b10.0"
    sign = "+" if delta > 0 else "\u2212"
    return f"{sign}{abs(delta):.1f}"


def metric_value(name: str, value: Scalar) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int | float):
        if name.endswith("_bytes"):
            return bytes_text(float(value))
        number = str(value) if isinstance(value, int) else f"{value:.4g}"
        if name.endswith("_mb"):
            return f"{number} MiB"
        if name.endswith("_s") and not name.endswith("per_s"):
            return f"{number} s"
        return number
    return str(value)


def bytes_text(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


def finding_url(options: Options, path: str, line: int | None) -> str | None:
    """``<repo>/blob/<sha>/<path>#L<line>``, or None without a safe repo URL and SHA, or
    for a path that could leave the repository (`paths.linkable`)."""
    base = escape.safe_url(options.repo_url or "")
    if base is None or not options.head_sha or not _SHA.match(options.head_sha):
        return None
    target = options.path_prefix + path
    if not linkable(target):
        return None
    url = f"{base}/blob/{options.head_sha}/{quote(target, safe='/')}"
    return url if line is None else f"{url}#L{max(1, int(line))}"


# ---------------------------------------------------------------- sections


def header(card: Scorecard, options: Options) -> list[str]:
    icon = LEVEL_ICONS[card.level]
    if card.score is None:
        headline = f"## {icon} {options.title}: not measured"
    else:
        headline = (f"## {icon} {options.title}: {display_score(card.score)} / 100 "
                    f"\u00b7 {card.level.label}")
    facts = []
    if card.weakest is not None:
        weak = card.category(card.weakest)
        facts.append(f"**Weakest:** {weak.name} ({score_text(weak.score)})")
    unmeasured = [c.name for c in card.categories if c.score is None]
    facts.append(f"**Measured:** {card.coverage:.0%} of the weight"
                 + (f" (not measured: {', '.join(unmeasured)})" if unmeasured else ""))
    if card.baseline is not None:
        change = delta_text(card.baseline.score_delta) or "n/a"
        facts.append(f"**Change vs {escape.code(card.baseline.ref or 'base')}:** {change}")
    lines = [headline, "", " \u00b7 ".join(facts)]
    if card.cap is not None:
        lines += ["", f"**Capped at {card.level.label}** (the score alone is "
                      f"{card.cap.uncapped.label}): {escape.message(card.cap.reason, 600)}."]
    return lines


def category_table(card: Scorecard) -> list[str]:
    """The seven categories, each with one line saying why it scores what it does."""
    with_delta = card.baseline is not None
    head = "| Category | Weight | Score |" + (" Change |" if with_delta else "") + \
        " Why this score |"
    rule = "| --- | ---: | ---: |" + (" ---: |" if with_delta else "") + " --- |"
    rows = [head, rule]
    for c in card.categories:
        name = f"**{c.name}**" if c.key == card.weakest else c.name
        delta = ""
        if card.baseline is not None:
            delta = f" {delta_text(card.baseline.categories.get(c.key))} |"
        rows.append(f"| {name} | {c.weight:g} | {score_text(c.score)} |{delta} "
                    f"{escape.message(explain.line(c), 400)} |")
    return rows


def _metrics_cell(check: CheckResult) -> str:
    """Key metrics first (steps/s, memory, divergence), then the rest; None values hidden.
    Labelled metrics show their label; others their own name as code."""
    present = {k: v for k, v in check.metrics.items()
               if v is not None and k not in HIDDEN_METRICS
               and not (k in ZERO_HIDDEN and v == 0)}
    names = [k for k in METRIC_LABELS if k in present]
    names += [k for k in present if k not in METRIC_LABELS]
    shown = []
    for name in names[:MAX_METRICS_PER_CHECK]:
        label = escape.text(METRIC_LABELS[name]) if name in METRIC_LABELS else \
            escape.code(name, 60)
        shown.append(f"{label} {escape.text(metric_value(name, present[name]), 60)}")
    more = len(names) - MAX_METRICS_PER_CHECK
    if more > 0:
        shown.append(f"\u2026 {more} more")
    return " \u00b7 ".join(shown)


def checks_section(card: Scorecard) -> list[str]:
    if not card.inputs.runtime:
        return ["### Runtime checks", "",
                "_Not measured: no runtime results were given (`mlready run` did not run "
                "or its results were not passed with `--run`)._"]
    if not card.checks:
        return ["### Runtime checks", "", "_The run reported no checks._"]
    rows = ["### Runtime checks", "", "| Check | Outcome | Time | Metrics | Summary |",
            "| --- | --- | ---: | --- | --- |"]
    for check in card.checks:
        # A gap reports "nothing to check" where the nothing is the problem: it is scored
        # as a fail, so "not applicable" here would contradict the category's score.
        outcome = GAP_LABEL if proofs.is_gap(check) else OUTCOME_LABELS[check.outcome]
        rows.append(f"| {escape.code(check.check, 60)} | {outcome} | "
                    f"{check.duration_s:.1f} s | {_metrics_cell(check)} | "
                    f"{escape.message(check.summary)} |")
    return rows


def _fence(body: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    return "`" * max(3, longest + 1)


def log_tail_block(check: CheckResult) -> list[str]:
    """The end of a failed command's output, verbatim inside a long enough fence."""
    lines = check.log_tail.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tail = "\n".join(lines[-LOG_TAIL_LINES:])[-LOG_TAIL_CHARS:]
    tail = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", tail).strip("\n")
    if not tail:
        return []
    fence = _fence(tail)
    return ["<details><summary>Output of the " + escape.text(check.check, 60)
            + " check</summary>", "", fence + "text", tail, fence, "", "</details>"]


def loss_chart(card: Scorecard) -> list[str]:
    smoke = next((c for c in card.checks if c.check == "smoke"), None)
    if smoke is None or not smoke.series:
        return []
    name = "loss" if "loss" in smoke.series else sorted(smoke.series)[0]
    chart = xychart(smoke.series[name], series=name)
    if chart is None:
        return []
    return ["<details><summary>Smoke run: " + escape.text(name, 60) + " curve</summary>",
            "", "```mermaid", chart, "```", "", "</details>"]


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


def notes(card: Scorecard) -> list[str]:
    lines = []
    if not card.inputs.static:
        lines.append("_Static checks: not measured (no `mlready check` JSON was given)._")
    for error in card.inputs.static_errors[:10]:
        lines.append(f"- \u26a0\ufe0f {escape.text(error)}")
    return lines


# ---------------------------------------------------------------- document


def _document(card: Scorecard, options: Options,
              rows: dict[tuple[Diagnostic, str | None], str] | None = None) -> str:
    blocks: list[list[str]] = []
    if options.marker:
        blocks.append([options.marker])
    blocks.append(header(card, options))
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
        category_table(card), [f"_Details did not fit: {options.pointer}._"]) if b) + "\n"


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
