"""Escaping: user text can never leave its table cell, mention anyone, link or inject HTML."""

from __future__ import annotations

import html
import re
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlready.scorecard import escape

ZWJ = "\u200d"
NASTY = ["@octocat", "@org/team", "<script>alert(1)</script>", "a|b", "``x``", "](javascript:x)",
         "[x](javascript:alert(1))", "<!-- hidden", "#123", "GH-12", "line\nbreak",
         "\\|", "https://evil.example", "www.evil.example", "*bold* _it_ ~~s~~", "$x$"]
# Text biased towards the characters that matter.
dangerous = st.text(alphabet=st.sampled_from(list("@<>|`[]()#\\*_~!:/ \n\r&;-abc123GHw.")))
anything = st.one_of(dangerous, st.text(), st.sampled_from(NASTY))


def gfm_cells(row: str) -> list[str]:
    """Split a table row the way cmark-gfm does: a backslash escapes the next ASCII
    punctuation character (so ``\\\\|`` is an escaped backslash then a real pipe)."""
    cells, current, i = [], "", 0
    while i < len(row):
        char = row[i]
        if char == "\\" and i + 1 < len(row) and row[i + 1] in string.punctuation:
            current += row[i : i + 2]
            i += 2
            continue
        if char == "|":
            cells.append(current)
            current = ""
        else:
            current += char
        i += 1
    cells.append(current)
    return cells


def assert_inert(out: str) -> None:
    assert "\n" not in out and "\r" not in out
    assert not re.search(r"[<>|`\[\]]", out)
    assert "](" not in out
    # GitHub links mentions, references and URLs in the decoded text
    decoded = html.unescape(out)
    assert not re.search(r"@[A-Za-z0-9_\-]", decoded), out
    assert not re.search(r"#\d", decoded)
    assert not re.search(r"(?i)\bGH-\d", decoded)
    assert "://" not in decoded and "www." not in decoded.lower()
    # every ampersand starts a numeric character reference we wrote
    assert all(re.match(r"&#\d+;", out[m.start():]) for m in re.finditer("&", out))


@settings(max_examples=300, deadline=None)
@given(anything)
@example("@user <script>|`](")
def test_text_is_inert(value: str) -> None:
    assert_inert(escape.text(value, max_len=0))


@settings(max_examples=300, deadline=None)
@given(anything)
def test_code_span_stays_in_its_cell(value: str) -> None:
    out = escape.code(value, max_len=0)
    assert "\n" not in out and "\r" not in out
    assert len(gfm_cells(f"| {out} | next |")) == 4  # "", cell, " next ", ""
    assert not re.search(r"@[A-Za-z0-9_\-]", out)
    if out:
        fence = re.match(r"`+", out)
        assert fence is not None
        inner = out[len(fence.group()):-len(fence.group())]
        assert fence.group() not in inner.replace(fence.group() + "`", "")
        assert all(len(run) != len(fence.group()) for run in re.findall(r"`+", inner))


@settings(max_examples=300, deadline=None)
@given(anything)
def test_message_stays_in_its_cell(value: str) -> None:
    out = escape.message(value, max_len=0)
    assert "\n" not in out
    assert len(gfm_cells(f"| {out} | next |")) == 4
    outside = re.sub(r"(`+).*?\1", "", out)  # text outside code spans is fully inert
    assert not re.search(r"[<>\[\]]", outside)
    assert not re.search(r"@[A-Za-z0-9_\-]", out)


def test_golden_text() -> None:
    assert escape.text("@octocat <b>x</b> | [a](javascript:x) #12 `y`") == (
        f"@{ZWJ}octocat &#60;b&#62;x&#60;/b&#62; &#124; &#91;a&#93;(javascript:x) "
        f"#{ZWJ}12 &#96;y&#96;")
    assert escape.text("see https://x.io and www.y.io") == (
        f"see https:{ZWJ}//x.io and www{ZWJ}.y.io")
    assert escape.text("a\nb\r\nc\x00d") == "a b cd"


def test_golden_code() -> None:
    assert escape.code("a|b") == "`a\\|b`"
    assert escape.code("x`y") == "``x`y``"
    assert escape.code("`start") == "`` `start ``"
    assert escape.code("a\\|b") == "`a\\ \\|b`"
    assert escape.code("") == ""


def test_golden_message_keeps_code_spans() -> None:
    assert escape.message("`torch.optim.Adam(lr=3e-4)`: learning rate is a literal") == (
        "`torch.optim.Adam(lr=3e-4)`: learning rate is a literal")
    assert escape.message("`@x` and <y> `") == f"`@{ZWJ}x` and &#60;y&#62; &#96;"


def test_clip_keeps_entities_whole() -> None:
    out = escape.text("<" * 500, max_len=10)
    assert out == "&#60;" * 9 + "\u2026"


def test_safe_url() -> None:
    assert escape.safe_url("https://github.com/o/r/") == "https://github.com/o/r"
    assert escape.safe_url("javascript:alert(1)") is None
    assert escape.safe_url("https://github.com/o/r) [x](y") is None
    assert escape.safe_url("http://github.com/o/r") is None
    assert escape.safe_url("https://github.com/o/r/../../attacker/phish") is None
    assert escape.safe_url("https://github.com/o/./r") is None
    assert escape.safe_url("https://github.com/o/r..x") == "https://github.com/o/r..x"
