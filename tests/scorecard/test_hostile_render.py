"""A card built from hostile inputs, rendered by a real CommonMark renderer.

Every user-controlled string (paths, messages, rule codes, check names and summaries,
metric names and values, series names, log tails, static errors, the base ref) carries
markup here. The rendered HTML may hold only the tags the scorecard writes itself, and
every link must point into the repository at the head commit.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from mlready.gpu_runner.results import Outcome
from mlready.hooks.model import Diagnostic
from mlready.scorecard.model import Baseline, Scorecard
from mlready.scorecard.paths import linkable
from mlready.scorecard.render.badge import render as render_badge
from mlready.scorecard.render.markdown import render_comment, render_summary

from .factories import REPO, SHA, card, check, run, static

HTML = '<img src=x onerror=alert(1)><script>alert(1)</script><a href="https://evil.example">'
ESCAPING_PATHS = [
    "../../../../attacker/phish/blob/main/x.py",
    "src/../../../attacker/x.py",
    "/etc/passwd",
    "..\\..\\attacker\\x.py",
    "a\\..\\..\\x.py",
    "https://evil.example/x.py",
    "javascript:alert(1)",
    "C:/Windows/x.py",
    "./x.py",
    "a//b.py",
    "..",
    "x.py\n<script>alert(1)</script>",
    "",
]
SAFE_PATHS = ["train.py", "src/my model (v2).py", "docs/%2e%2e/x.py", "a b/#c?.py"]


def _hostile_card() -> Scorecard:
    findings = [Diagnostic(p, 3, 1, "MLR101", f"{HTML} [x](javascript:alert(1)) <!-- @org/team #1")
                for p in ESCAPING_PATHS + SAFE_PATHS]
    findings.append(Diagnostic("nb.ipynb", 2, 1, "MLR<b>9</b>", "| cell | break |", cell=4))
    smoke = check("smoke", Outcome.FAIL, f"diverged {HTML} https://evil.example/x",
                  metrics={"<img src=x>": "<b>bold</b>", "steps_per_s": "`x`",
                           "peak_rss_mb": 1.0},
                  series={'</details><img src=x onerror=1> "loss"]': [[1, 2.0], [2, 1.0]]},
                  log_tail="```\n</details>" + HTML + "\n````\n~~~\n<!--", duration_s=1.0)
    report = run(smoke, check(f"<script>{HTML}", Outcome.ERROR, HTML, log_tail="<b>x</b>"))
    result = card(static(*findings), report)
    baseline = Baseline(ref=f"main{HTML}", score_delta=1.0, base_score=50.0,
                        # new: two escaping paths, every safe one and the notebook; the
                        # other escaping paths are on the base (the comment counts them)
                        introduced=(*findings[:2], *findings[len(ESCAPING_PATHS):]),
                        fixed=tuple(findings[2:4]), sha=SHA)
    inputs = replace(result.inputs, static_errors=(HTML, "x.py: <b>"))
    return replace(result, baseline=baseline, inputs=inputs)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


# What the scorecard itself writes: markdown structure plus its <details> blocks.
ALLOWED_TAGS = {"h2", "h3", "p", "strong", "em", "code", "pre", "table", "thead", "tbody",
                "tr", "th", "td", "a", "details", "summary", "ul", "li"}
ALLOWED_ATTRS = {("a", "href"), ("th", "style"), ("td", "style"), ("code", "class")}
OUR_HTML = {"<!-- mlready -->", "</summary>", "</details>", "<details>", "<summary>"}


def _render(markdown: str) -> tuple[str, list[Token]]:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    return md.render(markdown), md.parse(markdown)


def _inside_repo(href: str) -> bool:
    parts = urlsplit(href)
    prefix = f"{urlsplit(REPO).path}/blob/{SHA}/"
    segments = parts.path.split("/")
    dots = [s for s in segments if unquote(s) in (".", "..")]
    return (parts.scheme == "https" and parts.netloc == urlsplit(REPO).netloc
            and not dots and posixpath.normpath(parts.path).startswith(prefix)
            and parts.path.startswith(prefix))


@pytest.mark.parametrize("renderer", ["comment", "summary"])
def test_hostile_card_renders_no_foreign_html_and_no_escaping_link(renderer: str) -> None:
    result = _hostile_card()
    if renderer == "comment":
        markdown = render_comment(result, "<!-- mlready -->", repo_url=REPO, head_sha=SHA)
    else:
        markdown = render_summary(result, repo_url=REPO, head_sha=SHA)
    html, tokens = _render(markdown)
    raw: list[str] = []
    for token in tokens:
        children = token.children or []
        for t in [token, *children]:
            if t.type in ("html_block", "html_inline"):
                raw.extend(_html_pieces(t.content))
    assert set(raw) <= OUR_HTML, set(raw) - OUR_HTML
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    hrefs = []
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert (tag, name) in ALLOWED_ATTRS, (tag, name, value)
            if name == "href":
                hrefs.append(value or "")
            if name == "style":
                assert value in ("text-align:right", "text-align:left")
            if name == "class":
                assert value in ("language-text", "language-mermaid")
    assert hrefs and all(_inside_repo(h) for h in hrefs), [h for h in hrefs
                                                           if not _inside_repo(h)]
    # Exactly the safe paths (and the notebook) are links; the others are code text.
    linked = {unquote(urlsplit(h).path).split(f"/blob/{SHA}/", 1)[1] for h in hrefs}
    assert linked == {*SAFE_PATHS, "nb.ipynb"}
    assert "<code>../../../../attacker/phish/blob/main/x.py:3</code>" in html
    assert "evil.example" not in "".join(hrefs)
    # Bare URLs are defused with a zero-width joiner, except in code blocks, which
    # GitHub never autolinks (the failed check's log tail is shown verbatim).
    assert "://evil" not in re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)


def _html_pieces(content: str) -> list[str]:
    """The tags in a raw-HTML token, one string each."""
    return [m.group(0) for m in re.finditer(r"<[^>]*>", content)] + \
        ([content.strip()] if "<" not in content and content.strip() else [])


def test_mermaid_source_has_only_numbers_and_safe_labels() -> None:
    markdown = render_comment(_hostile_card(), repo_url=REPO, head_sha=SHA)
    block = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    label = r'"[A-Za-z0-9 _.\-/:]*"'
    for line in block.splitlines():
        assert re.fullmatch(rf"xychart-beta|    title {label}|    x-axis {label} \[[\d\", .\-]+\]"
                            rf"|    y-axis {label}|    line \[[\d, .\-]+\]", line), line


def test_badge_is_well_formed_svg_without_user_text() -> None:
    svg = render_badge(_hostile_card())
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "script" not in svg and "evil" not in svg


@pytest.mark.parametrize("path", ESCAPING_PATHS)
def test_escaping_paths_are_not_linkable(path: str) -> None:
    assert not linkable(path)


@pytest.mark.parametrize("path", [*SAFE_PATHS, "ml/proj/train.py", "..x/y..", ".github/w.yml"])
def test_ordinary_paths_are_linkable(path: str) -> None:
    assert linkable(path)
