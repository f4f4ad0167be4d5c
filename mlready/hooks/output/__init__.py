"""Renderers for `mlready check` results: one module per ``--output-format``.

Every renderer is a pure function of a `mlready.hooks.engine.Report` (and, for
``full``, of the source lines it is handed), so that each surface can be tested on
plain values and none of them reads files or the environment.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlready.hooks.model import Diagnostic
    from mlready.hooks.rules import Rule

FORMATS: Mapping[str, str] = {
    "concise": "mlready.hooks.output.concise",
    "full": "mlready.hooks.output.full",
    "json": "mlready.hooks.output.json_format",
    "github": "mlready.hooks.output.github",
    "sarif": "mlready.hooks.output.sarif",
}

Lines = Mapping[tuple[str, int | None], Sequence[str]]  # (path, cell) -> source lines


def printable(text: str) -> str:
    """``text`` with every character that is not printable written as a Python escape
    (``\\n``, ``\\x1b``, ``\\u202e``, ``\\udcff`` for an undecodable byte of a name).

    File names and the source text quoted in messages are the user's: raw, a newline in
    a file name starts a new output line, which in CI can read as a ``::error`` workflow
    command, and an escape sequence can rewrite the terminal. Backslashes are left as
    they are: they are printable, and common in quoted code.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions toolkit does (``@actions/core``
    ``command.ts``: ``%``, CR and LF), then `printable` for the other control characters
    (``%0A`` still stands for a newline the message itself holds). Used by the ``github``
    output format and the scorecard's annotations alike."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value: `escape_data`, and ``:`` and ``,``, which
    delimit the properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def paint(text: str, color: bool, **style: Any) -> str:
    """``text`` styled as `click.style` does (``fg="red", bold=True``) when ``color``;
    as it is otherwise. Where colour is on is the CLI's decision (`mlready.hooks.cli.printing`)."""
    if not color or not text:
        return text
    import click

    return click.style(text, **style)


def line_start(text: str) -> str:
    """A line that cannot start a workflow command: GitHub reads any output line that
    begins with ``::`` as one, so a file named ``::error::x.py`` is printed ``./::error...``."""
    return f"./{text}" if text.lstrip().startswith("::") else text


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of one format (imported only when used)."""
    module: Any = importlib.import_module(FORMATS[name])
    render: Callable[..., str] = module.render
    return render


# Every severity a rule may declare, most severe first (`mlready.hooks.rules.SEVERITIES`).
SEVERITIES = ("error", "warning", "note")
UNKNOWN_SEVERITY = "error"  # a code no selected rule has: counted as every finding once was


def severities(rules: Iterable[Rule]) -> dict[str, str]:
    """Code -> severity of the rules that ran (what each finding's severity is read from)."""
    return {rule.code: rule.severity for rule in rules}


def severity_of(diagnostic: Diagnostic, table: Mapping[str, str]) -> str:
    return table.get(diagnostic.code, UNKNOWN_SEVERITY)


def counted(severity: str, fail_on: str | None) -> bool:
    """Whether a finding of ``severity`` fails the check under ``--fail-on`` (None: any
    finding does, as before severities existed)."""
    if fail_on is None:
        return True
    rank = {name: n for n, name in enumerate(SEVERITIES)}
    return rank.get(severity, 0) <= rank[fail_on]


def summary(diagnostics: Sequence[Diagnostic], table: Mapping[str, str]) -> str:
    """``Found 12 findings: 3 errors, 9 warnings.`` (severities in order, none left at 0),
    or ``All checks passed!``."""
    if not diagnostics:
        return "All checks passed!"
    counts = dict.fromkeys(SEVERITIES, 0)
    for diagnostic in diagnostics:
        level = severity_of(diagnostic, table)
        counts[level] = counts.get(level, 0) + 1
    parts = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts.items() if n]
    total = len(diagnostics)
    return f"Found {total} finding{'s' if total != 1 else ''}: {', '.join(parts)}."


def with_help(diagnostic: Diagnostic) -> str:
    """A finding's message and fix as one text, for the formats that have one text per
    finding (``github``, SARIF, the scorecard's annotations): the same ``help:`` line that
    ``full`` prints under the source, so the fix reads the same everywhere."""
    if not diagnostic.fix:
        return diagnostic.message
    return f"{diagnostic.message}\nhelp: {diagnostic.fix}"
