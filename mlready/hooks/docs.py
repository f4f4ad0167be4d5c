"""Rule documentation, generated from the rules' docstrings (never hand-copied).

`render_rule` is what ``mlready rule MLR101`` prints; `rules_table` is the README's
rules table, followed by the pre-commit hook ids of .pre-commit-hooks.yaml.
``python -m mlready.hooks.docs --write README.md`` rewrites that block between
``<!-- rules:start -->`` and ``<!-- rules:end -->``; ``--check`` exits 1 when
the README is stale (the test suite asserts the same).
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.rules import CORE_FAMILY, SEVERITIES, Rule, all_rules

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
# Sections a rule may add. "Fix safety" says what `mlready check --fix` changes and when
# the fix is safe or unsafe (ruff's rule pages have the same); every rule with a fix has it.
OPTIONAL_SECTIONS = ("Options", "Fix safety", "References")
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


@cache
def _heading_re() -> re.Pattern[str]:
    return re.compile(r"^## (.+?)\s*$", re.MULTILINE)


def markdown(text: str) -> str:
    """Docstrings use reST literals (````x````); Markdown wants single backticks."""
    return text.replace("``", "`")


def headline(rule: Rule) -> str:
    """The docstring's first paragraph without its ``CODE `name`:`` prefix, capitalised."""
    first = rule.doc.strip().split("\n\n", 1)[0] if rule.doc.strip() else ""
    text = " ".join(re.sub(r"^\s*[A-Z]+[0-9]+\s+`[^`]+`\s*:\s*", "", first).split())
    return markdown(text[:1].upper() + text[1:])


def sections(rule: Rule) -> dict[str, str]:
    """``## Heading`` -> text, in docstring order."""
    body = textwrap.dedent("\n".join(rule.doc.strip().splitlines()[1:]))
    found: dict[str, str] = {}
    marks = list(_heading_re().finditer(body))
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        found[mark.group(1)] = body[mark.end():end].strip()
    return found


def missing_sections(rule: Rule) -> list[str]:
    have = sections(rule)
    return [name for name in REQUIRED_SECTIONS if not have.get(name)]


# What each severity stands for (the registry's `SEVERITIES`), for `mlready rule`.
SEVERITY_MEANING = {"error": "reproducibility, correctness or security",
                    "warning": "hygiene", "note": "style"}


def fail_on_text(rule: Rule) -> str:
    """Which ``--fail-on`` values let this rule's findings pass (those above its severity)."""
    above = SEVERITIES[:SEVERITIES.index(rule.severity)] if rule.severity in SEVERITIES else ()
    if not above:
        return "its findings fail the check whatever `--fail-on` says"
    return ("its findings fail the check unless "
            + " or ".join(f"`--fail-on {value}`" for value in above))


def selection_text(rule: Rule) -> str:
    """How the rule is turned on, in the words of a configuration."""
    if rule.default:
        return "on by default"
    if rule.explicit:
        return f"off by default; only its code turns it on: `extend-select = [\"{rule.code}\"]`"
    return (f"off by default: `extend-select = [\"{rule.family}\"]` "
            f"(or `[\"{rule.code}\"]`) turns it on")


def fix_safety(rule: Rule) -> str | None:
    """The rule's ``## Fix safety`` text, or None when it has no automatic fix."""
    return sections(rule).get("Fix safety") or None


# The production-readiness checklists the rules implement, by their titles: docstrings
# cite them by file number (``Checklist 000``), which tells a reader of `mlready rule`
# nothing; the page names the document instead.
CHECKLISTS = {
    "000": "Research Code Production-Readiness Checklist",
    "001": "Production Readiness Checklist",
    "002": "Production Deployment Checklist",
    "003": "Web4 RL Implementation Checklist",
    "004": "Day 40 Deep Dive: Building a Complete RL Pipeline",
}
_CITATION = patterns.compile(r"\bChecklists? (?P<first>\d{3})\b"
                             r"(?P<more>(?:\s*\([^)]*\))?(?:(?:,| and) \d{3}\b(?:\s*\([^)]*\))?)*)")


