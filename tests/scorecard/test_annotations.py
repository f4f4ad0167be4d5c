"""Workflow-command annotations: escaping, the per-level cap, changed lines first."""

from __future__ import annotations

from mlready.gpu_runner.results import Outcome
from mlready.hooks.output import escape_data, escape_property
from mlready.scorecard.render.annotations import command, render

from .factories import card, check, diag, run, static


def test_toolkit_escaping() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert command("warning", "m\nx", file="a,b.py", line=3) == \
        "::warning file=a%2Cb.py,line=3::m%0Ax"


def test_cap_and_changed_lines_first() -> None:
    findings = [diag(f"f{i:02}.py", 1, "MLR101", f"finding {i}") for i in range(25)]
    changed = {"f20.py": {1}, "f24.py": {1, 2}, "f03.py": {9}}
    out = render(card(static(*findings)), changed).splitlines()
    warnings = [line for line in out if line.startswith("::warning")]
    assert len(warnings) == 10
    assert warnings[0].startswith("::warning file=f20.py,")
    assert warnings[1].startswith("::warning file=f24.py,")
    assert warnings[2].startswith("::warning file=f00.py,")  # then the usual order
    assert out[-1] == ("::notice title=mlready::15 more mlready findings are not shown as "
                       "annotations (GitHub shows 10 per level): see the job summary")


def test_failed_checks_are_errors() -> None:
    out = render(card(None, run(check("resume", Outcome.FAIL, "diverged at step 11"),
                                check("smoke"))))
    assert out == "::error title=mlready check resume::diverged at step 11\n"


def test_nothing_to_say() -> None:
    assert render(card(static())) == ""


def test_notebook_cell_annotation_names_the_cell() -> None:

    cell = diag("nb.ipynb", 2, "MLR501", "outputs committed")._replace(cell=3)
    assert render(card(static(cell))) == (
        "::warning file=nb.ipynb,title=mlready MLR501::cell 3, line 2: outputs committed\n")


def test_a_project_finding_is_an_annotation_of_the_run() -> None:
    """The path ``.`` (no tests, no README) is no file: no ``file=``, ``line`` or ``col``;
    a project in a sub-directory is named in the message instead."""
    project = diag(".", 1, "MLR614", "the project has no tests")
    assert render(card(static(project))) == (
        "::warning title=mlready MLR614::the project has no tests\n")
    assert render(card(static(project)), prefix="ml/agent/") == (
        "::warning title=mlready MLR614::ml/agent: the project has no tests\n")
