"""The card's sections other than the finding tables: header, categories, runtime
checks, a failed check's log tail, the loss chart and the notes.

Everything from the user's repository or run goes through `mlready.scorecard.escape`.
"""

from __future__ import annotations

import re

from mlready.gpu_runner.results import CheckResult, Outcome
from mlready.scorecard import escape, explain, proofs
from mlready.scorecard.levels import Level, display_score, score_text
from mlready.scorecard.model import Scorecard
from mlready.scorecard.render.md_text import Options, delta_text, metric_value
from mlready.scorecard.render.mermaid import xychart

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
    Outcome.NOT_MEASURED: "\u26aa not measured",
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


NOTHING_MEASURED = "runtime checks measured nothing"
STATIC_ONLY = "static checks only"


def header(card: Scorecard, options: Options) -> list[str]:
    icon = LEVEL_ICONS[card.level]
    if card.score is None:
        headline = f"## {icon} {options.title}: not measured"
    else:
        headline = (f"## {icon} {options.title}: {display_score(card.score)} / 100 "
                    f"\u00b7 {card.level.label}")
    if card.inputs.runtime and proofs.measured_nothing(card.checks):
        # The training never started here: a reader of the headline alone must know the
        # score stands on the static half only.
        headline += f" \u00b7 {NOTHING_MEASURED}"
    elif card.inputs.runtime_missing:
        headline += (f" \u00b7 {NOTHING_MEASURED}: "
                     f"{escape.message(card.inputs.runtime_missing, 300)}")
    elif card.inputs.static_only:
        headline += f" \u00b7 {STATIC_ONLY}"
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


def notes(card: Scorecard) -> list[str]:
    lines = []
    if not card.inputs.static:
        lines.append("_Static checks: not measured (no `mlready check` JSON was given)._")
    for error in card.inputs.static_errors[:10]:
        lines.append(f"- \u26a0\ufe0f {escape.text(error)}")
    return lines