def cite_checklists(text: str) -> str:
    """``Checklist 002 (RL) and 003`` -> the checklists' titles."""
    def title(number: str) -> str:
        return CHECKLISTS.get(number, f"Checklist {number}")

    def cited(match: re.Match[str]) -> str:
        more = re.sub(r"\b(\d{3})\b(?![^(]*\))", lambda n: title(n[1]), match["more"])
        return title(match["first"]) + more

    return _CITATION.sub(cited, text)


def render_rule(rule: Rule) -> str:
    """The text ``mlready rule CODE`` prints: title, summary, sections, how to enable."""
    family = rule.family
    parts = [f"# {rule.name} ({rule.code})", headline(rule)]
    parts += [f"## {name}\n{cite_checklists(text)}" for name, text in sections(rule).items()]
    severity = (f"Severity: {rule.severity} ({SEVERITY_MEANING.get(rule.severity, '')}); "
                f"{fail_on_text(rule)}.")
    if family == CORE_FAMILY and not rule.default:
        parts.append(f"{severity} A core rule (about mlready's own comments); off by default: "
                     f"only its code or `ALL` turns it on: `extend-select = [\"{rule.code}\"]`. "
                     f"Silence one line with `# noqa: {rule.code}`.")
    elif family == CORE_FAMILY:
        parts.append(f"{severity} Always on: no `select` or `ignore` turns it off (a file "
                     "that cannot be parsed is seen by no other rule).")
    else:
        parts.append(f"{severity} Family `{family}` (options under "
                     f"`[tool.mlready.{family}]`); {selection_text(rule)}. "
                     f"Silence one line with `# noqa: {rule.code}`.")
    return "\n\n".join(p for p in parts if p) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default_cell(rule: Rule) -> str:
    return "yes" if rule.default else ("no (by code)" if rule.explicit else "no")


def rules_table(rules: Sequence[Rule]) -> str:
    """The README table: code, name, family, severity, default, one-line summary."""
    rows = ["| Code | Name | Family | Severity | Default | What it flags |",
            "| --- | --- | --- | --- | --- | --- |"]
    rows += [f"| {r.code} | `{r.name}` | {r.family} | {r.severity} | {_default_cell(r)} | "
             f"{_cell(headline(r))} |" for r in rules]
    return "\n".join(rows) + "\n"


def hooks_line(hooks: Sequence[Mapping[str, Any]]) -> str:
    """One sentence naming every pre-commit hook id, from .pre-commit-hooks.yaml."""
    ids = ", ".join(f"`{hook['id']}`" for hook in hooks)
    return (f"\nRules by concern as [pre-commit](https://pre-commit.com) hooks: {ids} "
            "(`mlready` runs every default rule).\n")


def generated(rules: Sequence[Rule], hooks: Sequence[Mapping[str, Any]]) -> str:
    """Everything between the README markers."""
    return rules_table(rules) + (hooks_line(hooks) if hooks else "")


def read_hooks(path: Path) -> list[dict[str, Any]]:
    """The hooks of a .pre-commit-hooks.yaml (empty when there is none)."""
    if not path.is_file():
        return []
    import yaml

    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [hook for hook in loaded or [] if isinstance(hook, dict)]


def replace_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no `{START}` ... `{END}` markers")
    return readme[: start + len(START)] + "\n" + table + readme[end:]


def table_in(readme: str) -> str:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README has no `{START}` ... `{END}` markers")
    return readme[start + len(START): end].lstrip("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlready.hooks.docs",
                                     description="Generate the README rules table.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, metavar="README", help="rewrite the table")
    group.add_argument("--check", type=Path, metavar="README", help="exit 1 when stale")
    args = parser.parse_args(argv)
    path: Path = args.write or args.check
    text = path.read_text(encoding="utf-8")
    hooks = read_hooks(path.resolve().parent / ".pre-commit-hooks.yaml")
    updated = replace_table(text, generated(all_rules(), hooks))
    if args.check:
        if updated != text:
            print(f"{path}: the rules table is stale; run "
                  f"`python -m mlready.hooks.docs --write {path}`", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
