"""MLR900 `unused-noqa` at its edges: the exact finding and fix of each directive shape,
the last line of a file, several directives on a line, files that are not judged, and
the files `findings` reads (stdin's text, a file changed since it was checked, one that
is gone or outside the project).

test_unused_noqa.py covers the rule through the engine; these call `file_findings` and
`findings` directly on hand-written text and real files in a temp dir. Written against
the surviving mutants of ``bench/mutation.py`` on hooks/rules/unused_noqa.py.
"""

from __future__ import annotations

from pathlib import Path

from mlready.hooks import fixes
from mlready.hooks.cache import digest
from mlready.hooks.model import Diagnostic, Edit, Fix
from mlready.hooks.results import FileResult
from mlready.hooks.rules import all_rules
from mlready.hooks.rules.unused_noqa import file_findings, findings
from mlready.hooks.suppression import scan

KNOWN = [rule.code for rule in all_rules()]
ON = {"MLR001", "MLR301", "MLR900"}


def judged(source: str, found: list[Diagnostic] | None = None, path: str = "a.py",
           selected: set[str] = ON) -> list[Diagnostic]:
    return list(file_findings(path, source, scan(source).lines, found or [], selected, KNOWN))


def fixed(source: str, found: list[Diagnostic] | None = None) -> str:
    got = judged(source, found)
    text, _ = fixes.apply_edits(source, [(d, d.autofix) for d in got if d.autofix])
    return text


def test_one_finding_per_directive_with_its_span_and_fix() -> None:
    source = "x = 1  # noqa: MLR001, E501, MLR301\n"
    (got,) = judged(source)
    assert got == Diagnostic(
        "a.py", 1, 16, "MLR900",
        "unused `noqa` directive: MLR001, MLR301 reported nothing on this line",
        end_line=1, end_col=36, fix="remove MLR001, MLR301 from the comment",
        autofix=Fix("safe", (Edit(15, 35, "E501"),), "remove the unused MLR001, MLR301"))
    assert fixed(source) == "x = 1  # noqa: E501\n"


def test_the_kept_codes_stay_in_their_order() -> None:
    assert fixed("x = 1  # noqa: E501, MLR301, F401\n") == "x = 1  # noqa: E501, F401\n"
    assert fixed("x = 1  # noqa: MLR301, E501, F401, MLR001\n") == "x = 1  # noqa: E501, F401\n"


def test_the_line_is_cut_at_its_line_end_only() -> None:
    """What ends a line is ``\\r`` and ``\\n``: a last code made of other letters stays."""
    assert fixed("x = 1  # noqa: MLR301, FIX\n") == "x = 1  # noqa: FIX\n"
    assert fixed("x = 1  # noqa: MLR301, X\r\n") == "x = 1  # noqa: X\r\n"


def test_unknown_codes_are_named_apart_with_their_verb() -> None:
    (got,) = judged("x = 1  # noqa: MLR001, MLR998, MLR301, MLR999\n")
    assert got.message == ("unused `noqa` directive: MLR001, MLR301 reported nothing on this "
                           "line; MLR998, MLR999 are no mlready rule")
    (one,) = judged("x = 1  # noqa: MLR998\n")
    assert one.message == "unused `noqa` directive: MLR998 is no mlready rule"


def test_a_prefix_no_rule_has_is_not_judged() -> None:
    """``MLR99`` could be a prefix of a rule to come: only a full code is "no rule"."""
    assert judged("x = 1  # noqa: MLR99\n") == []
    assert judged("x = 1  # noqa: MLR9\n") == []


def test_a_code_on_the_line_of_another_rules_finding_is_still_unused() -> None:
    found = [Diagnostic("a.py", 1, 1, "MLR001", "m")]
    (got,) = judged("x = 1  # noqa: MLR001, MLR301\n", found)
    assert got.message == "unused `noqa` directive: MLR301 reported nothing on this line"


def test_the_last_line_without_a_newline_is_judged() -> None:
    assert [d.line for d in judged("y = 0\nx = 1  # noqa: MLR301")] == [2]
    assert fixed("y = 0\nx = 1  # noqa: MLR301") == "y = 0\nx = 1"
    assert [d.line for d in judged("x = 1  # noqa: MLR301\n")] == [1]


