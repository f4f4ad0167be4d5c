"""Markdown escaping for everything user-controlled that a scorecard shows.

Paths, rule messages, metric names, check summaries and command output come from the
user's repository or from their training script's output, and they end up in a PR
comment that GitHub renders. Rendering them raw lets a file name close a table cell
(``|``), open a link (``[x](javascript:...)``), hide text in an HTML comment
(``<!--``), inject tags (``<img onerror=...>``) or notify people (``@org/team``,
``#123``). So:

- every character with a meaning in GitHub-flavoured markdown or HTML is replaced by a
  numeric character reference. References are decoded only after the table, link and
  emphasis structure has been parsed, so ``&#124;`` can never split a table row and
  ``&#91;`` can never start a link;
- mentions, issue references and bare URLs are recognised by GitHub *after* decoding,
  on the final text, so those are broken with a zero-width joiner (U+200D) inserted
  into the trigger (``@``, ``#``, ``GH-``, ``://``, ``www.``): the text reads the same,
  nobody is pinged and nothing becomes a link;
- line breaks (which would end a table row or a list item) become spaces, and other
  control characters are dropped;
- code spans use a backtick fence longer than any backtick run inside them.

Each function returns text that is safe *anywhere inline*: in a table cell, a list
item, or a heading, never at the start of a line block.
"""

from __future__ import annotations

import re

ZWJ = "\u200d"

# Characters replaced by numeric references in plain text. Structure characters of
# GFM (tables, links, images, emphasis, code, headings, HTML) plus the backslash.
_ENTITY_CHARS = "&<>`|[]*_~\\$"
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _ENTITY_CHARS}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# What GitHub auto-links after rendering: @mentions (users, org/team), #123 and GH-123
# issue references, and bare URLs.
_MENTION = re.compile(r"@(?=[A-Za-z0-9_\-])")
_ISSUE = re.compile(r"(?<=#)(?=\d)|(?<=\bGH)(?=-\d)", re.IGNORECASE)
_URL = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)

DEFAULT_MAX_LEN = 300


def clip(text: str, max_len: int = DEFAULT_MAX_LEN) -> str:
    """Shorten ``text`` to ``max_len`` characters with an ellipsis (before escaping,
    so that a character reference is never cut in half)."""
    if max_len <= 0 or len(text) <= max_len:
        return text
    return text[: max_len - 1] + "\u2026"


def one_line(text: str) -> str:
    """Line breaks to spaces, other control characters removed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def _defuse(text: str) -> str:
    """Insert zero-width joiners where GitHub would auto-link or mention."""
    text = _MENTION.sub("@" + ZWJ, text)
    text = _ISSUE.sub(ZWJ, text)
    return _URL.sub(ZWJ, text)


def text(value: object, max_len: int = DEFAULT_MAX_LEN) -> str:
    """Escape any value for inline markdown: safe in a table cell, list item or heading."""
    raw = clip(one_line(str(value)), max_len)
    return _defuse(raw).translate(_ENTITIES)


def code(value: object, max_len: int = DEFAULT_MAX_LEN) -> str:
    """An inline code span showing ``value`` literally, safe inside a table cell.

    The fence is one backtick longer than the longest backtick run inside; a space pads
    content that starts or ends with a backtick (CommonMark strips one such space).
    Pipes are backslash-escaped because GFM splits table rows on ``|`` even inside code
    spans (and drops the backslash again when rendering the span). Mentions and
    references are not linked inside code spans, but the zero-width joiners are still
    added because some surfaces (notifications, e-mail) render spans as plain text.
    """
    raw = clip(one_line(str(value)), max_len)
    # A user backslash right before a pipe would pair with the backslash we add
    # (``\\|`` reads as an escaped backslash and a bare pipe); a space keeps them apart.
    raw = _defuse(raw.replace("\\|", "\\ |")).replace("|", "\\|")
    if not raw:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", raw)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith(("`", " ")) or raw.endswith("`") else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


_SPANS = re.compile(r"`([^`\n]+)`")


def message(value: object, max_len: int = DEFAULT_MAX_LEN) -> str:
    """A rule message: text with its `backticked` constructs kept as code spans.

    Our rule messages name the offending construct in backticks, but the construct is
    the user's code, so each span is re-fenced with `code` and the rest goes through
    `text`. An unmatched backtick is shown literally.
    """
    raw = clip(one_line(str(value)), max_len)
    parts: list[str] = []
    pos = 0
    for match in _SPANS.finditer(raw):
        parts.append(text(raw[pos : match.start()], max_len=0))
        parts.append(code(match.group(1), max_len=0))
        pos = match.end()
    parts.append(text(raw[pos:], max_len=0))
    return "".join(parts)


_SAFE_URL = re.compile(r"^https://[A-Za-z0-9.\-]+(:\d+)?(/[A-Za-z0-9._~\-/%]*)?$")


def safe_url(url: str) -> str | None:
    """``url`` if it is a plain https URL we are willing to put in a link, else None.

    Only the repository URL given on the command line is ever used as a link base;
    everything appended to it is percent-encoded by the caller.
    """
    url = url.rstrip("/")
    if not _SAFE_URL.match(url):
        return None
    path = url.split("://", 1)[1].partition("/")[2]
    # A dot segment would let the base itself climb out of the repository.
    return None if any(s in (".", "..") for s in path.split("/")) else url


def link(label: str, url: str | None) -> str:
    """``[label](url)`` with the label escaped, or the escaped label alone without a URL."""
    if url is None:
        return label
    return f"[{label}]({url})"
