"""Findings as GitHub workflow commands (``::warning file=...::message``).

GitHub shows at most 10 annotations of each level per step (and 50 per job), dropping
the rest silently, so this renderer chooses which ten: findings on lines the PR changed
first, then the rest in the usual order; a notice says how many were left out and
where to find them. Failed runtime checks are errors (they have no file location).
Escaping follows the actions toolkit (``@actions/core`` ``command.ts``): ``%``, CR and
LF in the message; additionally ``:`` and ``,`` in properties. Every other character
that is not printable (a tab, an escape sequence, U+2028, a bidi override, a lone
surrogate from an undecodable file name) is then written out as a Python escape by
`mlready.hooks.output.printable`, as the ``github`` output format of ``mlready check``
does: paths, messages and check summaries come from the PR's files and its training
output, and raw they could rewrite what the log shows around the annotation.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from mlready.gpu_runner.results import Outcome
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import escape_data, escape_property, with_help
from mlready.scorecard.model import Scorecard

PER_LEVEL = 10


def command(level: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}"
                     for key, value in properties.items() if value is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def rank(findings: list[Diagnostic], changed: Mapping[str, Set[int]],
         prefix: str = "") -> list[Diagnostic]:
    """Findings on changed lines first (stable), then the rest. ``changed`` is keyed by
    repository paths; ``prefix`` is the project's directory in the repository."""
    def on_change(d: Diagnostic) -> bool:
        lines = changed.get(prefix + d.path) or frozenset()
        if d.cell is not None:  # a cell's lines are not the file's: any change counts
            return bool(lines)
        return any(line in lines for line in range(d.line, max(d.line, d.end_line or 0) + 1))

    return sorted(findings, key=lambda d: (not on_change(d), d.sort_key()))


def finding_command(d: Diagnostic, prefix: str = "") -> str:
    """A warning at the finding; a notebook cell's line is not a line of the file, so
    that annotation is on the file, with the cell named in the message; a finding about
    the whole project has no file."""
    message = with_help(d)  # the fix as a help line, as every other format shows it
    if d.about_project:
        # No file to point at (`file=.` is a folder GitHub cannot show): an annotation of
        # the run, naming the project when it is not the repository itself.
        where = f"{prefix.rstrip('/')}: " if prefix else ""
        return command("warning", where + message, title=f"mlready {d.code}")
    if d.cell is not None:
        return command("warning", f"cell {d.cell}, line {d.line}: {message}",
                       file=prefix + d.path, title=f"mlready {d.code}")
    return command("warning", message, file=prefix + d.path, line=d.line, col=d.col,
                   endLine=d.end_line, title=f"mlready {d.code}")


def render(card: Scorecard, changed: Mapping[str, Set[int]] | None = None,
           per_level: int = PER_LEVEL, pointer: str = "see the job summary",
           prefix: str = "") -> str:
    """Workflow command lines, at most ``per_level`` per level plus overflow notices.

    GitHub resolves ``file=`` against the repository root, so a project in a
    sub-directory passes that directory as ``prefix``.
    """
    lines: list[str] = []
    findings = rank(list(card.findings), changed or {}, prefix)
    shown = findings[:per_level]
    lines += [finding_command(d, prefix) for d in shown]
    failed = [c for c in card.checks if c.outcome is Outcome.FAIL]
    lines += [command("error", c.summary or "failed", title=f"mlready check {c.check}")
              for c in failed[:per_level]]
    notices = []
    if len(findings) > len(shown):
        notices.append(f"{len(findings) - len(shown)} more mlready findings are not shown "
                       f"as annotations (GitHub shows {per_level} per level): {pointer}")
    if len(failed) > per_level:
        notices.append(f"{len(failed) - per_level} more failed mlready checks: {pointer}")
    lines += [command("notice", text, title="mlready") for text in notices]
    return "".join(line + "\n" for line in lines)
