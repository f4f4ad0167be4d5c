"""A real git repository with a base and a head commit, for the baseline tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false",
                           *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1"\n')
    (root / "requirements.txt").write_text("torch\n")
    (root / "train.py").write_text(
        "import torch\n\n\ndef main(model: torch.nn.Module) -> None:\n"
        "    opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n    print(opt)\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    (root / "requirements.txt").write_text("torch==2.1.0\n")  # fixes MLR201
    (root / "train.py").write_text(  # shifts MLR101 down two lines, adds MLR102
        '"""Train."""\n\nimport torch\n\n\n'
        "def main(model: torch.nn.Module, data: list[int]) -> None:\n"
        "    opt = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
        "    loader = torch.utils.data.DataLoader(data, batch_size=64)\n"
        "    print(opt, loader)\n")
    git(root, "commit", "-qam", "head")
    return root
