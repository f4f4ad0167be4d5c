"""The markdown card's building blocks: render options and small formatters.

Shared by the sections (`md_sections`), the finding tables (`md_findings`) and the
document assembly (`markdown`); nothing here knows the order of the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from mlready.gpu_runner.results import Scalar
from mlready.scorecard import escape
from mlready.scorecard.paths import linkable

COMMENT_POINTER = "see the job summary"
SUMMARY_POINTER = "see the scorecard JSON artifact"
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
