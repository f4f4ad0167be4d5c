"""A fix written during a commit does not reach it: git commits the index, not the
working tree. pre-commit fails a hook that changed files by itself; a plain git hook
(`.git/hooks/pre-commit`) passes `--exit-non-zero-on-fix` (ruff's flag) to stop the
commit until the fix is staged. Nothing is guessed from the environment: lint-staged and
lefthook also run inside a plain git hook and stage fixes themselves (found in review)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mlready.cli import main

SOURCE = ("import torch\n\n\ndef restore(model: torch.nn.Module) -> None:\n"
          "    model.load_state_dict(torch.load('ckpt.pt'))\n")
FIXED = SOURCE.replace("'ckpt.pt')", "'ckpt.pt', weights_only=True)")


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def outside_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    monkeypatch.delenv("PRE_COMMIT", raising=False)


@pytest.mark.usefixtures("outside_git")
def test_exit_non_zero_on_fix_fails_a_run_that_fixed_everything(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "restore.py").write_text(SOURCE, encoding="utf-8")
    args = ["check", "--no-cache", "--select", "MLR301", str(tmp_path)]
    assert main([*args, "--fix", "--exit-non-zero-on-fix"]) == 1
    assert (tmp_path / "restore.py").read_text(encoding="utf-8") == FIXED
    assert "Found 1 finding (1 fixed, 0 remaining)." in capsys.readouterr().out
    assert main([*args, "--fix", "--exit-non-zero-on-fix"]) == 0  # nothing left to fix
    (tmp_path / "restore.py").write_text(SOURCE, encoding="utf-8")
    assert main([*args, "--fix"]) == 0  # without the flag: all fixed is a pass, as ruff
    (tmp_path / "restore.py").write_text(SOURCE, encoding="utf-8")
    assert main([*args, "--fix-only", "--exit-non-zero-on-fix"]) == 1
    assert main([*args, "--fix-only", "--exit-non-zero-on-fix"]) == 0


@pytest.mark.usefixtures("outside_git")
def test_inside_a_git_hook_without_the_flag_all_fixed_still_passes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lint-staged runs `mlready check --fix` in a plain git hook and stages what it
    fixed: failing there would make it throw the fix away on every commit."""
    (tmp_path / "restore.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / ".git" / "index"))
    args = ["check", "--no-cache", "--select", "MLR301", str(tmp_path)]
    assert main([*args, "--fix"]) == 0
    (tmp_path / "restore.py").write_text(SOURCE, encoding="utf-8")
    assert main([*args, "--fix-only", "--exit-non-zero-on-fix", "--exit-zero"]) == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_plain_git_hook_stops_the_commit_until_the_fix_is_staged(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "restore.py").write_text(SOURCE, encoding="utf-8")
    assert _git(repo, "init", "-q").returncode == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m mlready check --fix "
                    "--exit-non-zero-on-fix --select MLR301 restore.py\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k not in ("PRE_COMMIT", "GIT_INDEX_FILE")}
    env["MLREADY_CACHE_DIR"] = str(tmp_path / "cache")
    _git(repo, "add", "restore.py")

    stopped = _git(repo, "commit", "-q", "-m", "first", env=env)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "Found 1 finding (1 fixed, 0 remaining)." in stopped.stderr  # git: hook out -> err
    assert _git(repo, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # no commit
    assert (repo / "restore.py").read_text(encoding="utf-8") == FIXED

    _git(repo, "add", "restore.py")
    done = _git(repo, "commit", "-q", "-m", "first", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _git(repo, "show", "HEAD:restore.py").stdout == FIXED
