"""A PR's own mlready settings and new ``noqa`` comments: judged with the base's, counted.

Real git repositories in temporary folders (a base commit and a PR commit), the head's
check JSON written by the real ``mlready check`` with the PR's settings (as the Action's
static step does), then ``mlready scorecard --base-ref`` through the CLI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from mlready.cli import main
from mlready.scorecard.pr_noqa import disarm
from mlready.scorecard.pr_settings import changed_keys

from .conftest import git

DATA = Path(__file__).parent / "data"
BASE_PYPROJECT = ('[project]\nname = "demo"\nversion = "0.1"\n\n'
                  "[tool.mlready.scorecard]\nmin-score = 99\n")
PR_PYPROJECT = ('[project]\nname = "demo"\nversion = "0.1"\n\n'
                '[tool.mlready]\nignore = ["MLR101"]\n'
                'per-file-ignores = {"requirements.txt" = ["MLR201"]}\n\n'
                "[tool.mlready.scorecard]\nmin-score = 0\nweights = {documentation = 0}\n\n"
                "[tool.mlready.runner]\ntolerance = 0.5\n")
TRAIN = ("import torch\n\n\ndef main(model: torch.nn.Module) -> None:\n"
         "    opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n    print(opt)\n")
TRAIN_PR = ("import torch\n\n\ndef main(model: torch.nn.Module) -> None:\n"
            "    opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
            "    sgd = torch.optim.SGD(model.parameters(), lr=0.1)  # noqa: MLR101\n"
            "    ada = torch.optim.Adagrad(model.parameters(), lr=0.5)  # noqa\n"
            "    print(opt, sgd, ada)\n")


def _repo(root: Path, pr_pyproject: str = PR_PYPROJECT, pr_train: str = TRAIN_PR) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(BASE_PYPROJECT)
    (root / "requirements.txt").write_text("torch\n")
    (root / "train.py").write_text(TRAIN)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "pr")
    (root / "pyproject.toml").write_text(pr_pyproject)
    (root / "train.py").write_text(pr_train)
    git(root, "commit", "-qam", "pr")
    return root


def _head_check(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The head's check JSON with the PR's own settings (the Action's static step)."""
    monkeypatch.chdir(repo)
    out = repo.parent / "check.json"
    assert main(["check", "--output-format", "json", "--output-file", str(out), "."]) in (0, 1)
    return out


def _card(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["scorecard", *args])
    return rc, capsys.readouterr().out


def test_with_a_base_the_head_is_judged_with_the_base_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    head = _head_check(repo, monkeypatch)
    codes = {d["code"] for d in json.loads(head.read_text())["diagnostics"]}
    assert not codes & {"MLR101", "MLR201"}  # the PR's own settings hid them
    rc, text = _card(capsys, "--check", str(head), "--base-ref", "main", "--format", "json")
    card = json.loads(text)
    assert rc == 1  # the base's min-score = 99 holds, not the PR's 0
    found = sorted((d["code"], d["line"]) for d in card["findings"]
                   if d["code"] in ("MLR101", "MLR201"))
    assert found == [("MLR101", 5), ("MLR201", 1)]  # the noqa'd lines 6, 7 stay silent
    documentation = next(c for c in card["categories"] if c["key"] == "documentation")
    assert documentation["weight"] == 10  # the base's weight, not the PR's 0
    baseline = card["baseline"]
    assert baseline["settings_changed"] == [
        "ignore", "per-file-ignores.requirements.txt", "scorecard.min-score",
        "scorecard.weights.documentation"]
    assert baseline["runner_settings_changed"] == ["runner.tolerance"]
    assert sorted((d["code"], d["line"]) for d in baseline["silenced"]) == [
        ("MLR101", 6), ("MLR101", 7)]
    assert baseline["introduced"] == []  # the silenced ones are counted, not listed


def test_the_card_says_so_in_one_line_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    head = _head_check(repo, monkeypatch)
    _, text = _card(capsys, "--check", str(head), "--base-ref", "main")
    lines = [line for line in text.splitlines() if line.startswith("- \u26a0\ufe0f **This PR")]
    golden = DATA / "pr-settings.golden.md"
    if os.environ.get("MLREADY_UPDATE_GOLDEN"):
        golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "\n".join(lines) + "\n" == golden.read_text(encoding="utf-8")


def test_without_a_base_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    head = _head_check(repo, monkeypatch)
    rc, text = _card(capsys, "--check", str(head), "--format", "json")
    card = json.loads(text)
    assert rc == 0  # the PR's own min-score = 0
    assert not {d["code"] for d in card["findings"]} & {"MLR101", "MLR201"}
    assert card["baseline"] is None
    _, markdown = _card(capsys, "--check", str(head))
    assert "This PR" not in markdown


