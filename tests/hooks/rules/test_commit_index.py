"""MLR501 and MLR612 read the index a commit hook is given, in real `git commit`s.

``git commit -a`` and ``git commit <paths>`` stage into a temporary index and run the
pre-commit hook with ``GIT_INDEX_FILE`` naming it; ``.git/index`` still holds what was
staged before. A notebook that git is committing with its outputs (no filter driver in
this clone) must be reported then, not excused because ``.git/index`` has an older blob.
Each hook here is the real thing: a ``.git/hooks/pre-commit`` script running the
installed console script, or pre-commit itself running the ``mlready-notebooks`` entry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from project_files import NOTEBOOK_WITH_OUTPUT, write

from mlready.cli import main

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
FILTER = "*.ipynb filter=nbstripout\n"
CLEAN = json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                               "source": ["x = 1"], "outputs": []}],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def run_git(root: Path, *args: str, home: Path,
            extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """git as a user runs it: a clean environment (none of this test run's ``GIT_*``),
    the cache key under ``home``."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PATH": f"{BIN}:/usr/bin:/bin:/usr/local/bin", "HOME": str(home),
           "XDG_CACHE_HOME": str(home / "xdg"), "PRE_COMMIT_HOME": str(home / "pre-commit"),
           "PRE_COMMIT_COLOR": "never", **(extra or {})}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=False, env=env, timeout=300)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def repository(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[Path, Path]:
    """A repository with ``files`` committed, and a home folder outside it."""
    root, home = tmp_path / "repo", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    ok(run_git(root, "init", "-q", "-b", "main", home=home))
    write(root, files)
    ok(run_git(root, "add", "-A", home=home))
    ok(run_git(root, "commit", "-q", "-m", "init", home=home))
    return root, home


def hook(root: Path, *flags: str) -> None:
    """A ``.git/hooks/pre-commit`` that runs ``mlready check`` on the whole project."""
    script = root / ".git" / "hooks" / "pre-commit"
    script.write_text(f"#!/bin/sh\nexec '{BIN / 'mlready'}' check {' '.join(flags)} .\n",
                      encoding="utf-8")
    script.chmod(0o755)


def commits(root: Path, home: Path) -> int:
    return int(ok(run_git(root, "rev-list", "--count", "HEAD", home=home)))


def check(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> list[str]:
    capsys.readouterr()
    main(["check", "--output-format", "json", *flags, str(root)])
    return [f"{d['path']} {d['code']}" for d in json.loads(capsys.readouterr().out)
            ["diagnostics"]]


@pytest.mark.parametrize("how", [("-a",), ("nb.ipynb",)], ids=["commit -a", "commit paths"])
def test_a_commit_that_stages_outputs_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], how: tuple[str, ...]) -> None:
    """A clean notebook committed, then run: not staged yet, the filter line excuses it
    (and that run is remembered). ``git commit -a`` stages its outputs (no driver here):
    the hook reports it and the commit does not happen."""
    root, home = repository(tmp_path, {"nb.ipynb": CLEAN, ".gitattributes": FILTER})
    hook(root, "--select", "MLR501")
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT})
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg"))  # the hook's cache, so its memo
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    assert check(root, capsys, "--select", "MLR501") == []
    done = run_git(root, "commit", "-q", "-m", "ran it", *how, home=home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "nb.ipynb:cell 1:1:1: MLR501" in done.stderr  # git sends a hook's output there
    assert commits(root, home) == 1
    # The real index is as it was: outside the commit the notebook is still excused.
    assert check(root, capsys, "--select", "MLR501") == []


def test_a_commit_the_installed_filter_strips_goes_through(tmp_path: Path) -> None:
    """With the driver ``nbstripout --install`` defines, ``git commit -a`` stages the
    stripped blob, which differs from the file: no finding, the commit is made, clean."""
    root, home = repository(tmp_path, {"nb.ipynb": CLEAN, ".gitattributes": FILTER})
    ok(run_git(root, "config", "filter.nbstripout.clean", f"'{sys.executable}' -m nbstripout",
               home=home))
    ok(run_git(root, "config", "filter.nbstripout.smudge", "cat", home=home))
    hook(root, "--select", "MLR501")
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT.replace('"x = 1"', '"x = 2"')})
    ok(run_git(root, "commit", "-q", "-a", "-m", "ran it", home=home))
    assert commits(root, home) == 2
    blob = json.loads(ok(run_git(root, "show", "HEAD:nb.ipynb", home=home)))
    assert blob["cells"][0]["outputs"] == [] and blob["cells"][0]["source"] == ["x = 2"]
    blob = json.loads(ok(run_git(root, "show", "HEAD:nb.ipynb", home=home)))
    assert blob["cells"][0]["outputs"] == [] and blob["cells"][0]["source"] == ["x = 2"]


