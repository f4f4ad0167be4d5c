"""A pull request that tries to choose how it is judged, attack by attack.

Each test is a real git repository in a temporary folder: a base commit on ``main``, a PR
commit on ``pr``; the head's check JSON is written by the real ``mlready check`` run as
the Action's static step runs it (in the working directory, with the PR's own files),
then ``mlready scorecard --base-ref main`` decides. Whatever the PR commits, the verdict
(findings, score, minimum) must be the one the base's settings give, and the card must
say what the PR changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from mlready.cli import main

from .conftest import git

TRAIN = ("import torch\n\n\ndef main(model: torch.nn.Module) -> None:\n"
         "    opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n    print(opt)\n")
GATE = "[tool.mlready.scorecard]\nmin-score = 99\n"


def _commit(root: Path, files: dict[str, str | None], message: str) -> None:
    for name, text in files.items():
        path = root / name
        if text is None:
            git(root, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def _repo(tmp: Path, base: dict[str, str | None], pr: dict[str, str | None]) -> Path:
    root = tmp / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    _commit(root, base, "base")
    git(root, "checkout", "-qb", "pr")
    _commit(root, pr, "pr")
    return root


def _head_check(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    out = project.parent / f"check-{project.name}.json"
    assert main(["check", "--output-format", "json", "--output-file", str(out), "."]) in (0, 1)
    return out


def _card(capsys: pytest.CaptureFixture[str], head: Path, *args: str,
          fmt: str = "json") -> tuple[int, Any, str]:
    capsys.readouterr()
    rc = main(["scorecard", "--check", str(head), "--base-ref", "main", "--format", fmt,
               *args])
    captured = capsys.readouterr()
    return rc, json.loads(captured.out) if fmt == "json" else captured.out, captured.err


def _codes(card: dict[str, Any]) -> list[tuple[str, str, int]]:
    return sorted((d["path"], d["code"], d["line"]) for d in card["findings"]
                  if d["code"] == "MLR101")


def test_a_config_the_pr_adds_in_the_working_directory_is_not_the_project_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A monorepo: the settings live at the repository's root, the Action runs in sub/.
    A PR that adds sub/pyproject.toml moves mlready's project root (and the nearest
    pyproject the scorecard reads) to sub/: neither may take the base's settings away."""
    repo = _repo(tmp_path, {"pyproject.toml": GATE + "[tool.mlready]\nselect = [\"MLR1\"]\n",
                            "sub/train.py": TRAIN},
                 {"sub/pyproject.toml": '[project]\nname = "sub"\nversion = "0"\n'
                                        '[tool.mlready]\nignore = ["MLR101"]\n'})
    head = _head_check(repo / "sub", monkeypatch)
    assert "MLR101" not in head.read_text()  # the PR's own settings hid it
    rc, card, _ = _card(capsys, head)
    assert rc == 1  # the base's min-score = 99, from the repository's root
    assert _codes(card) == [("sub/train.py", "MLR101", 5)]  # root and rules of the base
    assert card["baseline"]["settings_files"] == ["sub/pyproject.toml"]
    assert card["baseline"]["introduced"] == []  # the same as the base, path for path


def test_an_empty_config_the_pr_adds_moves_no_gate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without a single `[tool.mlready]` key (nothing to name as changed), the new file
    still would have hidden the base's min-score."""
    repo = _repo(tmp_path, {"pyproject.toml": GATE, "sub/train.py": TRAIN},
                 {"sub/pyproject.toml": '[project]\nname = "sub"\nversion = "0"\n'})
    head = _head_check(repo / "sub", monkeypatch)
    rc, card, _ = _card(capsys, head)
    assert rc == 1
    assert card["baseline"]["settings_files"] == ["sub/pyproject.toml"]
    _, markdown, _ = _card(capsys, head, fmt="markdown")
    assert "`sub/pyproject.toml`" in markdown