def test_a_pr_that_changes_no_settings_gets_no_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo", pr_pyproject=BASE_PYPROJECT + "\n# a comment\n",
                 pr_train=TRAIN.replace("print(opt)", "print(opt, 1)"))
    head = _head_check(repo, monkeypatch)
    _, text = _card(capsys, "--check", str(head), "--base-ref", "main", "--format", "json")
    baseline = json.loads(text)["baseline"]
    assert (baseline["settings_changed"], baseline["runner_settings_changed"],
            baseline["silenced"]) == ([], [], [])
    _, markdown = _card(capsys, "--check", str(head), "--base-ref", "main")
    assert "This PR" not in markdown


def test_hostile_keys_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    hostile = (BASE_PYPROJECT + "\n[tool.mlready.per-file-ignores]\n"
               '"<img src=x>|`@you`" = ["MLR101"]\n')
    repo = _repo(tmp_path / "repo", pr_pyproject=hostile, pr_train=TRAIN)
    head = _head_check(repo, monkeypatch)
    _, text = _card(capsys, "--check", str(head), "--base-ref", "main")
    (line,) = [x for x in text.splitlines() if "changes mlready's settings" in x]
    # Rendered as GitHub does: one list item whose key is code text, no raw HTML.
    tokens = MarkdownIt("commonmark", {"html": True}).parseInline(line)[0].children or []
    assert not [t for t in tokens if t.type == "html_inline"]
    (key,) = [t.content for t in tokens if t.type == "code_inline"]
    assert key.startswith("per-file-ignores.<img src=x>") and key.endswith("`@\u200dyou`")


def test_a_pr_that_deletes_the_settings_file_is_judged_with_the_base(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo", pr_train=TRAIN)
    git(repo, "rm", "-q", "pyproject.toml")
    git(repo, "commit", "-qm", "no settings")
    head = _head_check(repo, monkeypatch)
    rc, text = _card(capsys, "--check", str(head), "--base-ref", "main", "--format", "json")
    assert rc == 1  # the base's min-score still holds
    assert json.loads(text)["baseline"]["settings_changed"] == ["scorecard.min-score"]


def test_changed_keys() -> None:
    assert changed_keys({"a": 1, "t": {"x": 1, "y": 2}}, {"a": 1, "t": {"x": 2, "y": 2}}) \
        == ["t.x"]
    assert changed_keys({}, {"runner": {"steps": 4, "env": {"A": "1"}}}) \
        == ["runner.env.A", "runner.steps"]
    assert changed_keys({"t": {"x": 1}}, {"t": 5}) == ["t"]
    assert changed_keys({}, {"t": {}}) == ["t"]
    assert changed_keys({"t": {"x": 1}}, {"t": {"x": 1}}) == []


def test_only_noqa_comments_on_changed_lines_are_disarmed() -> None:
    text = ('a = 1  # noqa: MLR101\nb = "#noqa"  # NOQA\n# mlready: noqa: MLR2\r\nc = 3\n')
    assert disarm(text, {2, 3, 4}) == ('a = 1  # noqa: MLR101\nb = "#____"  # ____\n'
                                       "# mlready: ____: MLR2\r\nc = 3\n")
    assert disarm(text, {4, 99}) is None


def test_mlready_ci_with_a_base_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    out = tmp_path / "results"
    monkeypatch.chdir(tmp_path)
    assert main(["ci", str(repo), "--mode", "static", "-o", str(out), "--base-ref", "main"]) == 0
    card = json.loads((out / "scorecard.json").read_text())
    assert card["baseline"]["settings_changed"][0] == "ignore"
    assert "MLR101" in {d["code"] for d in card["findings"]}
    assert "**This PR changes mlready's settings**" in (out / "scorecard.md").read_text()
    assert main(["ci", str(repo), "--mode", "static", "-o", str(tmp_path / "plain")]) == 0
    plain = json.loads((tmp_path / "plain" / "scorecard.json").read_text())
    assert plain["baseline"] is None
    assert "MLR101" not in {d["code"] for d in plain["findings"]}


def test_a_head_that_cannot_be_checked_with_the_base_settings_is_not_scored_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Fail closed: the static half is then not measured, never judged by the PR's own."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[tool.mlready]\nselect = ["MLR999"]\n')
    (root / "train.py").write_text(TRAIN)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base with a selector this mlready rejects")
    git(root, "checkout", "-qb", "pr")
    (root / "pyproject.toml").write_text("[tool.mlready]\n")
    git(root, "commit", "-qam", "pr")
    head = _head_check(root, monkeypatch)
    capsys.readouterr()
    assert main(["scorecard", "--check", str(head), "--base-ref", "main",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "mlready scorecard: scoring without the static half: " in captured.err
    card = json.loads(captured.out)
    assert card["inputs"]["static"] is False and card["findings"] == []
