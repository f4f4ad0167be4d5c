"""`mlready init --probe`: run the proposed train command briefly and learn from it.

The run goes through the runner's own `Session` (same environment variables, working
directory, timeout and kill-the-whole-tree handling as ``mlready run``), so what the
probe saw is what the smoke check will see. From the run it takes:

- the metrics: the ``$MLREADY_METRICS_FILE`` records when the script writes them,
  else a regex derived from the printed lines (`log_regex`), checked on the same log;
- the objective and its direction, and whether it improved over the run (the smoke
  check's rule: mean of the last quarter of values against the first quarter);
- the checkpoint glob: the newest checkpoint-like file under ``{run_dir}``, its digits
  turned into ``*`` (``ckpt_20.pt`` -> ``ckpt_*.pt``); none: ``checkpoint = false``;
- why it could not run, in the runner's words (an environment outcome such as a
  missing module is told apart from the script failing).

Where the script saves is unknown until it has run, so every checkpoint-like file of
the project (by its name: ``.pt``, ``.ckpt``, ``.safetensors``...) is copied aside before
the probe run and put back after it (`mlready.gpu_runner.originals`): a probe must not
overwrite last week's model with a twenty-step one.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner import failures, outside
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.memory import gpu_count
from mlready.gpu_runner.metrics import RegexTooSlow, Trajectory, parse_regex
from mlready.gpu_runner.originals import CannotKeep
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.session import Session
from mlready.init.log_regex import derive

_CHECKPOINT = re.compile(r"\.(pt|pth|ckpt|bin|safetensors|pkl|pickle|zip|npz|h5|tar)$|"
                         r"checkpoint|ckpt", re.I)
_MAX_TOTAL_STEPS = 100_000


@dataclass(frozen=True)
class Finding:
    """What one probe run showed, and the keys it settles."""

    ok: bool  # the command exited 0 within the timeout
    summary: str  # one line for the user
    steps: int
    wall_s: float
    settled: dict[str, Any] = field(default_factory=dict)  # metrics, objective, checkpoint...
    improved: bool | None = None
    records: int = 0
    environment: bool = False  # cannot run here (missing module, needs a GPU...)
    wrote_in_project: tuple[str, ...] = ()  # new files in the project folder, not {run_dir}


def improved(values: list[float], direction: str) -> bool | None:
    """The smoke check's verdict on a series: None with fewer than two values."""
    if len(values) < 2:
        return None
    window = max(1, len(values) // 4)
    start, end = statistics.fmean(values[:window]), statistics.fmean(values[-window:])
    return end < start if direction == "minimize" else end > start


def checkpoint_glob(run_dir: Path) -> str | None:
    """``{run_dir}/...`` glob of the newest checkpoint-like file the run left, if any."""
    found = [p for p in run_dir.rglob("*") if p.is_file() and _CHECKPOINT.search(p.name)]
    if not found:
        return None
    newest = max(found, key=lambda p: (p.stat().st_mtime, str(p)))
    rel = newest.relative_to(run_dir).as_posix()
    return "{run_dir}/" + re.sub(r"\d+", "*", rel)


def _files(root: Path, limit: int = 20_000) -> set[str]:
    """Paths under ``root`` (``.git`` left out), at most ``limit`` of them."""
    found: set[str] = set()
    for path in root.rglob("*"):
        inner = path.parts[len(root.parts):]
        if inner[:1] == (".git",) or "__pycache__" in inner:
            continue  # git's own files; Python's bytecode caches of imported modules
        found.add(path.relative_to(root).as_posix())
        if len(found) >= limit:
            break
    return found


def _new_top_level(before: set[str], after: set[str]) -> tuple[str, ...]:
    """The new files and folders, each folder named once (``outputs/`` not its files)."""
    tops = sorted({p.split("/")[0] + ("/" if "/" in p else "") for p in after - before
                   if p.split("/")[0] not in before})
    return tuple(tops)


def _objective(trajectory: Trajectory) -> tuple[str, str] | None:
    names = trajectory.names
    losses = [n for n in names if "loss" in n.lower()]
    if losses:
        return min(losses, key=lambda n: (n != "loss", len(n))), "minimize"
    rewards = [n for n in names if re.search(r"reward|return|acc|score", n, re.I)]
    return (rewards[0], "maximize") if rewards else None


def run(root: Path, table: dict[str, Any], steps: int, timeout: float) -> Finding:
    """Run ``table``'s train command once for ``steps`` and read what it did."""
    probe_table = {**table, "steps": steps, "timeout": timeout, "metrics": "jsonl",
                   "checkpoint": False}
    probe_table.pop("resume", None)
    config = runner_config.from_table(probe_table, root / "pyproject.toml", root)
    device = "cuda" if config.device == "cuda" or (config.device == "auto" and gpu_count()) \
        else "cpu"
    before = _files(root)
    work = tempfile.mkdtemp(prefix="mlready-init-")
    failed: list[str] = []
    try:
        return _probe(root, config, device, steps, Path(work), before, failed)
    finally:
        if not failed:  # else the work folder holds the originals it names: kept
            shutil.rmtree(work, ignore_errors=True)


def _probe(root: Path, config: RunnerConfig, device: str, steps: int, work: Path,
           before: set[str], failed: list[str]) -> Finding:
    """The probe run itself, in ``work``; ``failed`` gets why a file was not put back."""
    session = Session(config, device, work, Progress(1, enabled=False),
                      needs_torch=False)
    # The probe cannot know where the script saves: every checkpoint-like file of the
    # project is kept aside and put back, as `mlready run` does with its glob's.
    found = outside.signatures((root / p for p in sorted(before)
                                if _CHECKPOINT.search(p.rsplit("/", 1)[-1])), work)
    try:
        session.originals.keep(found, root)
    except CannotKeep as exc:
        return Finding(False, f"{exc}; nothing was run", steps, 0.0)
    try:
        outcome = session.run("ref")
    finally:
        failed += session.originals.restore()[1]
    if failed:
        return Finding(False, "; ".join(failed), steps, 0.0)
    wrote = _new_top_level(before, _files(root))
    proc = outcome.process
    wall = proc.wall_s if proc is not None else 0.0
    if outcome.problem is not None:
        tail = proc.tail if proc is not None else ""
        env = failures.environment(tail)
        return Finding(False, outcome.problem.summary, steps, wall,
                       environment=env is not None)
    settled: dict[str, Any] = {}
    trajectory = outcome.trajectory
    if trajectory.records:
        settled["metrics"] = "jsonl"
    else:
        assert outcome.log_path is not None
        lines = outcome.log_path.read_text(encoding="utf-8",
                                           errors="replace").splitlines()
        derived = derive(lines)
        if derived is None:
            return Finding(True, "the run printed no loss, reward or accuracy: log one "
                                 "with mlready.log_metrics(step=..., loss=...)",
                           steps, wall, wrote_in_project=wrote)
        try:
            trajectory = parse_regex(outcome.log_path, re.compile(derived.regex), 5.0)
        except RegexTooSlow:
            trajectory = Trajectory()
        settled["metrics"] = derived.regex
    chosen = _objective(trajectory)
    glob = checkpoint_glob(outcome.run_dir)
    settled["checkpoint"] = glob if glob is not None else False
    if chosen is None:
        return Finding(True, f"metrics {', '.join(trajectory.names)} hold no loss or "
                             "reward; set `objective`", steps, wall, settled,
                       records=len(trajectory.records), wrote_in_project=wrote)
    name, direction = chosen
    settled.update({"objective": name, "direction": direction})
    values = [v for _, v in trajectory.series(name)]
    verdict = improved(values, direction)
    trend = {True: "improved", False: "did not improve", None: "printed once"}[verdict]
    first = f"{values[0]:.4g} -> {values[-1]:.4g}" if values else ""
    return Finding(True, f"{len(values)} {name} values ({first}), {trend}", steps, wall,
                   settled, verdict, len(values), wrote_in_project=wrote)


def steps_to_try(steps: int, finding: Finding, timeout: float) -> int | None:
    """A longer run worth probing when this one was too short to show a trend (fewer
    than four values, or no improvement) and fast enough: up to 5x, within a quarter of
    the timeout. None: nothing more to learn by running longer."""
    if not finding.ok or (finding.records >= 4 and finding.improved):
        return None
    if finding.wall_s * 5 > timeout / 4 or steps * 5 > _MAX_TOTAL_STEPS:
        return None
    return steps * 5
