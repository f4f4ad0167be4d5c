"""The README's promises: its first two commands, and that CI runs the second one verbatim."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mlready.scorecard.levels import Level, score_text

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None, "README must open with a bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_the_two_commands() -> None:
    assert README.index("```bash") < README.index("## "), "the commands come before any section"
    main_job, tests = _first_commands()
    assert main_job.startswith("pip install ") and "mlready ci examples/charlm" in main_job
    assert tests.startswith("pip install -r requirements-test.txt") and tests.endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = script.split("# readme-test-command:start\n", 1)[1]
    block = block.split("# readme-test-command:end")[0]
    assert block.strip() == _first_commands()[1]


def test_readme_main_command_runs_the_main_job(tmp_path: Path) -> None:
    """The part of command 1 after the install, run with the installed console script."""
    main_job = _first_commands()[0]
    args = main_job.split(" && ", 1)[1].split()
    assert args[0] == "mlready"
    exe = shutil.which("mlready", path=str(Path(sys.executable).parent)) or "mlready"
    out = tmp_path / "results"
    argv = [exe, *args[1:]]
    argv[argv.index("-o") + 1] = str(out)
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for name in ("check.json", "run.json", "scorecard.json", "scorecard.md", "summary.md",
                 "badge.svg"):
        assert (out / name).is_file(), name
    run = json.loads((out / "run.json").read_text())
    outcomes = {c["check"]: c["outcome"] for c in run["checks"]}
    assert outcomes == {"smoke": "pass", "checkpoint": "pass", "eval": "pass",
                        "reproducibility": "pass", "resume": "pass", "eval-determinism": "pass",
                        "distributed": "not_applicable",
                        # opt-in (`seeds`); 20 steps are too short for memory-growth, which
                        # trains a burn-in run of its own
                        "seed-spread": "not_applicable", "memory-growth": "pass",
                        "tests": "pass"}  # its own unittest suite (`tests` in its pyproject)
    # The bundled example is the reference project: it proves every check exactly (this is
    # the suite's one full run of it; tests/gpu_runner runs the broken variants).
    metrics = {c["check"]: c.get("metrics", {}) for c in run["checks"]}
    assert metrics["reproducibility"]["tier"] == metrics["resume"]["tier"] == "bitwise"
    assert metrics["checkpoint"]["has_data"] is True
    # one burn-in, or a second, top-up one when a loaded machine misjudged the pace: the
    # longer is read, and it trained enough
    burn_ins = ["burn_in", "burn_in_2"][:int(metrics["memory-growth"]["burn_in_runs"])]
    assert burn_ins and metrics["memory-growth"]["run"] in burn_ins
    assert float(metrics["memory-growth"]["burn_in_trained_s"]) >= 10.0  # memory-min-seconds
    assert [r["id"] for r in run["runs"]][-len(burn_ins) - 1:] == [*burn_ins, "tests"]
    card = json.loads((out / "scorecard.json").read_text())
    assert card["level"] == "production-ready"  # as the README says
    assert card["inputs"]["static"] and card["inputs"]["runtime"]
    shown = f"{score_text(card['score'])} / 100 ({Level(card['level']).label})"
    assert f"==> scorecard: {shown}" in proc.stdout  # as the card shows it: one decimal


def test_every_runtime_check_is_named_in_the_readme_table_and_the_action_input() -> None:
    """A check added to the registry but not to the README's table (or to action.yml's
    `checks` input) is a check users are never told about."""
    from mlready.gpu_runner.checks import REGISTRY

    table = {m.group(1) for m in re.finditer(r"^\| `([a-z-]+)` \|", README, re.M)}
    action = (ROOT / "action.yml").read_text(encoding="utf-8")
    described = re.search(r"checks:\n\s+description: .*?\(([^)]*)\)", action)
    assert described is not None
    listed = [name.strip() for name in described.group(1).split(",")]
    ids = [check.id for check in REGISTRY]
    assert [i for i in ids if i not in table] == []
    assert listed == ids


def test_the_readme_run_usage_names_every_option_of_mlready_run() -> None:
    from mlready.gpu_runner.cli import run

    usage = re.search(r"```text\n(mlready run .*?)```", README, re.S)
    assert usage is not None
    shown = set(re.findall(r"(?<![\w-])(--?[\w-]+)", usage.group(1)))
    missing = [param.opts for param in run.params if param.opts[0].startswith("-")
               and not shown & {*param.opts, *param.secondary_opts}]
    assert missing == []
