"""Benchmarks for `mlready run`: runner overhead and checkpoint-comparison memory.

1. Overhead: runs ``mlready run`` on the bundled example (a subprocess, the way users
   run it) and compares its wall time with the summed wall time of the commands it
   started (``commands_wall_s`` in the results file). Budget: overhead <= 5% of total.
2. Memory: compares two synthetic checkpoints of ``--ckpt-mb`` MB each, the way the
   reproducibility and resume checks do, in a fresh process, and reports the peak
   growth of anonymous memory (what comparing needs) and of total RSS (which also
   counts the memory-mapped checkpoint pages the kernel may drop at will), each
   against the size of the larger checkpoint. Budget: <= 2x.

Usage: python bench/bench_runner.py [--project examples/charlm] [--ckpt-mb 128] [--skip-run]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEMORY_PROBE = r"""
import json, sys, threading, time
from pathlib import Path

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0

import torch
from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import checkpoint_compare

a, b = Path(sys.argv[1]), Path(sys.argv[2])
base_anon, base_hwm = status("RssAnon"), status("VmHWM")
peak = {"anon": base_anon}
stop = threading.Event()

def sample():
    while not stop.is_set():
        peak["anon"] = max(peak["anon"], status("RssAnon"))
        time.sleep(0.002)

thread = threading.Thread(target=sample, daemon=True)
thread.start()
start = time.perf_counter()
diffs = checkpoint_compare.compare(ckpt.load(a), ckpt.load(b))
elapsed = time.perf_counter() - start
stop.set()
thread.join()
peak["anon"] = max(peak["anon"], status("RssAnon"))
print(json.dumps({"anon_growth": peak["anon"] - base_anon,
                  "hwm_growth": status("VmHWM") - base_hwm, "seconds": elapsed,
                  "differing": {k: v.differing for k, v in diffs.items()}}))
"""

MAKE_CKPTS = r"""
import sys, torch
mb, out = int(sys.argv[1]), sys.argv[2]
g = torch.Generator().manual_seed(0)
n = mb * 2**20 // 4 // 8
model = {f"layer{i}.weight": torch.randn(n, generator=g) for i in range(8)}
state = {"model": model, "optimizer": {"state": {}, "param_groups": []}, "step": 10}
torch.save(state, f"{out}/a.pt")
model["layer7.weight"][0] += 1.0
torch.save(state, f"{out}/b.pt")
"""


def bench_overhead(project: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "mlready", "run", str(project), "--output",
                               str(out), "--no-progress"], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        wall = time.monotonic() - start
        if not out.is_file():
            print(proc.stdout + proc.stderr)
            raise SystemExit(f"mlready run wrote no results (exit {proc.returncode})")
        data = json.loads(out.read_text())
    commands = float(data["commands_wall_s"])
    inside = float(data["duration_s"]) - commands
    ratio = (wall - commands) / wall
    print(f"project:               {project}")
    print(f"exit code:             {proc.returncode}")
    print(f"commands run:          {len(data['runs'])} "
          f"({', '.join(r['id'] for r in data['runs'])})")
    print(f"mlready run wall:      {wall:.2f} s")
    print(f"sum of command walls:  {commands:.2f} s")
    print(f"overhead in process:   {inside:.2f} s (checks, checkpoint loads, spawning)")
    print(f"overhead incl. start:  {wall - commands:.2f} s (+ interpreter and CLI import)")
    print(f"overhead ratio:        {ratio:.2%} (budget 5%)")
    return ratio


def bench_memory(mb: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-c", MAKE_CKPTS, str(mb), tmp], check=True,
                       capture_output=True)
        largest = max((Path(tmp) / n).stat().st_size for n in ("a.pt", "b.pt"))
        proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE, f"{tmp}/a.pt",
                               f"{tmp}/b.pt"], check=True, capture_output=True, text=True,
                              cwd=ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    anon = result["anon_growth"] / largest
    hwm = result["hwm_growth"] / largest
    print(f"checkpoint size:       {largest / 2**20:.0f} MB (x2 files)")
    print(f"compare time:          {result['seconds']:.2f} s; differing: {result['differing']}")
    print(f"anon memory growth:    {result['anon_growth'] / 2**20:.1f} MB = {anon:.2f}x "
          "the largest checkpoint (budget 2x)")
    print(f"peak RSS growth:       {result['hwm_growth'] / 2**20:.1f} MB = {hwm:.2f}x "
          "(includes page-cache pages of the two mmapped files)")
    return anon


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT / "examples" / "charlm")
    parser.add_argument("--ckpt-mb", type=int, default=128)
    parser.add_argument("--skip-run", action="store_true")
    args = parser.parse_args()
    ok = True
    if not args.skip_run:
        ok = bench_overhead(args.project) <= 0.05
    if args.ckpt_mb:
        ok = bench_memory(args.ckpt_mb) <= 2.0 and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
