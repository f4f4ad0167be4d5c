"""Rule docs: `mlready rule`, the required docstring sections, and the README table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlready.cli import main
from mlready.hooks import docs
from mlready.hooks.rules import Rule, all_rules

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_documents_the_required_sections(rule: Rule) -> None:
    assert docs.missing_sections(rule) == [], (
        f"{rule.code} ({rule.module.__name__}): the docstring needs `## What it does`, "
        "`## Why is this bad?`, `## Example` and `## Use instead` sections")
    assert docs.headline(rule), f"{rule.code}: the docstring's first line must summarise it"


def test_readme_rules_table_is_generated() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    hooks = docs.read_hooks(REPO / ".pre-commit-hooks.yaml")
    assert docs.table_in(readme) == docs.generated(all_rules(), hooks), (
        "README.md is stale: run `python -m mlready.hooks.docs --write README.md`")


def test_rule_index_is_generated_from_the_rule_modules() -> None:
    from mlready.hooks.rules import __main__ as index_cli
    from mlready.hooks.rules import index_source

    assert index_cli.INDEX.read_text(encoding="utf-8") == index_source(), (
        "mlready/hooks/rules/_index.py is stale: run `python -m mlready.hooks.rules --write`")
    assert index_cli.main(["--check"]) == 0


def test_rules_from_the_index_match_their_modules() -> None:
    from mlready.hooks.rules import from_module

    for rule in all_rules():
        loaded = from_module(rule.module)
        assert (loaded.code, loaded.name, loaded.family, loaded.kinds, loaded.default,
                loaded.parts) == (rule.code, rule.name, rule.family, rule.kinds, rule.default,
                                  rule.parts)
        assert (rule.check is not None) == ("check" in rule.parts)
        assert (rule.finalize is not None) == ("finalize" in rule.parts)


def test_every_hook_id_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    missing = [hook["id"] for hook in hooks if f"`{hook['id']}`" not in readme]
    assert missing == []


def test_docs_write_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              fake_rules: tuple[Rule, ...]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- rules:start -->\nold\n<!-- rules:end -->\ntail\n",
                      encoding="utf-8")
    assert docs.main(["--check", str(readme)]) == 1
    assert "the rules table is stale" in capsys.readouterr().err
    assert docs.main(["--write", str(readme)]) == 0
    assert docs.main(["--check", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n<!-- rules:start -->\n| Code | Name | Family | Default |")
    assert "| MLR993 | `opinionated` | other | no | Off by default. |\n" in text
    assert text.endswith("<!-- rules:end -->\ntail\n")


def test_rule_command_prints_the_docs(capsys: pytest.CaptureFixture[str],
                                      fake_rules: tuple[Rule, ...]) -> None:
    assert main(["rule", "MLR990"]) == 0
    assert capsys.readouterr().out == (
        "# print-call (MLR990)\n\nA `print` call.\n\n## What it does\nTest rule.\n\n"
        "## Why is this bad?\nTest rule.\n\n## Example\n```python\nx = 1\n```\n\n"
        "## Use instead\n```python\nx = 2\n```\n\n"
        "Family `other` (options under `[tool.mlready.other]`); on by default. "
        "Silence one line with `# noqa: MLR990`.\n")
    assert main(["rule", "print-call"]) == 0
    assert capsys.readouterr().out.startswith("# print-call (MLR990)\n")
    assert main(["rule", "MLR993"]) == 0
    assert 'off by default: `select = ["MLR993"]`' in capsys.readouterr().out


def test_rule_all_and_errors(capsys: pytest.CaptureFixture[str],
                             fake_rules: tuple[Rule, ...]) -> None:
    assert main(["rule", "--all"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("# ")] == [
        f"# {r.name} ({r.code})" for r in fake_rules]
    assert main(["rule", "MLR999"]) == 2
    assert capsys.readouterr().err == (
        "error: unknown rule `MLR999`; `mlready rule --all` lists every rule\n")
    assert main(["rule"]) == 2
    assert capsys.readouterr().err == (
        "error: give a rule code (e.g. `mlready rule MLR000`) or --all\n")