def test_a_pr_that_deletes_a_subfolder_config_is_judged_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The reverse move: the base's project root is sub/; the PR deletes its pyproject,
    so the head's root climbs to the repository's, whose settings are laxer."""
    repo = _repo(tmp_path, {"pyproject.toml": '[tool.mlready]\nignore = ["MLR1"]\n',
                            "sub/pyproject.toml": GATE, "sub/train.py": TRAIN},
                 {"sub/pyproject.toml": None})
    head = _head_check(repo / "sub", monkeypatch)
    assert "MLR101" not in head.read_text()
    rc, card, _ = _card(capsys, head)
    assert rc == 1
    assert _codes(card) == [("train.py", "MLR101", 5)]  # relative to sub/, as the base
    assert card["baseline"]["settings_files"] == ["pyproject.toml"]


def test_a_pr_without_a_merge_base_is_judged_with_the_base_branch_tip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A history that shares no commit with the base (or a checkout too shallow to hold
    one) costs the comparison, never the base's settings."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    _commit(root, {"pyproject.toml": GATE, "train.py": TRAIN}, "base")
    git(root, "checkout", "-q", "--orphan", "pr")
    _commit(root, {"pyproject.toml": '[tool.mlready]\nignore = ["MLR101"]\n'
                                     "[tool.mlready.scorecard]\nmin-score = 0\n"}, "orphan")
    head = _head_check(root, monkeypatch)
    rc, card, err = _card(capsys, head)
    assert rc == 1
    assert _codes(card) == [("train.py", "MLR101", 5)]
    assert "no merge base with main; judged with the settings of its tip" in err


NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a1",
                       "metadata": {}, "outputs": [],
                       "source": ["import torch\n", 'state = torch.load("model.pt")']}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _noqa_pr(tmp: Path, pr: dict[str, str | None]) -> Path:
    nb = json.dumps(NOTEBOOK, indent=1) + "\n"
    return _repo(tmp, {"pyproject.toml": "[tool.mlready]\n", "train.py": TRAIN,
                       "explore.ipynb": nb}, pr)


def _silenced(card: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((d["path"], d["code"]) for d in card["baseline"]["silenced"])


@pytest.mark.parametrize(("pr", "expected"), [
    pytest.param({"explore.ipynb": json.dumps(NOTEBOOK, indent=1).replace(
        'pt\\")"', 'pt\\")  # noqa: MLR301"') + "\n"},
        [("explore.ipynb", "MLR301")], id="notebook-cell"),
    pytest.param({"new.py": TRAIN.replace("lr=1e-3)", "lr=1e-3)  # noqa")},
                 [("new.py", "MLR101")], id="new-file"),
    pytest.param({"train.py": "# mlready: noqa: MLR1\n" + TRAIN},
                 [("train.py", "MLR101")], id="file-level"),
    pytest.param({"train.py": TRAIN.replace("print(opt)", 'print(opt, "#noqa")')
                  .replace("lr=1e-3)", "lr=1e-3)  # noqa")},
                 [("train.py", "MLR101")], id="noqa-in-a-string-too"),
])
def test_new_noqa_comments_of_every_kind_are_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        pr: dict[str, str | None], expected: list[tuple[str, str]]) -> None:
    repo = _noqa_pr(tmp_path, pr)
    head = _head_check(repo, monkeypatch)
    _, card, _ = _card(capsys, head)
    assert _silenced(card) == expected  # and nothing else: no syntax error, no MLR000


def test_a_noqa_that_only_moves_with_its_line_is_not_new(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    noqa = TRAIN.replace("lr=1e-3)", "lr=1e-3)  # noqa: MLR101")
    repo = _repo(tmp_path, {"train.py": noqa, "pyproject.toml": "[tool.mlready]\n"},
                 {"train.py": '"""Train."""\n\n' + noqa})
    head = _head_check(repo, monkeypatch)
    _, card, _ = _card(capsys, head)
    assert card["baseline"]["silenced"] == []


def test_the_noqa_recheck_is_never_answered_by_the_heads_own_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The cache stays on for the re-check with the comments disarmed: a reuse keyed by
    the file's path or stat (the memo, the project index) would answer it with the head's
    own report, which silences nothing; a reuse keyed by anything but the bytes would
    keep answering after the PR's next commit."""
    repo = _noqa_pr(tmp_path, {"train.py": TRAIN.replace("lr=1e-3)", "lr=1e-3)  # noqa")})
    head = _head_check(repo, monkeypatch)
    assert main(["check", "."]) == 1  # the head's run, remembered, as warm as it gets
    for _ in range(2):  # the Action's calls
        _, card, _ = _card(capsys, head)
        assert _silenced(card) == [("train.py", "MLR101")]
    assert list((repo / ".mlready_cache").iterdir())  # the cache was used at all
    # Nor did the re-check teach the head's own runs its disarmed text.
    again = json.loads(_head_check(repo, monkeypatch).read_text())
    assert "MLR101" not in {d["code"] for d in again["diagnostics"]}
    # The PR's next commit: the noqa now silences nothing.
    _commit(repo, {"train.py": TRAIN.replace("print(opt)", "print(opt)  # noqa")}, "next")
    head = _head_check(repo, monkeypatch)
    _, card, _ = _card(capsys, head)
    assert card["baseline"]["silenced"] == []
    assert _codes(card) == [("train.py", "MLR101", 5)]


