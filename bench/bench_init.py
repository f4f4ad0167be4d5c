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

_TINY_TRAIN = '''"""A tiny regression trained with {cli}."""
{imports}
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
    import os
    os.makedirs(out, exist_ok=True)
    torch.save({{"w": w.detach(), "step": steps}}, os.path.join(out, "ckpt_%d.pt" % steps))
'''

_VARIANTS = {
    "own-argparse-guard": ("argparse", "import argparse",
                           'print(f"step {step} | loss {loss.item():.4f}")',
                           '\nif __name__ == "__main__":\n    p = argparse.ArgumentParser()\n'
                           '    p.add_argument("--max-steps", type=int, default=50)\n'
                           '    p.add_argument("--seed", type=int, default=0)\n'
                           '    p.add_argument("--out-dir", default="out")\n'
                           '    a = p.parse_args()\n    train(a.max_steps, a.seed, a.out_dir)\n'),
    "own-no-guard": ("argparse, no __main__ block", "import argparse",
                     'print("iter %d: loss %.5f" % (step, loss.item()))',
                     '\np = argparse.ArgumentParser()\np.add_argument("--iters", type=int, '
                     'default=50)\np.add_argument("--seed", type=int, default=0)\n'
                     'p.add_argument("--save_dir", default="out")\na = p.parse_args()\n'
                     'train(a.iters, a.seed, a.save_dir)\n'),
    "own-click": ("click", "import click",
                  'print({"loss": round(loss.item(), 5), "step": step})',
                  '\n@click.command()\n@click.option("--num-steps", type=int, default=50)\n'
                  '@click.option("--seed", type=int, default=0)\n'
                  '@click.option("--output-dir", default="out")\n'
                  'def main(num_steps, seed, output_dir):\n'
                  '    train(num_steps, seed, output_dir)\n\n'
                  'if __name__ == "__main__":\n    main()\n'),
    "own-fire": ("fire", "import fire",
                 'print(f"Epoch [0/1], Step [{step}/{steps}], Loss: {loss.item():.4f}")',
                 '\nif __name__ == "__main__":\n    fire.Fire(train)\n'),
}


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


def _make_variant(name: str, dest: Path) -> Path:
    cli, imports, log, tail = _VARIANTS[name]
    dest.mkdir(parents=True)
    text = _TINY_TRAIN.format(cli=cli, imports=imports, log=log) + tail
    (dest / "train.py").write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
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
    edit = "" if outcome == "pass" else str(smoke.get("summary", ""))[:90]
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
