"""The scorecard's annotations are workflow commands read by the runner: hostile text in
them (a PR's file names, rule messages quoting its code, its training script's output in
a check summary) must stay inside its own annotation and show as what it is.

The toolkit's escaping (``@actions/core`` ``command.ts``): ``%``, CR, LF in the message,
and ``:`` and ``,`` too in properties. Everything else that is not printable is written
out as an escape, as ``mlready check --output-format github`` does.
"""

from __future__ import annotations

import pytest

from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.hooks.model import Diagnostic
from mlready.hooks.output import escape_data, escape_property
from mlready.scorecard.inputs import StaticReport
from mlready.scorecard.render.annotations import command, render
from mlready.scorecard.scoring import RuleInfo, build

HOSTILE = [
    ("a\nb", "a%0Ab"),
    ("a\r\n::error::pwned", "a%0D%0A::error::pwned"),
    ("100%0A", "100%250A"),  # an escape the runner would decode, spelled out by the PR
    ("\x1b[2K\x1b[1A", "\\x1b[2K\\x1b[1A"),  # terminal control: erase the line above
    ("ok\u202egnp.exe", "ok\\u202egnp.exe"),  # a bidi override reversing what follows
    ("x\u2028y\x85z\x0bw", "x\\u2028y\\x85z\\x0bw"),  # line breaks outside CR/LF
    ("tab\there\x00nul", "tab\\there\\x00nul"),
    ("bad\udcffname", "bad\\udcffname"),  # an undecodable byte of a file name
]


@pytest.mark.parametrize(("raw", "escaped"), HOSTILE)
def test_message_escaping(raw: str, escaped: str) -> None:
    assert escape_data(raw) == escaped
    assert escaped.isprintable() and escaped.isascii()


def test_property_escaping_also_covers_the_delimiters() -> None:
    assert escape_property("a:b,c%\n\x1b") == "a%3Ab%2Cc%25%0A\\x1b"


def _lines(text: str) -> list[str]:
    """The runner's view: what it splits into lines (CR, LF) and reads as commands."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:-1]


def test_a_hostile_finding_and_check_stay_one_annotation_each() -> None:
    path = "src/\u202eevil,file=x.py:\n::error file=README.md::"
    message = "`x = 1`\r\n::warning::spoof\x1b[31m %0A"
    finding = Diagnostic(path, 3, 1, "MLR101", message)
    static = StaticReport(diagnostics=(finding,), metrics={}, root="/repo", files_checked=1,
                          rules=None)
    failed = CheckResult(check="smoke\n::error::x", outcome=Outcome.FAIL,
                         summary="loss nan\n::error file=a.py::injected\x07")
    card = build(static, RunReport(checks=(failed,), environment={}),
                 rules=(RuleInfo("MLR101", "hardcoded-learning-rate"),))
    lines = _lines(render(card))
    assert lines == [
        "::warning file=src/\\u202eevil%2Cfile=x.py%3A%0A%3A%3Aerror file=README.md%3A%3A,"
        "line=3,col=1,title=mlready MLR101::`x = 1`%0D%0A::warning::spoof\\x1b[31m %250A",
        "::error title=mlready check smoke%0A%3A%3Aerror%3A%3Ax::loss nan%0A::error "
        "file=a.py::injected\\x07",
    ]
    assert all(line.isprintable() for line in lines)


def test_the_plain_case_is_unchanged() -> None:
    assert command("notice", "3 more: see the job summary", title="mlready") == (
        "::notice title=mlready::3 more: see the job summary")