def _emptied(folder: Path) -> int:
    """Every finding taken out of the cache entries under ``folder`` (a crafted cache)."""
    done = 0
    for entry in folder.rglob("*.json"):
        try:
            data = json.loads(entry.read_text())
        except ValueError:  # the project index: a table line, then one line per value
            continue
        for table in (data, data.get("result") if isinstance(data, dict) else None):
            if isinstance(table, dict) and table.get("diagnostics"):
                table["diagnostics"] = []
                done += 1
        entry.write_text(json.dumps(data))
    return done


def test_a_cache_the_pr_commits_is_never_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The PR's author checks the head on their machine, empties the findings out of
    the cache that leaves, and commits it where mlready looks (`.mlready_cache/`)."""
    repo = _repo(tmp_path, {"pyproject.toml": GATE, "train.py": TRAIN},
                 {"train.py": TRAIN.replace("print(opt)", "print(opt, 1)")})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "author"))
    _head_check(repo, monkeypatch)
    assert _emptied(repo / ".mlready_cache") > 0
    capsys.readouterr()
    assert main(["check", "."]) in (0, 1)  # the crafted cache works for its author ...
    assert "MLR101" not in capsys.readouterr().out
    (repo / ".gitignore").write_text("")  # ... and is committed (its own .gitignore: *)
    git(repo, "add", "-f", ".mlready_cache")
    git(repo, "commit", "-qm", "cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ci"))  # ... but not on CI
    head = _head_check(repo, monkeypatch)
    rc, card, _ = _card(capsys, head)
    assert rc == 1 and _codes(card) == [("train.py", "MLR101", 5)]


def test_a_gitignore_the_pr_adds_hides_no_committed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": GATE, "train.py": TRAIN},
                 {".gitignore": "*.py\ntrain.py\n"})
    head = _head_check(repo, monkeypatch)
    rc, card, _ = _card(capsys, head)
    assert rc == 1 and _codes(card) == [("train.py", "MLR101", 5)]


def test_hostile_keys_stay_one_code_span_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    hostile = ('[tool.mlready.per-file-ignores]\n'
               '"a\\nb`c|d](https://x.example) @org/team <!-- #1" = ["MLR101"]\n')
    repo = _repo(tmp_path, {"pyproject.toml": "[tool.mlready]\n", "train.py": TRAIN},
                 {"pyproject.toml": hostile})
    head = _head_check(repo, monkeypatch)
    _, text, _ = _card(capsys, head, fmt="markdown")
    (line,) = [x for x in text.splitlines() if "changes mlready's settings" in x]
    tokens = MarkdownIt("commonmark", {"html": True}).parseInline(line)[0].children or []
    assert [t.type for t in tokens if t.type in ("html_inline", "link_open")] == []
    (key,) = [t.content for t in tokens if t.type == "code_inline"]
    assert key.startswith("per-file-ignores.a b`c") and "@\u200dorg" in key


def test_the_runner_file_given_to_run_config_is_named_when_the_pr_changes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The Action's `config` input may name a TOML file of its own for the runner: the
    runtime checks ran with the PR's copy, so the card says which keys it changed."""
    repo = _repo(tmp_path, {"pyproject.toml": "[tool.mlready]\n", "train.py": TRAIN,
                            "ci/runner.toml": 'train = "python train.py"\ntolerance = 0.1\n'},
                 {"ci/runner.toml": 'train = "python train.py"\ntolerance = 0.9\n'})
    head = _head_check(repo, monkeypatch)
    _, card, _ = _card(capsys, head, "--runner-config", "ci/runner.toml")
    assert card["baseline"]["runner_settings_changed"] == ["runner.tolerance"]
    assert card["baseline"]["settings_changed"] == []  # nothing the verdict reads
    _, card, _ = _card(capsys, head)
    assert card["baseline"]["runner_settings_changed"] == []  # not named: not read


