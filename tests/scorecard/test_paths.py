"""Project paths versus repository paths (a project in a sub-directory)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.scorecard.paths import repo_prefix
from mlready.scorecard.render.annotations import render as render_annotations

from .factories import card, diag, static


def test_repo_prefix(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ml" / "proj").mkdir(parents=True)
    assert repo_prefix(tmp_path) == ""
    assert repo_prefix(tmp_path / "ml" / "proj") == "ml/proj/"


def test_no_repository_means_no_prefix(tmp_path: Path) -> None:
    assert repo_prefix(tmp_path) == ""  # a temporary directory is in no repository


def test_annotations_use_repository_paths() -> None:
    findings = [diag("a.py", 1, "MLR101", "one"), diag("b.py", 4, "MLR101", "two")]
    out = render_annotations(card(static(*findings)), {"ml/b.py": {4}}, prefix="ml/")
    assert out.splitlines()[0].startswith("::warning file=ml/b.py,line=4,")


def test_cli_links_with_the_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    data = {"schema_version": 1, "kind": "check", "root": str(tmp_path / "gone"),
            "diagnostics": [diag("train.py", 3).to_json()]}
    Path("check.json").write_text(json.dumps(data))
    assert main(["scorecard", "--check", "check.json", "--repo-url", "https://github.com/o/r",
                 "--head-sha", "a" * 40, "--path-prefix", "/ml/proj/"]) == 0
    assert f"https://github.com/o/r/blob/{'a' * 40}/ml/proj/train.py#L3" in \
        capsys.readouterr().out
