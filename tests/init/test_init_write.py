"""`mlready init` writes the runner config only when confirmed, keeps line endings, and
with ``--probe`` proposes a config that passes `mlready run --only smoke` unedited."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlready.cli import main

TINY = '''"""A tiny regression; prints its loss like many scripts do."""
import argparse
import os

import torch


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", default="out")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([1.0, -2.0, 0.5])
    w = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    for step in range(a.max_steps):
        loss = ((x @ w - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"iter {step}: train loss {loss.item():.5f}, lr 0.1")
    os.makedirs(a.out_dir, exist_ok=True)
    torch.save({"w": w.detach(), "step": a.max_steps}, f"{a.out_dir}/ckpt_{a.max_steps}.pt")


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(TINY, encoding="utf-8")
    return tmp_path


def test_without_a_terminal_and_without_yes_it_prints_and_does_not_write(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    assert main(["init", str(project)]) == 0
    out = capsys.readouterr().out
    assert '    train = "{python} train.py --max-steps {steps} --seed {seed} --out-dir ' \
           '{run_dir}"' in out
    assert ("  not written pyproject.toml (no terminal to confirm): rerun with --yes to write "
            "it, or paste it into pyproject.toml") in out
    assert (project / "pyproject.toml").read_text() == '[project]\nname = "demo"\n'


@pytest.mark.parametrize(("answer", "written"), [("y", True), ("n", False)])
def test_on_a_terminal_it_asks(project: Path, answer: str, written: bool) -> None:
    """A real pseudo-terminal: the question is asked only where someone can answer."""
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(  # nothing else to ask about
        f"repos:\n- repo: {_hook_repo()}\n  rev: x\n  hooks:\n  - id: mlready\n")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "mlready", "init", str(project)],
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    seen = b""
    while b"Write it to pyproject.toml?" not in seen:
        chunk = os.read(leader, 4096)
        assert chunk, seen
        seen += chunk
    os.write(leader, answer.encode() + b"\n")
    try:
        while os.read(leader, 4096):
            pass
    except OSError:  # the terminal closed with the process
        pass
    assert proc.wait(timeout=60) == 0
    assert ("[tool.mlready.runner]" in (project / "pyproject.toml").read_text()) is written


def _hook_repo() -> str:
    from mlready.github import pins

    return pins.HOOK_REPO


def test_edits_keep_crlf_line_endings(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b'[project]\r\nname = "demo"\r\n')
    (project / ".pre-commit-config.yaml").write_bytes(
        b"# mine\r\nrepos:\r\n- repo: local\r\n  hooks:\r\n  - id: x\r\n    name: x\r\n"
        b"    entry: x\r\n    language: system\r\n")
    assert main(["init", str(project), "--yes"]) == 0
    for name in ("pyproject.toml", ".pre-commit-config.yaml"):
        data = (project / name).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n") > 8, (name, data)
    assert (project / "pyproject.toml").read_bytes().startswith(b'[project]\r\nname = "demo"\r\n')
    assert tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mlready"]["runner"]


def test_probe_writes_a_config_that_passes_smoke_unedited(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(project), "--probe", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "  probe      20 steps in " in out
    runner = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mlready"]["runner"]
    assert runner["objective"] == "train_loss"
    assert runner["checkpoint"] == "{run_dir}/ckpt_*.pt"
    assert runner["metrics"] != "jsonl"
    results = project / "results.json"
    main(["run", str(project), "--only", "smoke", "--output", str(results)])
    smoke = json.loads(results.read_text())["checks"][0]
    assert (smoke["check"], smoke["outcome"]) == ("smoke", "pass"), smoke


PLAIN = '''"""No torch: a loss that falls, a model file written where the script runs."""
import argparse

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    for step in range(a.steps):
        print(f"step={step} loss={1.0 / (step + 1):.4f}")
    with open("model.pt", "w") as handle:
        handle.write("weights")
'''


def test_probe_names_files_written_into_the_project_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train.py").write_text(PLAIN, encoding="utf-8")
    assert main(["init", str(tmp_path), "--probe", "--yes"]) == 0
    out = capsys.readouterr().out
    assert ("    # The probe run wrote into the project folder, not {run_dir}: model.pt (give "
            "its output option {run_dir}, or remove them).") in out
    runner = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["mlready"]["runner"]
    assert (runner["objective"], runner["direction"], runner["checkpoint"]) == (
        "loss", "minimize", False)


# Logs every 10 steps and saves only every 500, after a second of start-up: a 20-step
# probe sees two values and no checkpoint, and is too slow to retry longer within the
# timeout. (No torch: the save line never runs in 20 steps; init reads it in the text.)
SAVES_LATER = '''import argparse
import os
import time

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work-dir", default="out")
    a = p.parse_args()
    time.sleep(1.0)
    for step in range(a.max_steps):
        loss = 1.0 / (step + 1)
        if step % 10 == 0:
            print(f"step {step} | loss {loss:.4f}")
        if step > 0 and step % 500 == 0:
            import torch
            torch.save({"step": step}, os.path.join(a.work_dir, "model.pt"))
'''


def test_probe_says_when_it_saw_too_little(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train.py").write_text(SAVES_LATER, encoding="utf-8")
    assert main(["init", str(tmp_path), "--probe", "--yes", "--probe-timeout", "15"]) == 0
    out = capsys.readouterr().out
    assert out.count("  probe      ") == 1, out  # too slow for a longer second probe
    assert ("    # Only 2 loss values in 20 steps: too few for the smoke check's trend to "
            "mean much; raise `steps` until it logs a dozen or more.") in out
    assert ("    # The probe run wrote no checkpoint under {run_dir} in 20 steps, but "
            "train.py saves one (`torch.save`): it may save only later; raise `steps` past "
            "its save interval, then set `checkpoint` to the file (and `resume`).") in out
    runner = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["mlready"]["runner"]
    assert runner["checkpoint"] is False


def test_probe_of_a_script_that_never_saves_says_so_plainly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    never = SAVES_LATER.replace("torch.save(", "print(")
    (tmp_path / "train.py").write_text(never, encoding="utf-8")
    assert main(["init", str(tmp_path), "--probe", "--yes", "--probe-timeout", "15"]) == 0
    out = capsys.readouterr().out
    assert ("    # The probe run wrote no checkpoint under {run_dir}: checkpoint = false (set a "
            "glob if it saves later).") in out


def test_probe_of_an_existing_table_probes_its_own_train_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A user who fixed the train line by hand gets metrics and objective derived for
    *their* command (here `--steps`, which init would not have proposed as is), printed
    to paste; their table, comments included, stays as they wrote it."""
    (tmp_path / "train.py").write_text(PLAIN, encoding="utf-8")
    mine = ('[tool.mlready.runner]\n# my own line\ntrain = "{python} train.py --steps {steps} '
            '--seed {seed}"\nsteps = 12\nmetrics = "jsonl"\n')
    (tmp_path / "pyproject.toml").write_text(mine, encoding="utf-8")
    assert main(["init", str(tmp_path), "--probe", "--yes", "--force"]) == 0
    out = capsys.readouterr().out
    assert "  probe      12 steps in " in out
    assert ("Probed your train command; to use what it derived, set in [tool.mlready.runner] "
            "(not written: the table is yours):\n") in out
    assert "    metrics = '" in out and '    objective = "loss"\n' in out
    assert '    direction = "minimize"\n    checkpoint = false\n' in out
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == mine
    # --force says so in its help, as the README does: it replaces other files, not this.
    capsys.readouterr()
    assert main(["init", "--help"]) == 0
    helped = " ".join(capsys.readouterr().out.split())
    assert ("--force Replace an existing .pre-commit-config.yaml and mlready workflow without "
            "asking. pyproject.toml is only added to: an existing [tool.mlready.runner] is "
            "never rewritten (--probe prints the keys to change).") in helped
    # What it printed loads as the runner's config, and the smoke check passes with it.
    lines = out.split("(not written: the table is yours):\n")[1].splitlines()
    keys = [line.strip() for line in lines if line.startswith("    ") and " = " in line
            and not line.strip().startswith("#")]
    fixed = mine.replace('metrics = "jsonl"\n', "") + "\n".join(keys) + "\n"
    (tmp_path / "pyproject.toml").write_text(fixed, encoding="utf-8")
    results = tmp_path / "results.json"
    main(["run", str(tmp_path), "--only", "smoke", "--output", str(results)])
    smoke = json.loads(results.read_text())["checks"][0]
    assert (smoke["check"], smoke["outcome"]) == ("smoke", "pass"), smoke