def test_a_runner_file_the_pr_turns_into_a_link_is_compared_as_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The PR replaces the runner file with a link to a laxer file the base already has:
    the runtime step read the laxer settings, so the keys that differ from the base's
    ``ci/runner.toml`` are named (comparing the link's target with itself named none)."""
    strict = 'train = "python train.py"\ntolerance = 0.1\n'
    repo = _repo(tmp_path, {"pyproject.toml": "[tool.mlready]\n", "train.py": TRAIN,
                            "ci/runner.toml": strict,
                            "ci/quick.toml": 'train = "python train.py"\ntolerance = 0.9\n'},
                 {"notes.txt": "linked\n"})
    (repo / "ci" / "runner.toml").unlink()
    (repo / "ci" / "runner.toml").symlink_to("quick.toml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    head = _head_check(repo, monkeypatch)
    _, card, _ = _card(capsys, head, "--runner-config", "ci/runner.toml")
    assert card["baseline"]["runner_settings_changed"] == ["runner.tolerance"]


@pytest.mark.parametrize("setting", [
    'extend-exclude = ["train.py"]',
    'exclude = ["*.py"]',
    "max-file-size = 0.0001",
    'per-file-ignores = {"*" = ["ALL"]}',
    "respect-gitignore = false\nforce-exclude = true",
])
def test_each_key_that_hides_a_file_or_a_finding_is_the_bases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        setting: str) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": GATE, "train.py": TRAIN},
                 {"pyproject.toml": GATE + f"[tool.mlready]\n{setting}\n"})
    head = _head_check(repo, monkeypatch)
    rc, card, _ = _card(capsys, head)
    assert rc == 1 and _codes(card) == [("train.py", "MLR101", 5)]
    assert card["baseline"]["settings_changed"]


def test_a_pyproject_the_pr_turns_into_a_link_is_judged_by_the_bases_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The PR replaces ``pyproject.toml`` with a link to a file the base already has,
    whose settings hide every finding: the base's ``pyproject.toml`` judges, not the
    base's copy of the link's target."""
    lax = GATE + '[tool.mlready]\nper-file-ignores = {"*" = ["ALL"]}\n'
    repo = _repo(tmp_path, {"pyproject.toml": GATE, "train.py": TRAIN,
                            "configs/lax.toml": lax}, {"notes.txt": "linked\n"})
    (repo / "pyproject.toml").unlink()
    (repo / "pyproject.toml").symlink_to("configs/lax.toml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    head = _head_check(repo, monkeypatch)
    rc, card, _ = _card(capsys, head)
    assert rc == 1 and _codes(card) == [("train.py", "MLR101", 5)]
    assert card["baseline"]["settings_changed"]
