"""The pre-commit hooks for real: `pre-commit try-repo` installs mlready from a copy of
this working tree into its own environment, runs a hook on a user repository with a
finding, fails, and passes once the finding is fixed.

Slow (pre-commit pip-installs the package: ~30-60 s), but it is the only test that
proves the hooks file, the package's dependencies and the console script work
together the way users will run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlready.hooks.rules import FAMILIES

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
HOOK_FIELDS = {"id", "name", "entry", "language", "description", "types", "types_or", "files",
               "pass_filenames", "require_serial", "minimum_pre_commit_version"}


def test_hooks_file_is_well_formed() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = [hook["id"] for hook in hooks]
    # `mlready` first, then one hook per rule family, each once (`python -m mlready.dev
    # new-rule` adds the hook of a new family): seeds, hparams, config, deps, types,
    # checkpoints, docs, notebooks
    assert ids[0] == "mlready" and len(ids) == len(set(ids))
    assert set(ids) == {"mlready", *(f"mlready-{family}" for family in FAMILIES)}
    for hook in hooks:
        assert set(hook) <= HOOK_FIELDS, hook["id"]
        assert hook["language"] == "python" and hook["require_serial"] is True
        assert hook["entry"].startswith("mlready check --force-exclude")
        assert "MLR000" not in hook["entry"], hook["id"]  # always on: never appended by hand
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["mlready-deps"]["pass_filenames"] is False
    assert by_id["mlready-config"]["pass_filenames"] is False
    assert by_id["mlready-seeds"]["types_or"] == ["python", "jupyter"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def _snapshot(into: Path) -> Path:
    """A committed copy of the package as it is in this working tree (try-repo only
    sees committed and modified-tracked files, not new ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z", "--", "mlready", "pyproject.toml",
         "README.md", ".pre-commit-hooks.yaml"], cwd=REPO, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (REPO / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, into / name)
    _git(into, "init", "-q")
    _git(into, "add", "-A")
    _git(into, "commit", "-q", "-m", "snapshot")
    return into


def _try_repo(hook_repo: Path, user: Path, hook: str,
              home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(hook_repo), hook, "--all-files"],
                          cwd=user, env=env, capture_output=True, text=True, check=False,
                          timeout=600)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_try_repo_fails_on_a_finding_then_passes(tmp_path: Path) -> None:
    hook_repo = _snapshot(tmp_path / "mlready")
    user = tmp_path / "user"
    user.mkdir()
    (user / "train.py").write_text(
        "import torch\n\nopt = torch.optim.Adam([], lr=3e-4)\n", encoding="utf-8")
    _git(user, "init", "-q")
    _git(user, "add", "-A")

    failed = _try_repo(hook_repo, user, "mlready-hparams", tmp_path / "home")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "train.py:3:31: MLR101 `torch.optim.Adam(lr=3e-4)`" in failed.stdout
    assert "Found 1 error." in failed.stdout

    (user / "train.py").write_text(
        "import torch\n\n\ndef build(lr: float) -> torch.optim.Optimizer:\n"
        "    return torch.optim.Adam([], lr=lr)\n", encoding="utf-8")
    _git(user, "add", "-A")
    passed = _try_repo(hook_repo, user, "mlready-hparams", tmp_path / "home")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "mlready (hyper-parameters)" in passed.stdout and "Passed" in passed.stdout
