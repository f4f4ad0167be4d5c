"""Selection on the edges the other tests leave open: every selector is validated (not
only up to a valid one), prefix lengths, family against prefix specificity, redirects in
every list, per-file patterns with and without a slash. Pure functions on the fake
rules of conftest; written against the survivors of ``bench/mutation.py``."""

from __future__ import annotations

import pytest

from mlready.hooks import selection
from mlready.hooks.rules import Rule, all_rules


def codes(rules: tuple[Rule, ...]) -> list[str]:
    return [rule.code for rule in rules]


@pytest.mark.parametrize("selectors", [["ALL", "bogus"], ["seeds", "bogus"],
                                       ["MLR1", "bogus"], ["misc", "bogus"],
                                       ["MLR101", "bogus"]])
def test_every_selector_is_checked_not_only_the_first(selectors: list[str]) -> None:
    with pytest.raises(selection.SelectionError,
                       match=r"^--select: unknown rule selector `bogus`$"):
        selection.validate(selectors, all_rules(), "--select")


def test_prefixes_up_to_five_characters_are_accepted_before_any_rule_has_them() -> None:
    real = all_rules()
    selection.validate(["MLR", "MLR8", "MLR88"], real, "x")
    for too_long in ("MLR888", "MLR8888"):
        with pytest.raises(selection.SelectionError):
            selection.validate([too_long], real, "x")
    selection.validate(["unseeded-python-random", "MLR101", "notebooks"], real, "x")


def test_a_family_name_is_valid_even_without_rules_of_it(fake_rules: tuple[Rule, ...]) -> None:
    selection.validate(["deps", "checkpoints"], fake_rules, "x")


def test_family_is_more_specific_than_a_three_digit_prefix_less_than_four(
        fake_rules: tuple[Rule, ...]) -> None:
    fake = [r for r in fake_rules if r.family == "fake"]
    assert fake, "conftest's fake rules have a family `fake`"
    one = fake[0]
    # `fake` (4) beats `MLR` (3) and `MLR9` (4 ties: ignore wins); `MLR99` (5) beats it
    assert one.code in codes(selection.select(fake_rules, ["fake"], (), ["MLR"]))
    assert one.code not in codes(selection.select(fake_rules, ["fake"], (), ["MLR9"]))
    assert one.code not in codes(selection.select(fake_rules, ["fake"], (), ["MLR99"]))
    assert one.code in codes(selection.select(fake_rules, ["MLR99"], (), ["fake"]))
    assert one.code not in codes(selection.select(fake_rules, ["MLR9"], (), ["fake"]))


def test_a_name_is_as_specific_as_a_code(fake_rules: tuple[Rule, ...]) -> None:
    rule = next(r for r in fake_rules if r.code == "MLR990")
    assert codes(selection.select(fake_rules, [rule.name], (), ["MLR99"])) == [
        "MLR000", "MLR990"]
    assert "MLR990" not in codes(selection.select(fake_rules, ["MLR99"], (), [rule.name]))
    assert "MLR990" not in codes(selection.select(fake_rules, [rule.name], (), ["MLR990"]))


def test_redirects_apply_to_select_extend_select_and_ignore() -> None:
    real = all_rules()
    assert "MLR301" in codes(selection.select(real, ["misc"], (), ()))
    assert "MLR301" in codes(selection.select(real, ["deps"], ["misc"], ()))
    assert "MLR301" not in codes(selection.select(real, None, (), ["misc"]))
    assert "MLR301" not in codes(selection.select(real, ["deps"], (), ()))


def test_explicit_rules_need_their_own_name_code_or_all(fake_rules: tuple[Rule, ...]) -> None:
    explicit = [r for r in fake_rules if r.explicit]
    assert explicit
    rule = explicit[0]
    assert rule.code not in codes(selection.select(fake_rules, ["MLR9"], (), ()))
    assert rule.code not in codes(selection.select(fake_rules, None, ["MLR9"], ()))
    assert rule.code in codes(selection.select(fake_rules, [rule.code], (), ()))
    assert rule.code in codes(selection.select(fake_rules, [rule.name], (), ()))
    assert rule.code in codes(selection.select(fake_rules, ["ALL"], (), ()))
    assert rule.code in codes(selection.select(fake_rules, None, [rule.code], ()))


def test_families_groups_in_order() -> None:
    real = all_rules()
    grouped = selection.families(real)
    assert sum(len(v) for v in grouped.values()) == len(real)
    assert all(r.family == family for family, rules in grouped.items() for r in rules)
    assert grouped["core"] == [r for r in real if r.family == "core"]


def test_per_file_patterns_with_and_without_a_slash() -> None:
    table = {"conftest.py": ["MLR101"], "src/gen/*.py": ["MLR2", "MLR3"]}
    assert selection.ignored_by_path("a/b/conftest.py", table, "MLR101")
    assert not selection.ignored_by_path("a/b/conftest.py", table, "MLR102")
    assert selection.ignored_by_path("src/gen/x.py", table, "MLR305")
    assert selection.ignored_by_path("src/gen/x.py", table, "MLR201")
    assert not selection.ignored_by_path("gen/x.py", table, "MLR201")  # the whole path
    assert not selection.ignored_by_path("src/gen/x.py", table, "MLR401")
    assert not selection.ignored_by_path("x.py", {}, "MLR101")
    assert selection.ignored_by_path("x.py", {"x.py": ["ALL"]}, "MLR999")


def test_ignore_all_turns_off_the_default_selection(fake_rules: tuple[Rule, ...]) -> None:
    assert codes(selection.select(fake_rules, None, (), ["ALL"])) == ["MLR000"]
    assert codes(selection.select(fake_rules, None, ["MLR990"], ["ALL"])) == [
        "MLR000", "MLR990"]