def test_a_model_file_grown_past_the_floor_is_seen_at_commit_time(tmp_path: Path) -> None:
    """MLR612 reads sizes from the same index: a tracked checkpoint that grew from 50 KB
    to 200 KB is committed at 200 KB by ``git commit -a``."""
    root, home = repository(tmp_path, {"model.pt": b"\0" * 50_000, "train.py": "x = 1\n"})
    hook(root, "--select", "MLR612")
    (root / "model.pt").write_bytes(b"\0" * 200_000)
    done = run_git(root, "commit", "-q", "-a", "-m", "retrained", home=home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "model.pt:1:1: MLR612" in done.stderr and "195 KB" in done.stderr
    assert commits(root, home) == 1


def test_pre_commit_runs_the_notebooks_hook_on_the_commits_index(tmp_path: Path) -> None:
    """pre-commit passes ``GIT_INDEX_FILE`` through to its hooks (its ``no_git_env`` is
    only for the git calls it makes itself) and runs them at the top of the work tree:
    the ``mlready-notebooks`` entry, as `.pre-commit-hooks.yaml` declares it, run from
    this environment's console script, fixes the notebook git was about to commit."""
    entry = next(h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
                 if h["id"] == "mlready-notebooks")
    config = {"repos": [{"repo": "local", "hooks": [{
        **{k: entry[k] for k in ("id", "name", "types", "require_serial")},
        "entry": entry["entry"].replace("mlready", str(BIN / "mlready"), 1),
        "language": "system"}]}]}
    root, home = repository(tmp_path, {"nb.ipynb": CLEAN, ".gitattributes": FILTER,
                                       ".pre-commit-config.yaml": yaml.safe_dump(config)})
    ok(subprocess.run([str(BIN / "pre-commit"), "install"], cwd=root, capture_output=True,
                      text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home / "pc")},
                      check=False))
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT.replace('"x = 1"', '"x = 2"')})
    done = run_git(root, "commit", "-q", "-a", "-m", "ran it", home=home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "mlready (notebooks)" in done.stderr and "Failed" in done.stderr
    assert commits(root, home) == 1
    # The fix stripped the working file; the next `git commit -a` takes it clean.
    assert json.loads((root / "nb.ipynb").read_text("utf-8"))["cells"][0]["outputs"] == []
    ok(run_git(root, "commit", "-q", "-a", "-m", "ran it", home=home))
    assert commits(root, home) == 2
    blob = json.loads(ok(run_git(root, "show", "HEAD:nb.ipynb", home=home)))
    assert blob["cells"][0]["outputs"] == [] and blob["cells"][0]["source"] == ["x = 2"]


def test_a_relative_index_is_read_from_the_top_of_the_work_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As git reads it: ``GIT_INDEX_FILE=.git/alt`` from a subfolder is ``<top>/.git/alt``
    (git changes to the top of the work tree before it reads the index)."""
    root, home = repository(tmp_path, {"nb.ipynb": CLEAN, ".gitattributes": FILTER,
                                       "sub/a.py": "x = 1\n"})
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT})
    (root / ".git" / "alt").write_bytes((root / ".git" / "index").read_bytes())
    ok(run_git(root / "sub", "add", "../nb.ipynb", home=home, extra={"GIT_INDEX_FILE": ".git/alt"}))
    monkeypatch.chdir(root / "sub")
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/alt")
    assert check(root, capsys, "--select", "MLR501", "--no-cache") == ["nb.ipynb MLR501"]


def test_an_index_outside_this_repositorys_git_folder_is_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``GIT_INDEX_FILE`` left by another repository's hook names that repository's
    index: this one's own is read (the notebook it holds with outputs stays reported)."""
    root, home = repository(tmp_path, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT,
                                       ".gitattributes": FILTER})
    other = tmp_path / "other"
    other.mkdir()
    ok(run_git(other, "init", "-q", home=home))
    write(other, {"a.py": "x = 1\n"})
    ok(run_git(other, "add", "a.py", home=home))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert check(root, capsys, "--select", "MLR501", "--no-cache") == ["nb.ipynb MLR501"]
