"""Every code block of every rule page is valid in its language, as printed by
``mlready rule`` (a reader copies them), and pages name checklists by their title."""

from __future__ import annotations

import ast
import json
import re
import tomllib

import pytest
import yaml

from mlready.hooks.docs import cite_checklists, render_rule
from mlready.hooks.rules import Rule, all_rules

BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
PARSERS = {"python": lambda text: ast.parse(text), "json": json.loads,
           "toml": tomllib.loads, "yaml": yaml.safe_load}
# Blocks that show invalid input on purpose: the syntax-error rule's example.
INVALID_ON_PURPOSE = {("MLR000", 0)}


def blocks(page: str) -> list[tuple[str, str]]:
    return [(m["lang"], m["body"]) for m in BLOCK.finditer(page)]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_example_blocks_parse_as_their_language(rule: Rule) -> None:
    for index, (lang, body) in enumerate(blocks(render_rule(rule))):
        parser = PARSERS.get(lang)
        if parser is None or (rule.code, index) in INVALID_ON_PURPOSE:
            continue
        try:
            parser(body)
        except Exception as exc:
            pytest.fail(f"{rule.code} block {index} ({lang}) does not parse: {exc}\n{body}")


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_json_is_shown_as_json(rule: Rule) -> None:
    """A block of JSON (or of a JSON file's keys) is tagged ``json``, so the test above
    parses it: an untagged fragment once printed a raw newline inside a string."""
    for index, (lang, body) in enumerate(blocks(render_rule(rule))):
        looks_json = re.match(r'\s*(?:\{|\[\s*[{"\d]|"[^"]*"\s*:)', body) is not None
        assert lang == "json" or not looks_json, f"{rule.code} block {index}: tag it json"


def test_the_invalid_on_purpose_block_is_invalid() -> None:
    rule = next(r for r in all_rules() if r.code == "MLR000")
    with pytest.raises(SyntaxError):
        ast.parse(blocks(render_rule(rule))[0][1])


def test_blocks_are_found() -> None:
    assert blocks("a\n```json\n{\"a\": 1}\n```\nb\n```\nplain\n```\n") == [
        ("json", '{"a": 1}\n'), ("", "plain\n")]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_pages_cite_checklists_by_title(rule: Rule) -> None:
    assert re.search(r"\bChecklists? \d{3}", render_rule(rule)) is None


def test_citations_become_titles() -> None:
    assert cite_checklists("- Checklist 002 (RL lunar lander) and 003 (LLM RL): x 100") == (
        "- Production Deployment Checklist (RL lunar lander) and "
        "Web4 RL Implementation Checklist (LLM RL): x 100")
    assert cite_checklists("Checklist 000, \"Training Loop\"") == (
        "Research Code Production-Readiness Checklist, \"Training Loop\"")
    assert cite_checklists("Checklist 123") == "Checklist 123"  # an unknown one stays
