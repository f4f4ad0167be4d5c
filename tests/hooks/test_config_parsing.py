"""Valid config files are never reported as broken: tagged YAML and JSON-with-comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_yaml_with_application_tags_parses(project: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (project / "mkdocs.yml").write_text(
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    (project / "hparams.yaml").write_text("betas: !!python/tuple [0.9, 0.999]\n")
    (project / "stack.yaml").write_text("Bucket: !Ref MyBucket\nList: !Split [',', 'a,b']\n")
    assert main(["check", ".", "--select", "MLR000", "--no-cache"]) == 0
    assert capsys.readouterr().out == "All checks passed!\n"


def test_json_with_comments_of_editor_tooling_is_not_checked(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".vscode").mkdir()
    (project / ".vscode" / "settings.json").write_text('{\n  // editor\n  "a": 1\n}\n')
    (project / "tsconfig.json").write_text('{\n  /* ts */\n}\n')
    (project / "data.json").write_text('{\n  "a": 1,\n}\n')
    assert main(["check", ".", "--select", "MLR000", "--no-cache"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == ["data.json:3:1"]
    assert lines[0].startswith("data.json:3:1: MLR000 invalid JSON: ")


def test_broken_yaml_is_still_a_finding_on_its_line(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "train.yaml").write_text("lr: 0.1\nlayers: [1, 2\n")
    assert main(["check", ".", "--select", "MLR000", "--no-cache"]) == 1
    assert capsys.readouterr().out.startswith("train.yaml:3:1: MLR000 invalid YAML: ")
