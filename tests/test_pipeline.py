"""`mlready ci` on small real projects: files written, exit codes, --mode static."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlready.cli import main

UNSEEDED = """\
import torch


def main() -> None:
    weights = torch.randn(3)
    print(weights)


if __name__ == "__main__":
    main()
"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "train.py").write_text(UNSEEDED)
    (project / "requirements.txt").write_text("torch==2.13.0\n")
    return project


def test_static_mode_writes_the_scorecard_without_training(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    out = tmp_path / "out"
    assert main(["ci", str(project), "-o", str(out), "--mode", "static"]) == 0
    output = capsys.readouterr().out
    assert "train.py:5:15: MLR003" in output
    assert sorted(p.name for p in out.iterdir()) == [
        ".gitignore", "badge.svg", "check.json", "scorecard.json", "scorecard.md", "summary.md"]
    assert (out / ".gitignore").read_text() == "*\n"
    card = json.loads((out / "scorecard.json").read_text())
    assert card["inputs"]["static"] is True and card["inputs"]["runtime"] is False
    assert card["score"] < 100
    assert _shown_as_on_the_card(out) in output


def _shown_as_on_the_card(out: Path) -> str:
    """The line `mlready ci` prints: the score and level as the card's headline has them
    (``## <icon> mlready scorecard: 73.6 / 100 · Solid research code``)."""
    card = json.loads((out / "scorecard.json").read_text())
    headline = next(line for line in (out / "scorecard.md").read_text().splitlines()
                    if line.startswith("## "))
    score, rest = headline.split(": ", 1)[1].split(" / 100 \u00b7 ")
    label = rest.split(" \u00b7 ")[0]  # "· static checks only" and the like follow it
    names = {c["key"]: c["name"] for c in card["categories"]}
    weak = f"; weakest: {names[card['weakest']]}" if card["weakest"] else ""
    return f"==> scorecard: {score} / 100 ({label}){weak}\n"


def test_the_printed_score_has_the_cards_one_decimal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A card JSON holds the score unrounded (98.3333); `mlready ci` prints it as the card
    does (98.3), and the --min-score message too."""
    project = _project(tmp_path)
    out = tmp_path / "out"
    assert main(["ci", str(project), "-o", str(out), "--mode", "static",
                 "--min-score", "99.9"]) == 1
    captured = capsys.readouterr()
    card = json.loads((out / "scorecard.json").read_text())
    assert card["score"] != round(card["score"], 1)  # else this test could not fail
    line = _shown_as_on_the_card(out)
    assert line in captured.out
    shown = line.split(": ", 1)[1].split(" / ", 1)[0]
    assert f"score {shown} is below --min-score 99.9" in captured.err


def test_min_score_fails_the_job_below_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    out = tmp_path / "out"
    args = ["ci", str(project), "-o", str(out), "--mode", "static", "--min-score", "99.9"]
    assert main(args) == 1
    assert "is below --min-score 99.9" in capsys.readouterr().err


def test_results_inside_the_project_are_never_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    out = project / "ci-out"  # a custom name: kept out through the .gitignore ci writes
    args = ["ci", str(project), "-o", str(out), "--mode", "static"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    output = capsys.readouterr().out
    assert "ci-out" not in output.replace(str(out), "")
    card = json.loads((out / "scorecard.json").read_text())
    check = json.loads((out / "check.json").read_text())
    # the project's own findings: train.py, and project-level ones on the root (`.`, no
    # tests and no CI); nothing of the results folder
    assert {d["path"] for d in check["diagnostics"]} == {"train.py", "."}
    assert card["inputs"]["files_checked"] == 2


TRAIN_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "runner" / "train.py"
# Torch-free stand-in whose `--mode no-module` imports a package that is not installed.
TINY_FIXTURE = TRAIN_FIXTURE.with_name("tiny.py")


def _ci(project: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    """`mlready ci` on ``project`` as its own process, and the smoke check it recorded."""
    done = subprocess.run([sys.executable, "-m", "mlready", "ci", str(project), "-o", str(out)],
                          capture_output=True, text=True, check=False, timeout=240)
    run = json.loads((out / "run.json").read_text())
    return done, next(c for c in run["checks"] if c["check"] == "smoke")


@pytest.mark.slow
def test_failed_runtime_check_does_not_fail_the_ci_process(tmp_path: Path) -> None:
    """The help promises 0 unless --min-score: `run`'s exit code must not leak out of the
    `mlready ci` process (it did, through run's fast-exit atexit hook)."""
    project = _project(tmp_path)
    with (project / "pyproject.toml").open("w") as handle:
        handle.write(f'[tool.mlready.runner]\ntrain = "{{python}} {TRAIN_FIXTURE} --steps '
                     '{steps} --seed {seed} --out {run_dir} --mode nan"\nsteps = 3\n')
    out = tmp_path / "out"
    done, smoke = _ci(project, out)
    assert (smoke["outcome"], smoke["reason"]) == ("fail", "nonfinite_metric")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
    assert "==> scorecard: " in done.stdout


def test_ci_never_overwrites_a_gitignore_and_refuses_the_project_as_results(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`-o` at an existing folder keeps its `.gitignore`; `-o .` (the project) is refused
    before anything is written: a `.gitignore` of `*` there would hide the whole project."""
    project = _project(tmp_path)
    (project / ".gitignore").write_text("runs/\n")
    assert main(["ci", str(project), "-o", str(project), "--mode", "static"]) == 2
    assert "cannot be the project" in capsys.readouterr().err
    assert (project / ".gitignore").read_text() == "runs/\n"
    out = tmp_path / "results"
    out.mkdir()
    (out / ".gitignore").write_text("# mine\n")
    assert main(["ci", str(project), "-o", str(out), "--mode", "static"]) == 0
    assert (out / ".gitignore").read_text() == "# mine\n"


@pytest.mark.slow
def test_ci_fails_when_the_training_never_started(tmp_path: Path) -> None:
    """Every runtime check skipped as "environment" (`mlready run` exit 2): the job must
    not go green, and the card must not read "nearly ready" on its static half."""
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text(
        f'[tool.mlready.runner]\ntrain = "{{python}} {TINY_FIXTURE} --steps {{steps}} '
        '--out {run_dir} --mode no-module"\nsteps = 3\n')
    out = tmp_path / "out"
    done, smoke = _ci(project, out)
    assert (smoke["outcome"], smoke["reason"]) == ("skipped", "environment")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "mlready ci: the runtime checks measured nothing" in done.stderr
    card = json.loads((out / "scorecard.json").read_text())
    assert card["level"] not in ("nearly-ready", "production-ready")
    training = next(c for c in card["categories"] if c["key"] == "training")
    assert training["score"] is None
    headline = (out / "scorecard.md").read_text().splitlines()[0]
    assert headline.endswith("runtime checks measured nothing")


def test_full_mode_without_a_train_command_is_no_runtime_pass(tmp_path: Path) -> None:
    """No `[tool.mlready.runner] train`: `mlready run` cannot start. The job exits 2 and
    the card, capped, names `mlready init` as the fix; `--mode static` is not capped."""
    project = _project(tmp_path)
    full, static_out = tmp_path / "full", tmp_path / "static"
    done = subprocess.run([sys.executable, "-m", "mlready", "ci", str(project), "-o",
                           str(full)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = (full / "scorecard.md").read_text().splitlines()
    assert lines[0].endswith(" \u00b7 Solid research code \u00b7 runtime checks measured "
                             "nothing: no train command configured; run `mlready init`")
    card = json.loads((full / "scorecard.json").read_text())
    assert card["level"] == "solid-research-code"
    assert card["inputs"]["runtime_missing"] == (
        "no train command configured; run `mlready init`")
    assert main(["ci", str(project), "-o", str(static_out), "--mode", "static"]) == 0
    headline = (static_out / "scorecard.md").read_text().splitlines()[0]
    assert headline.endswith(" \u00b7 static checks only")
    assert "measured nothing" not in (static_out / "scorecard.md").read_text()


def test_the_headline_fix_for_a_runner_table_without_train_is_not_init(tmp_path: Path) -> None:
    """init writes a table without `train` when it finds no entrypoint and leaves an
    existing table alone: "run `mlready init`" would send the user in a loop."""
    from mlready.pipeline import _why_not_run

    assert _why_not_run(tmp_path) == "no train command configured; run `mlready init`"
    (tmp_path / "pyproject.toml").write_text("[tool.mlready.runner]\nsteps = 20\n",
                                             encoding="utf-8")
    assert _why_not_run(tmp_path) == ("no train command configured; set `train` in "
                                      "[tool.mlready.runner]")
    (tmp_path / "pyproject.toml").write_text("[tool.mlready.runner\n", encoding="utf-8")
    assert "could not read its configuration" in _why_not_run(tmp_path)
