"""How often `mlready init --probe --yes` writes a runner config that passes smoke unedited.

For each project: copy it (corpus repositories through ``make-project.sh``, never run in
place; our own variations are written by `_variations` into a temporary folder), run
``mlready init --probe --yes`` on the copy, then ``mlready run --only smoke`` with the
written config, unedited. Prints one row per project: what init found, the smoke
outcome (``pass``, ``fail``, or ``env`` when the runner classified the failure as the
environment's: a missing module, torchvision's binary mismatch, a GPU), the number of
checks run, the runner's overhead as a share of the commands' time, and the edit a user
still has to make.

    python bench/bench_init.py [--corpus ../shared/corpus] [NAME ...]

Run it with the interpreter whose packages the projects need (numpy, gymnasium,
tensorboard, einops): ``{python}`` in the written commands is that interpreter.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

# Corpus repositories whose training runs on a CPU with small flags, and the data file a
# user would have to provide first (created here, as a user would).
CORPUS = ("karpathy__makemore", "ikostrikov__pytorch-a2c-ppo-acktr-gail", "openai__spinningup",
          "Kaixhin__Rainbow", "karpathy__llm.c", "eric-mitchell__direct-preference-optimization",
          "openai__improved-diffusion", "lucidrains__denoising-diffusion-pytorch")
_NAMES = ("emma", "olivia", "ava", "isabella", "sophia", "mia", "charlotte", "amelia",
          "harper", "evelyn", "liam", "noah", "oliver", "elijah", "james", "william")

_TINY_TRAIN = '''{doc}
{imports}
import os

import torch


def train(steps: int = 50, seed: int = 0, out: str = "out") -> None:
    torch.manual_seed(seed)
    x = torch.randn(256, 4)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0])
    w = torch.zeros(4, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.05)
    for step in range(steps):
        loss = ((x @ w - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        {log}
    os.makedirs(out, exist_ok=True)
    torch.save({{"w": w.detach(), "step": steps}}, os.path.join(out, "ckpt_%d.pt" % steps))
'''

_GUARD = '\nif __name__ == "__main__":\n'
_ARGPARSE = ('    p = argparse.ArgumentParser()\n    p.add_argument("--max-steps", type=int, '
             'default=50)\n    p.add_argument("--seed", type=int, default=0)\n'
             '    p.add_argument("--out-dir", default="out")\n    a = p.parse_args()\n'
             '    train(a.max_steps, a.seed, a.out_dir)\n')
_CARTPOLE = '''"""REINFORCE on CartPole: an RL script whose objective is a return, maximised."""
import argparse

import gymnasium as gym
import torch

p = argparse.ArgumentParser()
p.add_argument("--total-timesteps", type=int, default=20000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--log-dir", default="runs")
a = p.parse_args()
torch.manual_seed(a.seed)
env = gym.make("CartPole-v1")
policy = torch.nn.Sequential(torch.nn.Linear(4, 32), torch.nn.Tanh(), torch.nn.Linear(32, 2))
optimizer = torch.optim.Adam(policy.parameters(), lr=0.02)
t, episode = 0, 0
while t < a.total_timesteps:
    obs, _ = env.reset(seed=a.seed + episode)
    logps, rewards, done = [], [], False
    while not done:
        dist = torch.distributions.Categorical(logits=policy(torch.as_tensor(obs)))
        action = dist.sample()
        logps.append(dist.log_prob(action))
        obs, reward, terminated, truncated, _ = env.step(action.item())
        rewards.append(float(reward))
        done = terminated or truncated
        t += 1
    returns = torch.tensor([sum(rewards[i:]) for i in range(len(rewards))])
    loss = -(torch.stack(logps) * (returns - returns.mean())).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    episode += 1
    print(f"episode {episode} timesteps {t} return {sum(rewards):.1f}")
'''


def _tiny(doc: str, imports: str, log: str) -> str:
    return _TINY_TRAIN.format(doc=f'"""{doc}"""', imports=imports, log=log)


# name -> files: small training projects, written the ways others write theirs.
_VARIANTS: dict[str, dict[str, str]] = {
    "own-argparse-guard": {"train.py": _tiny(
        "argparse, step | loss lines.", "import argparse",
        'print(f"step {step} | loss {loss.item():.4f}")') + _GUARD + _ARGPARSE},
    "own-no-guard": {"train.py": _tiny(
        "argparse, no __main__ block.", "import argparse",
        'print("iter %d: loss %.5f" % (step, loss.item()))') + _ARGPARSE.replace(
        "    ", "").replace("--max-steps", "--iters").replace("a.max_steps", "a.iters")},
    "own-click": {"train.py": _tiny(
        "click, HF-style dict lines.", "import click",
        'print({"loss": round(loss.item(), 5), "step": step})')
        + '\n@click.command()\n@click.option("--num-steps", type=int, default=50)\n'
          '@click.option("--seed", type=int, default=0)\n'
          '@click.option("--output-dir", default="out")\n'
          "def main(num_steps, seed, output_dir):\n    train(num_steps, seed, output_dir)\n"
        + _GUARD + "    main()\n"},
    "own-fire": {"train.py": _tiny(
        "fire, Epoch [a/b], Step [c/d], Loss: lines.", "import fire",
        'print(f"Epoch [0/1], Step [{step}/{steps}], Loss: {loss.item():.4f}")')
        + _GUARD + "    fire.Fire(train)\n"},
    "own-tyro": {"train.py": _tiny(
        "tyro dataclass.", "import dataclasses\n\nimport tyro",
        'print(f"it={step} loss={loss.item():.4f}")')
        + "\n@dataclasses.dataclass\nclass Args:\n    max_steps: int = 50\n    seed: int = 1\n"
          '    output_dir: str = "out"\n' + _GUARD
        + "    args = tyro.cli(Args)\n    train(args.max_steps, args.seed, args.output_dir)\n"},
    "own-typer": {"train.py": _tiny(
        "typer, a log line every 50 steps.", "import typer",
        'if step % 50 == 0:\n            print(f"step {step} loss {loss.item():.4f}")')
        + '\ndef main(steps: int = 500, seed: int = 0, out_dir: str = "out") -> None:\n'
          "    train(steps, seed, out_dir)\n" + _GUARD + "    typer.run(main)\n"},
    "own-hydra": {"train.py": _tiny(
        "hydra config.", "import hydra",
        'print(f"step: {step}, train/loss: {loss.item():.4f}")')
        + '\n@hydra.main(version_base=None, config_path="conf", config_name="config")\n'
          "def main(cfg):\n    train(cfg.trainer.max_steps, cfg.seed, cfg.out)\n"
        + _GUARD + "    main()\n",
        "conf/config.yaml": "seed: 0\nout: ckpt\ntrainer:\n  max_steps: 100\n"},
    "own-jsonl": {"train.py": _tiny(
        "metrics through mlready.log_metrics.", "import argparse\n\nimport mlready",
        "mlready.log_metrics(step=step, loss=loss.item())") + _GUARD + _ARGPARSE},
    "own-gpu-and-cpu": {
        "train_fp8.py": _tiny("GPU-only: FP8.", "import argparse", "pass") + _GUARD
        + "    assert torch.cuda.is_available()\n    dtype = torch.float8_e4m3fn\n" + _ARGPARSE,
        "train_cpu.py": _tiny("CPU.", "import argparse",
                              'print(f"step {step} loss {loss.item():.3f}")') + _GUARD
        + _ARGPARSE},
    "own-cartpole": {"train.py": _CARTPOLE},
}


def _make_variant(name: str, dest: Path) -> Path:
    for rel, text in _VARIANTS[name].items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


@dataclass
class Row:
    name: str
    found: str
    smoke: str
    checks: int
    overhead: float | None
    commands_s: float
    edit: str


def _make_corpus(corpus: Path, name: str, dest: Path) -> Path:
    subprocess.run([str(corpus / "make-project.sh"), name, str(dest)], check=True,
                   capture_output=True, text=True)
    if name == "karpathy__makemore":  # the data file a user brings
        (dest / "names.txt").write_text("\n".join(_NAMES * 40) + "\n", encoding="utf-8")
    return dest


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, "", "timed out")


def bench_one(project: Path, name: str, timeout: float) -> Row:
    mlready = [sys.executable, "-m", "mlready"]
    done = _run([*mlready, "init", str(project), "--probe", "--yes",
                 "--probe-timeout", str(timeout)], project.parent, timeout * 3)
    pyproject = project / "pyproject.toml"
    runner = {}
    if pyproject.is_file():
        runner = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get(
            "mlready", {}).get("runner", {})
    if "train" not in runner:
        return Row(name, "no entrypoint", "-", 0, None, 0.0,
                   "write `train` (no training script found)" if done.returncode == 0
                   else f"init exit {done.returncode}")
    results = project.parent / f"{name}-results.json"
    _run([*mlready, "run", str(project), "--only", "smoke", "--output", str(results)],
         project.parent, timeout * 2)
    try:
        report = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Row(name, runner["train"], "error", 0, None, 0.0, "mlready run wrote no results")
    checks = report.get("checks", [])
    smoke = next((c for c in checks if c.get("check") == "smoke"), {})
    outcome = str(smoke.get("outcome", "?"))
    if smoke.get("reason") == "environment" or "environment" in str(smoke.get("reason", "")):
        outcome = "env"
    commands = float(report.get("commands_wall_s", 0.0))
    total = float(report.get("duration_s", 0.0))
    overhead = (total - commands) / commands if commands > 0 else None
    edit = "" if outcome == "pass" else str(smoke.get("summary", ""))[:200]
    return Row(name, runner["train"][:60], outcome, len(checks), overhead, commands, edit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    names = args.names or [*_VARIANTS, *CORPUS]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-init-") as work:
        for name in names:
            dest = Path(work) / name
            start = time.monotonic()
            project = _make_variant(name, dest) if name in _VARIANTS else _make_corpus(
                args.corpus, name, dest)
            row = bench_one(project, name, args.timeout)
            rows.append(row)
            share = f"{row.overhead:.1%}" if row.overhead is not None else "-"
            print(f"{name:<48} {row.smoke:<6} checks={row.checks} overhead={share:<6} "
                  f"({time.monotonic() - start:.0f}s)  {row.found}  {row.edit}", flush=True)
            shutil.rmtree(dest, ignore_errors=True)
    ran = [r for r in rows if r.smoke not in ("-", "env")]
    passed = [r for r in rows if r.smoke == "pass"]
    env = [r for r in rows if r.smoke == "env"]
    print(f"\nunedited configs passing smoke: {len(passed)}/{len(rows)} "
          f"({len(passed)}/{len(ran)} of those that can run here; environment: {len(env)}; "
          f"no entrypoint: {sum(r.smoke == '-' for r in rows)})")
    shares = [r.overhead for r in rows if r.overhead is not None]
    if shares:
        print(f"runner overhead / command time: median {sorted(shares)[len(shares) // 2]:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
