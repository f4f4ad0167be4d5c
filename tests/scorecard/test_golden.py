"""Golden (snapshot) tests of what the scorecard tells people.

One representative synthetic input: findings across families, a coverage metric, a
rule with nothing to read, every runtime outcome, a baseline. Its items (titles,
statuses, credits, details) and the full PR comment are compared exactly with files
under ``data/``, so any wording or scoring change shows up in review as a diff of
those files. Regenerate them with ``MLREADY_UPDATE_GOLDEN=1 pytest tests/scorecard/test_golden.py``
and read the diff before committing.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from mlready.gpu_runner.results import Outcome
from mlready.hooks.model import Diagnostic
from mlready.scorecard.baseline import compare
from mlready.scorecard.model import Scorecard
from mlready.scorecard.render.markdown import render_comment
from mlready.scorecard.scoring import RuleInfo, build

from .factories import REPO, SHA, check, run, static

DATA = Path(__file__).parent / "data"
RULES = (
    RuleInfo("MLR000", "syntax-error", frozenset({"python"})),
    RuleInfo("MLR001", "unseeded-entrypoint", frozenset({"python"})),
    RuleInfo("MLR101", "hardcoded-learning-rate", frozenset({"python"})),
    RuleInfo("MLR201", "unpinned-requirement", frozenset({"requirements"})),
    RuleInfo("MLR401", "missing-type-annotation", frozenset({"python"})),
    RuleInfo("MLR501", "notebook-outputs", frozenset({"notebook"})),
    RuleInfo("MLR601", "missing-readme"),
    RuleInfo("MLR701", "missing-zero-grad", frozenset({"python"})),
)


def representative() -> Scorecard:
    findings = (
        Diagnostic("train.py", 12, 5, "MLR001", "entrypoint `main()` never seeds the RNGs"),
        Diagnostic("train.py", 30, 11, "MLR101", "`Adam(lr=3e-4)`: learning rate is a literal"),
        Diagnostic("eval.py", 8, 11, "MLR101", "`SGD(lr=0.1)`: learning rate is a literal"),
        Diagnostic("model.py", 3, 1, "MLR101", "`AdamW(lr=1e-3)`: learning rate is a literal"),
        Diagnostic("train.py", 41, 9, "MLR701", "`loss.backward()` without `zero_grad()`"),
    )
    report = replace(static(*findings, metrics={"missing-type-annotation": {
        "project": {"annotated": 30, "total": 40, "ratio": 0.75}}}),
        file_kinds={"python": 4, "notebook": 0, "requirements": 1})
    runtime = run(
        check("smoke", summary="20 steps in 3.1 s; loss 2.30 -> 0.41",
              metrics={"steps_per_s": 6.45, "peak_rss_mb": 512.25, "peak_gpu_mb": None,
                       "steps_logged": 20},
              series={"loss": [[1, 2.3], [5, 1.6], [10, 0.9], [20, 0.41]]},
              details={"metrics_seen": ["loss", "lr"]}, duration_s=3.1),
        check("checkpoint", Outcome.FAIL, "checkpoint has no optimizer state",
              reason="incomplete_checkpoint", metrics={"size_mb": 1.5}, duration_s=0.2),
        check("eval", Outcome.NOT_APPLICABLE, "no eval command configured",
              reason="not_configured"),
        check("reproducibility", Outcome.PASS, "two runs with seed 0 are bitwise identical",
              metrics={"tier": "bitwise"}, duration_s=6.0),
        check("resume", Outcome.ERROR, "the resume command was not found",
              reason="command_not_found", log_tail="sh: resume.py: not found"),
        check("distributed", Outcome.SKIPPED, "needs 2 GPUs, found 0", reason="no_gpu"),
        check("tests", Outcome.NOT_APPLICABLE, "no test command configured: set "
              '`tool.mlready.runner.tests`, e.g. "pytest -q"', reason="not_configured"),
    )
    head = build(report, runtime, rules=RULES)
    base = build(replace(report, diagnostics=findings[1:]), None, rules=RULES)
    return replace(head, baseline=compare(head, base, "main", SHA))


def items_text(card: Scorecard) -> str:
    lines = [f"# score {card.score:.4f} · {card.level.value} · coverage {card.coverage:.4f} "
             f"· weakest {card.weakest}"]
    for category in card.categories:
        score = "not measured" if category.score is None else f"{category.score:.4f}"
        lines += ["", f"## {category.key}: {category.name} (weight {category.weight:g}, "
                      f"score {score})"]
        for item in category.items:
            credit = "-" if item.credit is None else f"{item.credit:.4f}"
            lines.append(f"- {item.id} | {item.title} | {item.status.value} | {credit} "
                         f"| {item.detail}")
    return "\n".join(lines) + "\n"


def _golden(name: str, actual: str) -> None:
    path = DATA / name
    if os.environ.get("MLREADY_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing; run with MLREADY_UPDATE_GOLDEN=1 to write it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (f"{path.name} differs: review the change and regenerate "
                                "with MLREADY_UPDATE_GOLDEN=1")


def test_item_titles_and_details() -> None:
    _golden("items.golden.md", items_text(representative()))


def test_pr_comment() -> None:
    _golden("comment.golden.md", render_comment(representative(), "<!-- mlready -->",
                                                repo_url=REPO, head_sha=SHA))
