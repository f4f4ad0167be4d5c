"""The card's lines on how a PR changes its own judging: mlready's settings and ``noqa``.

Keys and file names come from the PR's ``pyproject.toml`` and tree, codes from its files:
each is shown as an escaped code span (`mlready.scorecard.escape`), at most `MAX_SHOWN` of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mlready.scorecard import escape
from mlready.scorecard.model import Scorecard

MAX_SHOWN = 8


def _keys(keys: Sequence[str]) -> str:
    shown = ", ".join(escape.code(k, 80) for k in keys[:MAX_SHOWN])
    more = len(keys) - MAX_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def pr_lines(card: Scorecard) -> list[str]:
    """One line per thing the PR changes about how it is judged; none without a base."""
    base = card.baseline
    if base is None:
        return []
    lines = []
    if base.settings_files:
        lines.append(f"- \u26a0\ufe0f **This PR moves mlready's settings** to "
                     f"{_keys(base.settings_files)}: judged here with the base's files; "
                     "they take effect once merged.")
    if base.settings_changed:
        lines.append(f"- \u26a0\ufe0f **This PR changes mlready's settings** "
                     f"({_keys(base.settings_changed)}): judged here with the base's; "
                     "they take effect once merged.")
    if base.runner_settings_changed:
        lines.append(f"- \u26a0\ufe0f **This PR changes the runner's settings** "
                     f"({_keys(base.runner_settings_changed)}): the runtime checks ran "
                     "with them.")
    if base.silenced:
        counts = Counter(d.code for d in base.silenced)
        order = sorted(counts, key=lambda code: (-counts[code], code))
        shown = ", ".join(f"{escape.code(code, 20)} \u00d7{counts[code]}"
                          for code in order[:MAX_SHOWN])
        more = len(order) - MAX_SHOWN
        n = len(base.silenced)
        lines.append(f"- \u26a0\ufe0f **This PR silences {n} finding{'s' if n != 1 else ''} "
                     f"with new `# noqa` comments:** {shown}"
                     + (f" and {more} more rules" if more > 0 else "") + ".")
    return lines