def test_a_bare_noqa_on_the_line_leaves_the_line_alone() -> None:
    assert judged("x = 1  # noqa  # noqa: MLR301\n") == []


def test_every_directive_of_a_line_is_judged() -> None:
    # a used one first does not end the line's scan
    found = [Diagnostic("a.py", 1, 1, "MLR301", "m")]
    got = judged("x = 1  # noqa: MLR301  # noqa: MLR001\n", found)
    assert [(d.col, d.message) for d in got] == [
        (32, "unused `noqa` directive: MLR001 reported nothing on this line")]
    # nor does one inside a string
    got = judged("s = '# noqa: MLR301'  # noqa: MLR001\n")
    assert [(d.col, d.message) for d in got] == [
        (31, "unused `noqa` directive: MLR001 reported nothing on this line")]


def test_a_python_file_that_does_not_tokenize_is_not_judged() -> None:
    assert judged("x = (\ny = 1  # noqa: MLR301\n") == []


def test_a_file_that_is_not_python_is_not_read_as_python() -> None:
    """Quotes mean nothing in a requirements file: a ``'''`` there opens no string."""
    text = "torch'''\nnumpy  # noqa: MLR301\n'''\n"
    assert judged(text, path="a.py") == []  # in Python, the noqa is inside a string
    assert [d.line for d in judged(text, path="requirements.txt")] == [2]


# -- findings: which files are read, and from where ----------------------------------------

def result(path: str, data: bytes, text: str | None = None, **kw: object) -> FileResult:
    source = text if text is not None else data.decode()
    return FileResult(path, digest(data), True, (), {}, scan(source), **kw)  # type: ignore[arg-type]


RULES = [rule for rule in all_rules() if rule.code in ON]
UNUSED = b"x = 1  # noqa: MLR301\n"


def run(root: Path, results: dict[str, FileResult], found: tuple[Diagnostic, ...] = (),
        overlay: dict[str, bytes] | None = None) -> list[tuple[str, int]]:
    got = findings(root, results, list(found), RULES, KNOWN, overlay)
    return [(d.path, d.line) for d in got]


def test_every_readable_file_is_judged_though_one_before_it_is_gone(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_bytes(UNUSED)
    results = {"a.py": result("a.py", UNUSED), "b.py": result("b.py", UNUSED)}
    assert run(tmp_path, results) == [("b.py", 1)]


def test_a_file_changed_since_it_was_checked_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"y = 22  # noqa: MLR301\n")
    assert run(tmp_path, {"a.py": result("a.py", UNUSED)}) == []


def test_stdins_text_stands_in_for_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"on disk, other text\n")
    results = {"a.py": result("a.py", UNUSED)}
    assert run(tmp_path, results, overlay={"a.py": UNUSED}) == [("a.py", 1)]
    assert run(tmp_path, results, overlay={"b.py": b"other"}) == []  # read from disk


def test_a_link_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_bytes(UNUSED)
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.py").symlink_to(outside)
    assert run(root, {"a.py": result("a.py", UNUSED)}) == []
    (root / "b.py").write_bytes(UNUSED)
    assert run(root, {"b.py": result("b.py", UNUSED)}) == [("b.py", 1)]


def test_broken_notebook_and_failed_files_are_not_judged(tmp_path: Path) -> None:
    """A syntax error (even one that tokenizes), a notebook's cells, a rule's internal
    error: each alone keeps the file out; a file with no noqa has nothing to judge."""
    broken = b"x = = 1  # noqa: MLR301\n"
    for name, data in (("broken.py", broken), ("nb.py", UNUSED), ("err.py", UNUSED)):
        (tmp_path / name).write_bytes(data)
    syntax = Diagnostic("broken.py", 1, 5, "MLR000", "m")
    results = {"broken.py": result("broken.py", broken),
               "nb.py": result("nb.py", UNUSED, cells=((1, 1),)),
               "err.py": result("err.py", UNUSED, errors=("MLR301: boom",))}
    assert run(tmp_path, results, (syntax,)) == []
    assert run(tmp_path, {"broken.py": result("broken.py", broken)}) == [("broken.py", 1)]
