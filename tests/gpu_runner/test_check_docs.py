"""The docs' check tables are generated from the declarations and up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mlready.gpu_runner.checks import REGISTRY, _docs
from mlready.gpu_runner.checks.__main__ import main


def test_generated_check_tables_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0, capsys.readouterr().err


def test_every_declared_reason_and_check_is_in_the_tables() -> None:
    reasons = _docs.reasons_table()
    plan_table = _docs.run_plan()
    for check in REGISTRY:
        assert f"| {check.id} |" in reasons
        assert all(f"`{code}`" in reasons for code in check.reasons)
        assert f"- **{check.id}**: {check.verdict}" in _docs.verdicts()
        assert all(f"`{run}`" in plan_table for run in check.needs)


def test_a_stale_block_is_reported_and_rewritten(tmp_path: Path) -> None:
    for name in _docs.BLOCKS:
        (tmp_path / name).write_text(_docs.DOCS.joinpath(name).read_text(encoding="utf-8"))
    page = tmp_path / "run-json.md"
    page.write_text(page.read_text().replace("| smoke | `no_metrics`", "| smoke | `gone`"))
    rendered = _docs.render(tmp_path)
    current, text = rendered[page]
    assert current != text and "| smoke | `no_metrics`" in text
    assert all(c == t for path, (c, t) in rendered.items() if path != page)


def test_a_page_without_its_block_is_named(tmp_path: Path) -> None:
    for name in _docs.BLOCKS:
        (tmp_path / name).write_text("# nothing generated here\n")
    with pytest.raises(ValueError, match=r"run-json\.md: no <!-- checks:reasons:start -->"):
        _docs.render(tmp_path)


def test_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "mlready.gpu_runner.checks", "--check"],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_one_generator_rebuilds_the_check_tables(tmp_path: Path) -> None:
    from mlready.dev.generate import ROOT, generate

    for name in ("README.md", ".pre-commit-hooks.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in _docs.BLOCKS:
        (docs / name).write_text((ROOT / "docs" / name).read_text(encoding="utf-8"))
    page = docs / "scorecard.md"
    page.write_text(page.read_text().replace("| `smoke` | Model", "| `smoke` | Other"))
    assert generate(check=True, root=tmp_path) == [page]
    assert generate(root=tmp_path) == [page]
    assert "| `smoke` | Model & training quality |" in page.read_text()
    assert generate(check=True, root=tmp_path) == []
