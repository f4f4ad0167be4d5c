"""Selection semantics and noqa parsing, as pure functions."""

from __future__ import annotations

import pytest

from mlready.hooks import selection
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import Rule, all_rules
from mlready.hooks.suppression import ALL, Noqa, directives, scan


def codes(rules: tuple[Rule, ...]) -> list[str]:
    return [rule.code for rule in rules]


def test_selection_specificity(fake_rules: tuple[Rule, ...]) -> None:
    default = ["MLR000", "MLR990", "MLR992", "MLR994", "MLR995", "MLR996"]
    assert codes(selection.select(fake_rules, None, (), ())) == default
    assert codes(selection.select(fake_rules, ["ALL"], (), ())) == [
        "MLR000", "MLR990", "MLR992", "MLR993", "MLR994", "MLR995", "MLR996"]
    # a more specific select beats a less specific ignore, and the reverse; MLR000 (core)
    # is on under every selection, as ruff reports syntax errors whatever is selected
    assert codes(selection.select(fake_rules, ["MLR990"], (), ["MLR9"])) == ["MLR000", "MLR990"]
    assert codes(selection.select(fake_rules, ["MLR9"], (), ["MLR990"])) == [
        "MLR000", "MLR992", "MLR994", "MLR995", "MLR996"]
    # on a tie, ignore wins
    assert codes(selection.select(fake_rules, ["MLR99"], (), ["MLR99"])) == ["MLR000"]
    assert codes(selection.select(fake_rules, None, ["MLR993"], ["other"])) == [
        "MLR000", "MLR993", "MLR996"]
    assert codes(selection.select(fake_rules, ["fake", "bad-key"], (), ())) == [
        "MLR000", "MLR994", "MLR996"]


def test_core_rules_survive_any_selection() -> None:
    real = all_rules()
    for select, ignore in ((["deps"], ()), (None, ["ALL"]), (None, ["MLR000", "MLR"]),
                           (["MLR101"], ["syntax-error"]), (None, ["misc"])):
        assert "MLR000" in codes(selection.select(real, select, (), ignore)), (select, ignore)


def test_misc_redirects_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    real = all_rules()
    selection.validate(["misc"], real, "--ignore")
    assert capsys.readouterr().err == (
        "warning: `misc` is deprecated; use checkpoints, notebooks, docs (in --ignore)\n")
    kept = codes(selection.select(real, None, (), ["misc"]))
    assert "MLR000" in kept and "MLR205" in kept
    assert not {"MLR301", "MLR501", "MLR601", "MLR602", "MLR603"} & set(kept)
    # the redirect names families, so it grows with them; selecting a family turns on its
    # off-by-default rules too (MLR305), as a ruff prefix does, except EXPLICIT ones (MLR901)
    assert codes(selection.select(real, ["misc"], (), ())) == [
        "MLR000", "MLR301", "MLR302", "MLR303", "MLR304", "MLR305", "MLR501", "MLR601",
        "MLR602", "MLR603"]
    assert [r.family for r in real if r.code in ("MLR000", "MLR301", "MLR501", "MLR901")] == [
        "core", "checkpoints", "notebooks", "docs"]


@pytest.mark.parametrize("selector", ["MLR", "MLR9", "MLR99", "MLR990", "ALL", "seeds",
                                      "print-call", "fake", "MLR1"])
def test_valid_selectors(fake_rules: tuple[Rule, ...], selector: str) -> None:
    selection.validate([selector], fake_rules, "--select")


@pytest.mark.parametrize("selector", ["MLR999", "E501", "mlr990", "MLR9900", "all", ""])
def test_invalid_selectors(fake_rules: tuple[Rule, ...], selector: str) -> None:
    with pytest.raises(selection.SelectionError, match=f"unknown rule selector `{selector}`"):
        selection.validate([selector], fake_rules, "--select")


def test_per_file_ignores() -> None:
    table = {"tests/*": ["MLR1"], "*.ipynb": ["ALL"], "./scripts/run.py": ["MLR990"]}
    assert selection.ignored_by_path("tests/unit/test_a.py", table, "MLR101")
    assert not selection.ignored_by_path("tests/unit/test_a.py", table, "MLR201")
    assert selection.ignored_by_path("nb/x.ipynb", table, "MLR000")
    assert selection.ignored_by_path("scripts/run.py", table, "MLR990")
    assert not selection.ignored_by_path("src/tests/a.py", table, "MLR101")


def test_noqa_scan() -> None:
    source = ("a = 1\n"
              "b = 2  # noqa: MLR101, MLR2\n"
              "# mlready: noqa: MLR3\n"
              "c  # NOQA\n"
              "d  # noqa:MLR4 because of reasons\n"
              "e = '# not a noqa'\n")
    noqa = scan(source)
    assert noqa == Noqa({2: ("MLR101", "MLR2"), 4: ALL, 5: ("MLR4",)}, ("MLR3",))
    assert scan("x = 1\n# mlready: noqa\n").file == ALL
    assert scan("x = 1\n") == Noqa({})


def test_noqa_suppresses() -> None:
    noqa = Noqa({2: ("MLR101", "MLR2"), 4: ALL}, ("MLR3",))

    def hit(line: int, code: str, end: int | None = None) -> bool:
        return noqa.suppresses(Diagnostic("a.py", line, 1, code, "m", end_line=end))

    assert hit(2, "MLR101") and hit(2, "MLR205") and not hit(2, "MLR102")
    assert hit(4, "MLR999") and hit(9, "MLR301") and not hit(9, "MLR401")
    assert hit(1, "MLR101", end=2)  # a multi-line span: noqa on its last line counts
    assert Noqa.from_json(noqa.to_json()) == noqa


def test_noqa_on_an_unterminated_last_line_counts() -> None:
    # no newline after the last line: its noqa is read all the same
    assert scan("a = 1\nb = 2  # noqa: MLR101") == Noqa({2: ("MLR101",)})
    assert scan("b = 2  # noqa") == Noqa({1: ALL})
    assert scan("a = 1\n# mlready: noqa: MLR3") == Noqa({}, ("MLR3",))


def test_two_noqa_on_one_line_add_up_and_the_scan_goes_on() -> None:
    source = ("a = 1  # noqa: MLR101  # noqa: E501\n"
              "b = 2  # noqa: MLR102\n"
              "c = 3  # noqa: MLR103  # noqa\n"
              "d = 4  # mlready: noqa: MLR3  # noqa: MLR104\n"
              "e = 5  # noqa: MLR105\n")
    assert scan(source) == Noqa({1: ("MLR101", "E501"), 2: ("MLR102",), 3: ALL,
                                 4: ("MLR104",), 5: ("MLR105",)}, ("MLR3",))


def test_noqa_directives_carry_their_spans() -> None:
    text = "x = 1  # noqa: MLR001, E501  # noqa"
    first, second = directives(text)
    assert text[first.start:first.end] == "# noqa: MLR001, E501"
    assert [(code, text[a:b]) for code, a, b in first.codes] == [
        ("MLR001", "MLR001"), ("E501", "E501")]
    assert text[second.start:second.end] == "# noqa" and second.codes == ()
    assert directives("y = 2  # mlready: noqa: MLR001") == []
