"""The PR comment and the job summary: exact output, escaping, size limits."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlready.gpu_runner.results import Outcome
from mlready.scorecard.baseline import compare
from mlready.scorecard.model import Scorecard
from mlready.scorecard.paths import linkable
from mlready.scorecard.render.markdown import (
    COMMENT_LIMIT,
    MARKER_RESERVE,
    SUMMARY_LIMIT,
    Options,
    finding_row,
    render_comment,
    render_summary,
)
from mlready.scorecard.render.mermaid import downsample, label, xychart

from .factories import REPO, SHA, card, check, diag, run, static
from .test_escape import gfm_cells

# A small card's full PR comment; the representative one is in test_golden.py.
GOLDEN = (Path(__file__).parent / "data" / "small-comment.golden.md").read_text(encoding="utf-8")


def small_card() -> Scorecard:
    smoke = check("smoke", summary="20 steps", metrics={"steps_per_s": 6.5, "peak_rss_mb": 512.0,
                                                        "peak_gpu_mb": None},
                  series={"loss": [[1, 2.5], [2, 0.5]]}, details={"metrics_seen": ["loss"]},
                  duration_s=3.0)
    return card(static(diag("src/a|b.py", 3, "MLR001", "@octocat <b>hi</b>")), run(smoke))


def test_comment_golden() -> None:
    assert render_comment(small_card(), "<!-- mlready -->", repo_url=REPO, head_sha=SHA) == GOLDEN


def test_no_links_without_a_safe_repo_url_or_sha() -> None:
    text = render_comment(small_card(), repo_url="javascript:alert(1)", head_sha=SHA)
    assert "](" not in text
    text = render_comment(small_card(), repo_url=REPO, head_sha="main; rm -rf /")
    assert "](" not in text


def test_static_only_says_runtime_not_measured() -> None:
    text = render_comment(card(static()))
    assert "_Not measured: no runtime results were given" in text
    assert "| Testing & validation | 10 | not measured |" in text


def test_nothing_measured() -> None:
    text = render_comment(card())
    assert text.splitlines()[0] == "## \u26aa mlready scorecard: not measured"
    assert "_Static checks: not measured" in text


def test_a_perfect_card_names_no_weakest_category() -> None:
    smoke = check("smoke", metrics={"steps_per_s": 2.0, "peak_rss_mb": 100.0},
                  details={"metrics_seen": ["loss"]})
    text = render_comment(card(static(), run(smoke)))
    assert text.splitlines()[2] == ("**Measured:** 80% of the weight (not measured: Testing & "
                                    "validation, Documentation)")
    assert "**Weakest:**" not in text
    assert "| **" not in text  # no category row is bold


def test_baseline_sections_and_deltas() -> None:
    head = card(static(diag(line=9), diag("new.py", 2, "MLR001", "unseeded")))
    base = card(static(diag(line=7), diag("old.py", 1, "MLR201", "`torch` unpinned")))
    text = render_comment(replace(head, baseline=compare(head, base, "main", "f" * 40)),
                          repo_url=REPO, head_sha=SHA)
    # head: reproducibility 50, training 100, code 100 -> 4250/55 = 77.27
    # base: reproducibility 75, training 100, code 75  -> 4625/55 = 84.09
    assert "**Change vs `main`:** \u22126.8" in text
    assert "### New findings in this PR (1)" in text
    # The comment counts the base's findings per rule, collapsed; the summary lists them.
    assert "<details><summary>Findings already on the base branch: 1 (1 rule)</summary>" \
        "\n\n| Rule | Name | Findings |\n| --- | --- | ---: |\n" \
        "| `MLR101` | hardcoded-learning-rate | 1 |" in text
    summary = render_summary(replace(head, baseline=compare(head, base, "main", "f" * 40)),
                             repo_url=REPO, head_sha=SHA)
    assert "### Findings already on the base branch (1)" in summary
    assert "### Fixed in this PR (1)" in text
    assert f"https://github.com/o/r/blob/{'f' * 40}/old.py#L1" in text  # fixed: base SHA
    assert "| Code organization | 10 | 100.0 | +25.0 |" in text


def test_failed_check_output_in_a_fence_that_cannot_be_closed_early() -> None:
    failing = check("resume", Outcome.FAIL, "diverged", log_tail="a\n````\n</details>\n@x")
    text = render_comment(card(None, run(failing)))
    block = text[text.index("<details><summary>Output of the resume check"):]
    assert "`````text\na\n````\n</details>\n@x\n`````" in block


def test_ten_thousand_findings_fit_with_a_pointer() -> None:
    findings = [diag(f"pkg/mod{i}.py", i + 1, "MLR101", f"`lr={i}`: literal " + "x" * 80)
                for i in range(10_000)]
    big = card(static(*findings), run(check("smoke", Outcome.FAIL, "no", log_tail="y" * 5000)))
    text = render_comment(big, "<!-- mlready -->", repo_url=REPO, head_sha=SHA)
    assert len(text) <= COMMENT_LIMIT
    match = re.search(r"_\u2026 (\d+) more findings: see the job summary\._", text)
    assert match is not None
    shown = text.count("| [`pkg/mod")
    assert shown + int(match.group(1)) == 10_000
    assert shown > 100
    assert text.startswith("<!-- mlready -->\n")
    # tables are whole: every table line has the same number of cells as its header
    assert text.count("```") % 2 == 0
    last_row = [line for line in text.splitlines() if line.startswith("| [`pkg/")][-1]
    assert last_row.endswith(" |")


def test_without_a_marker_room_is_left_for_one() -> None:
    findings = [diag(f"m{i}.py", 1, "MLR101", "x" * 200) for i in range(2_000)]
    text = render_comment(card(static(*findings)))
    assert COMMENT_LIMIT - MARKER_RESERVE - 400 < len(text) <= COMMENT_LIMIT - MARKER_RESERVE


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text(max_size=8), st.integers(min_value=-5, max_value=10**9))
def test_finding_rows_keep_three_cells(path: str, message: str, code: str, line: int) -> None:
    row = finding_row(diag(path, line, code, message), Options(repo_url=REPO, head_sha=SHA))
    assert "\n" not in row
    assert len(gfm_cells(row)) == 5  # "", location, rule, message, ""
    assert row.count("](https://github.com/o/r/blob/") == (1 if linkable(path) else 0)


def test_summary_byte_limit() -> None:
    findings = [diag(f"p/\u00e9{i}.py", 1, "MLR101", "\u00e9" * 250) for i in range(6_000)]
    text = render_summary(card(static(*findings)))
    assert len(text.encode("utf-8")) <= SUMMARY_LIMIT
    assert "see the scorecard JSON artifact" in text


def test_small_limit_drops_details_before_anything_else() -> None:
    failing = check("resume", Outcome.FAIL, "diverged", log_tail="z" * 3000)
    full = render_comment(card(static(diag()), run(failing)), "<!-- m -->")
    reduced = render_comment(card(static(diag()), run(failing)), "<!-- m -->",
                             limit=len(full) - 1)
    assert "Output of the resume check" in reduced  # findings rows go first
    assert "### Findings (1)\n\n_\u2026 1 more finding: see the job summary._" in reduced


def test_mermaid_chart_is_numbers_only() -> None:
    points = [[i, 1.0 / (i + 1)] for i in range(500)] + [[501, float("nan")]]
    chart = xychart(points, series='loss" ]\n<script>')
    assert chart is not None
    line = chart.splitlines()[-1]
    assert line.startswith("    line [") and line.count(",") == 49
    assert '"Smoke run: loss script"' in chart
    assert "<" not in chart and "\n    line" in chart
    assert xychart([[1, 2.0]]) is None
    assert downsample([[0, 1], [1, 2], [2, 3]], 2) == [(0.0, 1.0), (2.0, 3.0)]
    assert label("@@@") == "value"


def test_notebook_cell_findings_link_to_the_notebook_without_a_line() -> None:
    cell = diag("nb/x.ipynb", 2, "MLR501", "outputs committed")._replace(cell=3)
    assert finding_row(cell, Options(repo_url=REPO, head_sha=SHA)) == (
        f"| [`nb/x.ipynb:cell 3:2`]({REPO}/blob/{SHA}/nb/x.ipynb) | `MLR501` | "
        "outputs committed |")
