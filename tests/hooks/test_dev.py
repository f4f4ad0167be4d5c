"""``python -m mlready.dev``: one generator for everything derived, and the rule scaffold
(run for real in a copy of the package, as a newcomer would run them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mlready.dev.generate import ROOT, generate
from mlready.dev.new_rule import Scaffold, register

REPO = Path(__file__).resolve().parents[2]


def test_committed_outputs_are_current_and_generate_is_idempotent() -> None:
    assert ROOT == REPO
    assert generate(check=True) == []  # nothing stale: generating would change nothing


def test_register_adds_to_a_family_or_a_new_one() -> None:
    source = (REPO / "mlready/hooks/rules/__init__.py").read_text(encoding="utf-8")
    added = register(source, Scaffold("MLR113", "config-thing", "config"))
    assert '"duplicate_config_key", "config_thing",\n' in added
    # a family no engineer has made (training, logging and repo exist or are coming)
    fresh = register(source, Scaffold("MLR980", "fresh-family-rule", "fresh"))
    assert '    "fresh": ("fresh_family_rule",),  # MLR9xx\n}\n' in fresh


def _copy(into: Path) -> Path:
    shutil.copytree(REPO / "mlready", into / "mlready",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, into / name)
    (into / "tests/fixtures/rules").mkdir(parents=True)
    return into


def _dev(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # run from the copy: ``-m`` puts the current folder first, so the copy is imported
    return subprocess.run([sys.executable, "-m", "mlready.dev", *args], cwd=root,
                          capture_output=True, text=True, timeout=120)


def test_new_rule_in_a_new_family_then_generate(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = _dev(root, "new-rule", "MLR980", "fresh-family-rule", "--family", "fresh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:5] == [
        "wrote: mlready/hooks/rules/fresh/__init__.py",
        "wrote: mlready/hooks/rules/fresh/fresh_family_rule.py",
        "wrote: tests/fixtures/rules/MLR980.py",
        "wrote: mlready/hooks/rules/__init__.py",
        "wrote: .pre-commit-hooks.yaml"]
    module = (root / "mlready/hooks/rules/fresh/fresh_family_rule.py").read_text()
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Options",
                    "References"):
        assert f"## {section}\n" in module
    assert "# error: MLR980 " in (root / "tests/fixtures/rules/MLR980.py").read_text()
    assert _dev(root, "generate", "--check").returncode == 1  # index and README are stale
    done = _dev(root, "generate")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote: mlready/hooks/rules/_index.py\nwrote: README.md\n"
    assert ('("fresh.fresh_family_rule", "MLR980", "fresh-family-rule", "warning", "fresh"'
            in (root / "mlready/hooks/rules/_index.py").read_text())
    readme = (root / "README.md").read_text()
    assert "| MLR980 | `fresh-family-rule` | fresh | warning | yes |" in readme
    assert "`mlready-fresh`" in readme
    assert _dev(root, "generate", "--check").returncode == 0  # and once is enough
    shown = subprocess.run([sys.executable, "-m", "mlready", "rule", "MLR980"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert shown.stdout.startswith("# fresh-family-rule (MLR980)\n"), shown.stderr


def test_new_rule_refuses_a_taken_code(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = _dev(root, "new-rule", "MLR101", "some-name", "--family", "hparams")
    assert (done.returncode, done.stderr) == (
        2, "error: MLR101 `some-name`: code or name already taken\n")
