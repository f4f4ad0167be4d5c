"""The bundled example (examples/charlm) and its broken variants, run with their own commands.

These tests call ``train.py`` / ``evaluate.py`` directly (no mlready runner) to pin down
the behaviour the runner relies on: the good example learns, is reproducible, resumes
exactly and reports metrics; each variant under examples/broken exhibits its one fault.

Every training run is a separate process (torch start-up dominates), so all runs are
declared once in `JOBS` and launched together on a small thread pool by a module-scoped
fixture; tests then only read results.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "examples" / "charlm"
BROKEN = REPO / "examples" / "broken"
SMOKE = GOOD / "configs" / "smoke.yaml"
N = 20  # the runner's default `steps`; resume compares 2N with N + resume to 2N
CHECKPOINT_KEYS = {"model", "optimizer", "scheduler", "step", "data", "rng", "config"}


@dataclass(frozen=True)
class Job:
    """One command of the example, run in ``cwd`` with its own output directory."""

    cwd: Path
    script: str
    args: tuple[str, ...]
    after: tuple[str, ...] = ()  # jobs whose outputs this one reads


def train(cwd: Path, steps: int, seed: int = 0, config: Path = SMOKE) -> Job:
    """``train.py`` for ``steps`` steps from scratch."""
    args = ("--config", str(config), "--max-steps", str(steps), "--seed", str(seed))
    return Job(cwd, "train.py", args)


def resume(cwd: Path, source: str) -> Job:
    """``train.py`` to 2N steps, resumed from the checkpoint of job ``source``."""
    args = (*train(cwd, 2 * N).args, "--resume-from", f"{{{source}}}/checkpoint.pt")
    return Job(cwd, "train.py", args, after=(source,))


def evaluate(cwd: Path, name: str, source: str) -> Job:
    """``evaluate.py`` on the checkpoint of job ``source``, writing ``{name}/metrics.json``."""
    args = ("--checkpoint", f"{{{source}}}/checkpoint.pt", "--output", f"{{{name}}}/metrics.json")
    return Job(cwd, "evaluate.py", args, after=(source,))


NAN = BROKEN / "nan_loss"
# name -> job. "{NAME}" in an argument is replaced by the output directory of job NAME.
JOBS: dict[str, Job] = {
    "a": train(GOOD, N),
    "a_again": train(GOOD, N),
    "seed1": train(GOOD, N, seed=1),
    "full": train(GOOD, 2 * N),
    "resumed": resume(GOOD, "a"),
    "eval": evaluate(GOOD, "eval", "a"),
    "nan": train(NAN, 8, config=NAN / "configs" / "smoke.yaml"),
    "unseeded_1": train(BROKEN / "unseeded", 5),
    "unseeded_2": train(BROKEN / "unseeded", 5),
    "no_opt_half": train(BROKEN / "resume_drops_optimizer", N),
    "no_opt_resumed": resume(BROKEN / "resume_drops_optimizer", "no_opt_half"),
    "no_rng_half": train(BROKEN / "resume_drops_rng", N),
    "no_rng_resumed": resume(BROKEN / "resume_drops_rng", "no_rng_half"),
    "empty_eval": evaluate(BROKEN / "eval_no_metrics", "empty_eval", "a"),
}


@dataclass(frozen=True)
class Run:
    """What a finished job left behind."""

    out: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def records(self) -> list[dict[str, Any]]:
        """The JSONL lines written through mlready.log_metrics."""
        path = self.out / "metrics.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    @property
    def losses(self) -> list[float]:
        """Per-step losses from the metrics file (non-finite values come back as floats)."""
        return [float(r["loss"]) for r in self.records]

    def checkpoint(self) -> dict[str, Any]:
        state: dict[str, Any] = torch.load(self.out / "checkpoint.pt", weights_only=True)
        return state


def clean_env(metrics_file: Path) -> dict[str, str]:
    """The test's environment without torchrun/mlready variables, plus a metrics file."""
    inherited = ("MLREADY_", "WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env["MLREADY_METRICS_FILE"] = str(metrics_file)
    env["MLREADY_DEVICE"] = "cpu"  # bitwise comparisons below are a CPU guarantee
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


def execute(job: Job, out: Path, outs: dict[str, Path]) -> Run:
    """Run ``job`` in a fresh process, writing into ``out`` (``{NAME}`` resolved via ``outs``)."""
    out.mkdir(parents=True, exist_ok=True)
    args = [arg.format_map({name: str(path) for name, path in outs.items()}) for arg in job.args]
    if job.script == "train.py":
        args += ["--out", str(out)]
    proc = subprocess.run(
        [sys.executable, job.script, *args],
        cwd=job.cwd,
        env=clean_env(out / "metrics.jsonl"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(out, proc.returncode, proc.stdout, proc.stderr)


class Runs:
    """All `JOBS`, started at once; `get` waits for one."""

    def __init__(self, root: Path) -> None:
        self.outs = {name: root / name for name in JOBS}
        self.futures: dict[str, Future[Run]] = {}
        # FIFO start order: every job's dependencies were submitted (so started) before it.
        self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        for name, job in JOBS.items():
            self.futures[name] = self.pool.submit(self._run, name, job)

    def _run(self, name: str, job: Job) -> Run:
        for dep in job.after:
            if self.futures[dep].result().returncode != 0:
                raise RuntimeError(f"{name}: dependency {dep} failed")
        return execute(job, self.outs[name], self.outs)

    def ok(self, name: str) -> Run:
        """Wait for job ``name`` and assert that it succeeded."""
        run = self.futures[name].result()
        assert run.returncode == 0, f"{name} failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
        return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Every job of the module, started once; tests share the results."""
    all_runs = Runs(tmp_path_factory.mktemp("charlm"))
    yield all_runs
    all_runs.pool.shutdown(wait=True, cancel_futures=True)


def runner_table(project: Path) -> dict[str, Any]:
    """``[tool.mlready.runner]`` of a project's pyproject.toml."""
    table: dict[str, Any] = tomllib.loads((project / "pyproject.toml").read_text())["tool"][
        "mlready"
    ]["runner"]
    return table


def state_equal(a: object, b: object) -> bool:
    """Bitwise equality of nested checkpoint values (tensors, dicts, lists, scalars)."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(state_equal(a[k], b[k]) for k in a)
        )
    if isinstance(a, list | tuple):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        return all(state_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def weights_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Bitwise equality of two state dicts of tensors."""
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# --- the good example ---------------------------------------------------------------


def test_training_reduces_loss(runs: Runs) -> None:
    losses = runs.ok("a").losses
    assert len(losses) == N
    assert all(math.isfinite(x) for x in losses)
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.7 * first, losses


def test_stdout_lines_match_metrics_file(runs: Runs) -> None:
    run = runs.ok("a")
    printed = [line.split() for line in run.stdout.splitlines() if line.startswith("step ")]
    assert [(int(p[1]), float(p[3])) for p in printed] == [
        (r["step"], pytest.approx(r["loss"], abs=1e-6)) for r in run.records
    ]


def test_same_seed_is_bitwise_reproducible(runs: Runs) -> None:
    a, again = runs.ok("a"), runs.ok("a_again")
    assert a.losses == again.losses
    assert weights_equal(a.checkpoint()["model"], again.checkpoint()["model"])


def test_different_seed_differs(runs: Runs) -> None:
    a, other = runs.ok("a"), runs.ok("seed1")
    assert a.losses != other.losses
    assert not weights_equal(a.checkpoint()["model"], other.checkpoint()["model"])


def test_resume_is_exact(runs: Runs) -> None:
    half, resumed, full = runs.ok("a"), runs.ok("resumed"), runs.ok("full")
    assert [r["step"] for r in resumed.records] == list(range(N + 1, 2 * N + 1))
    assert half.losses + resumed.losses == full.losses
    full_state, resumed_state = full.checkpoint(), resumed.checkpoint()
    assert resumed_state["step"] == full_state["step"] == 2 * N
    # Everything, not just the weights: optimizer moments, scheduler, data position, RNGs.
    assert {k: state_equal(full_state[k], resumed_state[k]) for k in full_state} == dict.fromkeys(
        full_state, True
    )
    # 2N steps cross an epoch boundary with the smoke config, so the sampler's
    # mid-epoch restart is exercised, not just a prefix of one permutation.
    assert full_state["data"]["epoch"] >= 1


def test_checkpoint_loads_weights_only_with_the_contract_keys(runs: Runs) -> None:
    state = runs.ok("a").checkpoint()  # torch.load(..., weights_only=True)
    assert state.keys() >= CHECKPOINT_KEYS
    assert state["step"] == N
    assert state["optimizer"]["state"], "AdamW moments are saved"
    assert {"python", "torch"} <= state["rng"].keys()
    assert {"epoch", "batch"} <= state["data"].keys()
    assert state["config"]["train"]["seed"] == 0
    assert state["config"]["train"]["max_steps"] == N


def test_evaluate_writes_numeric_metrics_within_thresholds(runs: Runs) -> None:
    metrics = json.loads((runs.ok("eval").out / "metrics.json").read_text())
    assert isinstance(metrics, dict)
    assert all(isinstance(v, int | float) and math.isfinite(v) for v in metrics.values())
    thresholds = runner_table(GOOD)["thresholds"]
    compare = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}
    for key, rule in thresholds.items():
        op, bound = rule.split()
        assert compare[op](float(metrics[key]), float(bound)), (key, metrics[key], rule)


def test_runner_table_follows_the_contract() -> None:
    runner = runner_table(GOOD)
    assert {"train", "resume", "eval", "checkpoint", "steps", "seed"} <= runner.keys()
    assert runner["train"].startswith("{python} ") and "{checkpoint}" in runner["resume"]
    assert "{metrics_file}" in runner["eval"] and runner["steps"] == N


TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(TORCHRUN is None, reason="torchrun is not installed next to python")
def test_torchrun_two_processes_on_gloo(tmp_path: Path) -> None:
    out = tmp_path / "ddp"
    env = clean_env(tmp_path / "metrics.jsonl")
    proc = subprocess.run(
        [str(TORCHRUN), "--standalone", "--nproc-per-node", "2", "train.py", "--config", str(SMOKE),
         "--max-steps", "4", "--out", str(out)],
        cwd=GOOD, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert sorted(p.name for p in out.glob("checkpoint*.pt")) == ["checkpoint.pt"]
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2, 3, 4], "only rank 0 logs"
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["step"] == 4 and len(state["rng_by_rank"]) == 2


# --- the broken variants: each shows its fault ----------------------------------------


def test_nan_loss_goes_non_finite(runs: Runs) -> None:
    losses = runs.ok("nan").losses
    assert math.isfinite(losses[0])
    assert not all(math.isfinite(x) for x in losses)


def test_unseeded_same_seed_runs_differ(runs: Runs) -> None:
    one, two = runs.ok("unseeded_1"), runs.ok("unseeded_2")
    assert one.losses != two.losses
    assert not weights_equal(one.checkpoint()["model"], two.checkpoint()["model"])


@pytest.mark.parametrize(("half", "resumed", "missing"), [
    ("no_opt_half", "no_opt_resumed", {"optimizer"}),
    ("no_rng_half", "no_rng_resumed", {"rng", "data"}),
])  # fmt: skip
def test_broken_resume_diverges(runs: Runs, half: str, resumed: str, missing: set[str]) -> None:
    good_half, full = runs.ok("a"), runs.ok("full")
    bad_half, bad_resumed = runs.ok(half), runs.ok(resumed)
    assert bad_half.losses == good_half.losses, "training itself is the good example's"
    assert not missing & bad_half.checkpoint().keys()
    assert bad_resumed.losses != full.losses[N:]
    assert not weights_equal(bad_resumed.checkpoint()["model"], full.checkpoint()["model"])


def test_eval_no_metrics_leaves_the_file_empty(runs: Runs) -> None:
    run = runs.ok("empty_eval")
    assert (run.out / "metrics.json").read_text() == ""
    assert "val_loss" in run.stdout, "the metrics were computed, only not written"


def test_every_variant_documents_itself() -> None:
    variants = sorted(p.name for p in BROKEN.iterdir() if (p / "pyproject.toml").exists())
    assert variants == [
        "eval_no_metrics",
        "nan_loss",
        "resume_drops_optimizer",
        "resume_drops_rng",
        "unseeded",
    ]
    for name in variants:
        assert (BROKEN / name / "README.md").read_text().strip()
        assert runner_table(BROKEN / name)["train"].startswith("{python} ")
