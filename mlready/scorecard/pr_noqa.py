"""The findings a pull request silences with ``# noqa`` comments of its own.

``# noqa`` comments on lines the PR adds or changes are not undone (they are the
author's judgement, reviewed as code), but what they silence is counted: the head is
checked once more, under the base's settings, with those comments disarmed, and the
findings beyond the head's are shown on the card.

A comment is disarmed, not cut: ``noqa`` becomes ``____``, so every other byte stays
where it was. The engine finds suppressions with a regular expression over the text
(`mlready.hooks.suppression`), a ``# noqa`` inside a string included; cutting the line
there would turn a string into a syntax error (a finding the PR never had), and cutting
inside a notebook's JSON would break the notebook. The same-length replacement keeps
Python, TOML, YAML and notebook JSON valid, so notebooks, file-level
``# mlready: noqa`` and new files are all counted the same way.

The second check keeps the per-file cache (`mlready.scorecard.pr_settings.
base_engine_settings`): its entries are keyed by the bytes analysed, so a disarmed
file is its own entry, analysed once and reused by the Action's later scorecard calls;
the other files are the head's, found as the first check left them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from mlready.hooks.model import Diagnostic
from mlready.scorecard.inputs import static_from_json
from mlready.scorecard.pr_settings import BaseSettings, check_json

# A noqa comment of either kind, as `mlready.hooks.suppression` finds it.
_NOQA = re.compile(r"(?i)(#\s*(?:mlready:\s*)?)noqa")
_DISARMED = "____"


def disarm(text: str, lines: set[int]) -> str | None:
    """``text`` with every noqa comment on ``lines`` (1-based) disarmed; None when those
    lines hold none."""
    out = text.splitlines(keepends=True)
    hit = False
    for number in sorted(lines):
        if not 1 <= number <= len(out):
            continue
        line, count = _NOQA.subn(lambda m: m.group(1) + _DISARMED, out[number - 1])
        if count:
            out[number - 1] = line
            hit = True
    return "".join(out) if hit else None


def new_noqa_overlay(root: Path, prefix: str, changed: Mapping[str, set[int]]
                     ) -> dict[str, bytes]:
    """Root-relative path -> the file's text with the noqa comments on the lines the PR
    changed disarmed, for each file that has one. ``changed`` is repository-relative
    (`mlready.scorecard.diff.changed_lines`); ``prefix`` the project's folder in it."""
    overlay: dict[str, bytes] = {}
    for path, lines in sorted(changed.items()):
        if not path.startswith(prefix) or not lines:
            continue
        name = path[len(prefix):]
        try:
            text = (root / name).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        disarmed = disarm(text, lines)
        if disarmed is not None:
            overlay[name] = disarmed.encode("utf-8")
    return overlay


def silenced(base: BaseSettings, start: Path, overlay: Mapping[str, bytes],
             head: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The findings the PR's new noqa comments silence: those the head has once they are
    disarmed (``overlay``) beyond those it has with them (``head``), both under the
    base's settings."""
    from mlready.scorecard.baseline import diff_findings

    if not overlay:
        return ()
    without = static_from_json(check_json(base, start, overlay)).diagnostics
    return diff_findings(without, head)[0]
