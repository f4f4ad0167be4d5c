"""The card as a reviewer sees it: GitHub-flavoured markdown through a real renderer.

markdown-it-py with GFM's table and strikethrough extensions (and raw HTML on, as
GitHub allows <details>) parses the PR comment and the job summary of the golden
tests' representative card. What a reviewer relies on at a glance is asserted on the
rendered structure, not on the markdown text: every table parses as a table with
one cell per column, the base branch's findings collapse inside <details>, and the
only raw HTML is the scorecard's own (<details>, <summary>, the marker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from mlready.scorecard.render.markdown import render_comment, render_summary

from .factories import REPO, SHA
from .test_golden import representative

OUR_HTML = {"<!-- mlready -->", "<details><summary>", "</summary>", "</details>"}


def gfm() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    in_details: bool = False


def tables(tokens: list[Token]) -> list[Table]:
    """Every table with its cells' text, and whether it sits inside <details>."""
    found: list[Table] = []
    depth = 0
    current: Table | None = None
    row: list[str] | None = None
    for token in tokens:
        if token.type == "html_block":
            depth += token.content.count("<details>") - token.content.count("</details>")
        elif token.type == "table_open":
            current = Table([], in_details=depth > 0)
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and current is not None and row is not None:
            if not current.header:
                current.header = row
            else:
                current.rows.append(row)
            row = None
        elif token.type == "table_close" and current is not None:
            found.append(current)
            current = None
    assert depth == 0, "a <details> block is left open"
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "summary"
        if self._in:
            self.summaries.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = False if tag == "summary" else self._in

    def handle_data(self, data: str) -> None:
        if self._in:
            self.summaries[-1] += data


@pytest.fixture(scope="module")
def comment() -> str:
    return render_comment(representative(), "<!-- mlready -->", repo_url=REPO, head_sha=SHA)


def test_every_table_parses_with_one_cell_per_column(comment: str) -> None:
    parsed = tables(gfm().parse(comment))
    # categories, runtime checks, new findings, the base's counts per rule
    assert [t.header for t in parsed] == [
        ["Category", "Weight", "Score", "Change", "Why this score"],
        ["Check", "Outcome", "Time", "Metrics", "Summary"],
        ["Location", "Rule", "Message"],
        ["Rule", "Name", "Findings"],
    ]
    for table in parsed:
        assert all(len(row) == len(table.header) for row in table.rows), table
    categories = parsed[0]
    assert [row[0] for row in categories.rows][3] == "**Testing & validation**"
    assert all(row[4] for row in categories.rows)  # every category says why
    # No table row was left as a paragraph: each `|` line of the source is in a table.
    assert sum(len(t.rows) + 2 for t in parsed) == sum(
        1 for line in comment.splitlines() if line.startswith("| "))


def test_the_base_branch_findings_collapse_and_the_new_ones_do_not(comment: str) -> None:
    parsed = tables(gfm().parse(comment))
    new, counts = parsed[2], parsed[3]
    assert (new.in_details, counts.in_details) == (False, True)
    assert counts.rows == [["`MLR101`", "hardcoded-learning-rate", "3"],
                           ["`MLR701`", "missing-zero-grad", "1"]]
    html = gfm().render(comment)
    assert html.index("New findings in this PR") < html.index("<details><summary>Findings "
                                                               "already on the base branch")
    summaries = _Text()
    summaries.feed(html)
    assert summaries.summaries == ["Smoke run: loss curve", "Output of the resume check",
                                   "Findings already on the base branch: 4 (2 rules)"]


def test_the_job_summary_lists_the_base_findings_one_by_one() -> None:
    summary = render_summary(representative(), repo_url=REPO, head_sha=SHA)
    parsed = tables(gfm().parse(summary))
    base = [t for t in parsed if t.header == ["Location", "Rule", "Message"]][1]
    assert (len(base.rows), base.in_details) == (4, False)


@pytest.mark.parametrize("render", [render_comment, render_summary])
def test_the_only_raw_html_is_our_own(render: object) -> None:
    text = render(representative(), repo_url=REPO, head_sha=SHA)  # type: ignore[operator]
    raw = [t.content.strip() for t in gfm().parse(text) if t.type == "html_block"]
    for block in raw:
        pieces = [p for p in block.replace("</summary>", "\n</summary>\n").splitlines() if p]
        assert all(p in OUR_HTML or p.startswith("<details><summary>") for p in pieces), block
