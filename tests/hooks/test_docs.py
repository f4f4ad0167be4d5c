"""Rule docs: `mlready rule`, the required docstring sections, and the README table."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
import yaml

from mlready.cli import main
from mlready.hooks import docs
from mlready.hooks.rules import SEVERITIES, Rule, all_rules, from_module

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
    for rule in all_rules():
        loaded = from_module(rule.module)
        assert (loaded.code, loaded.name, loaded.family, loaded.kinds, loaded.default,
                loaded.parts, loaded.severity, loaded.explicit) == (
            rule.code, rule.name, rule.family, rule.kinds, rule.default, rule.parts,
            rule.severity, rule.explicit)
        assert (rule.check is not None) == ("check" in rule.parts)
        assert (rule.finalize is not None) == ("finalize" in rule.parts)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_declares_its_severity(rule: Rule) -> None:
    """A literal module-level ``SEVERITY`` in the rule's own source, right after ``CODE``
    (the index carries it, so nothing imports a rule to know it)."""
    source = Path(rule.module.__file__ or "").read_text(encoding="utf-8")
    body = ast.parse(source).body
    names = [target.id for node in body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    declared = [node.value for node in body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "SEVERITY" for t in node.targets)]
    assert len(declared) == 1, f"{rule.code}: write `SEVERITY = ...` once, after CODE"
    assert isinstance(declared[0], ast.Constant) and declared[0].value in SEVERITIES
    assert declared[0].value == rule.severity
    assert names.index("SEVERITY") == names.index("CODE") + 1, f"{rule.code}: after CODE"


def test_a_rule_without_a_severity_is_refused() -> None:
    module = types.ModuleType("tests_no_severity")
    module.CODE, module.NAME, module.KINDS = "MLR980", "quiet", ("python",)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"tests_no_severity: no SEVERITY; write `SEVERITY = "
                                         r'"error" \| "warning" \| "note"` after CODE'):
        from_module(module)
    module.SEVERITY = "fatal"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="tests_no_severity: SEVERITY = 'fatal'"):
        from_module(module)


def test_type_hints_and_entrypoint_docs_leave_the_default_selection() -> None:
    from mlready.hooks.selection import select

    real = all_rules()
    default = {rule.code for rule in select(real, None, (), ())}
    assert not {"MLR401", "MLR603", "MLR901"} & default
    assert {"MLR001", "MLR101", "MLR301", "MLR602"} <= default
    # their family selectors (the mlready-types and mlready-docs hooks) still turn them on
    assert "MLR401" in {rule.code for rule in select(real, ["types"], (), ())}
    docs_hook = {rule.code for rule in select(real, ["docs"], (), ())}
    assert "MLR603" in docs_hook and "MLR901" not in docs_hook  # MLR901: its code only
    assert "MLR901" in {rule.code for rule in select(real, ["docs"], ["MLR901"], ())}


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
    assert text.startswith(
        "# x\n\n<!-- rules:start -->\n| Code | Name | Family | Severity | Default |")
    assert "| MLR993 | `opinionated` | other | note | no (by code) | Off by default. |\n" in text
    assert "| MLR990 | `print-call` | other | warning | yes | A `print` call. |\n" in text
    assert text.endswith("<!-- rules:end -->\ntail\n")


def test_rule_command_prints_the_docs(capsys: pytest.CaptureFixture[str],
                                      fake_rules: tuple[Rule, ...]) -> None:
    assert main(["rule", "MLR990"]) == 0
    assert capsys.readouterr().out == (
        "# print-call (MLR990)\n\nA `print` call.\n\n## What it does\nTest rule.\n\n"
        "## Why is this bad?\nTest rule.\n\n## Example\n```python\nx = 1\n```\n\n"
        "## Use instead\n```python\nx = 2\n```\n\n"
        "Severity: warning (hygiene); its findings fail the check unless `--fail-on error`. "
        "Family `other` (options under `[tool.mlready.other]`); on by default. "
        "Silence one line with `# noqa: MLR990`.\n")
    assert main(["rule", "print-call"]) == 0
    assert capsys.readouterr().out.startswith("# print-call (MLR990)\n")
    assert main(["rule", "MLR993"]) == 0
    assert ('Severity: note (style); its findings fail the check unless `--fail-on error` or '
            '`--fail-on warning`. Family `other` (options under `[tool.mlready.other]`); off by '
            'default; only its code turns it on: `extend-select = ["MLR993"]`.'
            ) in capsys.readouterr().out


def test_rule_command_says_how_a_family_turns_an_off_rule_on(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "MLR401"]) == 0
    out = capsys.readouterr().out
    assert "Severity: note (style);" in out
    assert ('off by default: `extend-select = ["types"]` (or `["MLR401"]`) turns it on'
            in out)
    assert main(["rule", "MLR301"]) == 0
    assert ("Severity: error (reproducibility, correctness or security); its findings fail "
            "the check whatever `--fail-on` says.") in capsys.readouterr().out


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
