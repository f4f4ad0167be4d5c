"""action.yml run the way the Actions runner runs it, on the bundled example project.

What is real: every ``run:`` step of action.yml, in order, with ``bash -eo pipefail``,
its ``env:`` evaluated from the inputs and the ``github`` context, a fresh
``$GITHUB_OUTPUT`` per step, ``$GITHUB_STEP_SUMMARY``, an event payload file, and the
local GitHub API server. The install step really runs ``pip install <action>[runner]``
into a fresh virtual environment, from a copy of this repository as ``github.action_path``.

What is emulated: ``actions/setup-python`` (a ``uses:`` step) is skipped; its effect, a
Python first on PATH, is the fresh venv. To keep the test offline and fast that venv sees
the test environment's site-packages through a ``.pth`` file (so pip finds torch and
click already installed) and pip runs with ``PIP_NO_INDEX`` and no build isolation when
setuptools is available here (see `_pip_offline`).
The runtime half runs the ``smoke`` and ``eval`` checks only (input ``checks``), on CPU,
with 4 steps from an e2e config file (input ``config``), to fit the time budget.

Flow: a GPU-style run (mode ``all``) on a same-repo PR posts the comment; then the GPU
workflow's ``card`` job (mode ``report`` on ``pull_request_target``) for a labelled fork
PR re-renders the downloaded results and posts them on the event's PR, whatever the
artifact's ``pr.json`` says; a ``workflow_run`` of the GPU workflow posts nothing; the
static card's ``workflow_run`` report verifies the artifact's PR against the head SHA;
and a fork PR's own run (read-only token) below ``min-score`` reports in one line,
still writes the job summary, and fails only at the final gate.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import TOKEN
from .events import FORK_PR, HEAD, gpu_fork_run, gpu_labeled, static_fork_run
from .runner import ActionRun, base_env, run_composite
from .server import FakeGitHub

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "charlm"
PR = 7
MARKER = "<!-- mlready-comment:mlready-gpu -->"
_IGNORE = shutil.ignore_patterns(".git", ".venv*", "node_modules", "__pycache__", "*.egg-info",
                                 "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                                 "tests", "examples", "bench", "mlready-results", "runs")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The action checkout, a fresh venv (the "setup-python" result) and the project."""
    base = tmp_path_factory.mktemp("e2e")
    action = base / "action"
    shutil.copytree(ROOT, action, ignore=_IGNORE)
    venv = base / "venv"
    import venv as venv_module

    venv_module.create(venv, with_pip=False, symlinks=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    purelib.mkdir(parents=True, exist_ok=True)
    (purelib / "mlready-e2e-host.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    project = base / "charlm"
    shutil.copytree(EXAMPLE, project, ignore=_IGNORE)
    runner_table = (EXAMPLE / "pyproject.toml").read_text().split("[tool.mlready.runner]", 1)[1]
    quick = (runner_table.replace("steps = 20", "steps = 4")
             .replace('val_loss = "< 1.5"', 'val_loss = "< 10"')
             .replace('accuracy = ">= 0.5"', 'accuracy = ">= 0"'))
    (project / "e2e.toml").write_text("[tool.mlready.runner]" + quick)
    return {"base": base, "action": action, "venv": venv, "project": project}


def _pip_offline() -> dict[str, str]:
    """Build from the test environment's setuptools, without an index, when it has one.

    ``PIP_NO_BUILD_ISOLATION=0`` is pip's spelling of ``--no-build-isolation``. Without
    setuptools here (a fresh Python 3.12 venv has none), pip builds in isolation and
    fetches setuptools from the configured index, as the real step does.
    """
    if importlib.util.find_spec("setuptools") is None:
        return {}
    return {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}


def _run(stage: dict[str, Path], github: FakeGitHub, *, event_name: str,
         event: dict[str, Any], inputs: dict[str, str], workflow: str,
         token: str = TOKEN, project: Path | None = None,
         base_ref: str = "") -> tuple[ActionRun, Path]:
    project = project or stage["project"]
    temp = stage["base"] / f"runner-{event_name}-{len(list(stage['base'].iterdir()))}"
    temp.mkdir()
    event_path = temp / "event.json"
    event_path.write_text(json.dumps(event))
    summary = temp / "step_summary.md"
    summary.write_text("")
    venv_bin = stage["venv"] / "bin"
    env = base_env({
        "PATH": f"{venv_bin}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(stage["venv"]),
        "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_API_URL": github.base_url,
        "GITHUB_REPOSITORY": "octo/charlm", "GITHUB_WORKFLOW": workflow,
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": HEAD,
        "GITHUB_WORKSPACE": str(project), "RUNNER_TEMP": str(temp),
        "MLREADY_RETRY_BASE_DELAY": "0.001", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **_pip_offline(),
    })
    context = {"action_path": str(stage["action"]), "token": token, "event": event,
               "event_name": event_name, "server_url": "https://github.com",
               "repository": "octo/charlm", "sha": HEAD, "workflow": workflow,
               "base_ref": base_ref}
    action = yaml.safe_load((stage["action"] / "action.yml").read_text())
    result = run_composite(action, inputs=inputs, github=context, env=env,
                           workdir=project, timeout=240)
    for step in result.steps:
        assert TOKEN not in step.stdout + step.stderr, step.name
    print(f"{event_name} {inputs.get('mode')}: " + ", ".join(
        f"{s.name} {s.duration:.1f}s" for s in result.steps if s.ran))
    return result, summary


def _explain(result: ActionRun) -> str:
    return "\n".join(f"--- {s.name} rc={s.returncode}\n{s.stdout[-2000:]}\n{s.stderr[-3000:]}"
                     for s in result.steps if s.ran)


def test_the_action_end_to_end(stage: dict[str, Path], github: FakeGitHub) -> None:
    # 1. mode all (static + CPU runtime) on a same-repo PR, as in mlready-gpu.yml
    pr_event = {"action": "labeled", "number": PR, "label": {"name": "mlready-gpu"},
                "pull_request": {"number": PR, "head": {"sha": HEAD}}}
    github.add_pull(PR, HEAD)  # on pull_request_target the PR must still be at that head
    result, summary = _run(stage, github, event_name="pull_request_target", event=pr_event,
                           workflow="mlready GPU", inputs={
                               "mode": "all", "comment": "true", "config": "e2e.toml",
                               "checks": "smoke,eval", "working-directory": str(stage["project"]),
                               "min-score": "10"})
    assert not result.failed, _explain(result)
    ran = [s.name for s in result.steps if s.ran]
    assert ran == ["Check inputs", "Install mlready", "Record the pull request", "Static checks",
                   "Runtime checks", "Scorecard", "Comment on the pull request",
                   "Minimum score"]
    assert [s.name for s in result.steps if not s.ran] == ["Set up Python (uses: skipped)",
                                                           "Check where the results come from",
                                                           "Runtime result"]
    results = stage["project"] / "mlready-results"
    card = json.loads((results / "scorecard.json").read_text())
    assert card["inputs"]["static"] and card["inputs"]["runtime"]
    assert {c["check"] for c in json.loads((results / "run.json").read_text())["checks"]} == {
        "smoke", "eval"}
    from mlready.scorecard.levels import display_score

    assert result.outputs == {"score": display_score(card["score"]), "level": card["level"]}
    (comment,) = github.comments_on(PR)
    assert comment["body"].startswith(MARKER + "\n")
    assert comment["body"] == f"{MARKER}\n{(results / 'scorecard.md').read_text().rstrip()}\n"
    assert result.outputs["score"] in comment["body"]
    assert summary.read_text() == (results / "summary.md").read_text()
    assert json.loads((results / "pr.json").read_text()) == {
        "number": PR, "head_sha": HEAD, "event": "pull_request_target"}

    # 2. mlready-gpu.yml's `card` job for the labelled fork PR: `pull_request_target`, the
    #    results downloaded from the GPU job (untrusted: a forged scorecard.md, a pr.json
    #    naming another PR); the PR comes from the event.
    artifact = stage["base"] / "artifact"
    shutil.copytree(results, artifact)
    (artifact / "scorecard.md").write_text("forged markdown is never posted\n")
    (artifact / "pr.json").write_text(json.dumps({"number": 99, "head_sha": HEAD}))
    github.add_pull(FORK_PR, HEAD, head_repo="mallory/charlm")
    requests = len(github.state.requests)
    card_job, summary = _run(stage, github, event_name="pull_request_target",
                             event=gpu_labeled(), workflow="mlready GPU", inputs={
                                 "mode": "report", "comment": "true", "python-version": "",
                                 "marker": "mlready GPU", "results-dir": str(artifact)})
    assert not card_job.failed, _explain(card_job)
    origin = next(s for s in card_job.steps if s.name == "Check where the results come from")
    assert origin.outputs == {"accepted": "true", "marker": "", "runtime": "true"}
    assert card_job.outputs == result.outputs
    (fork_card,) = github.comments_on(FORK_PR)
    assert fork_card["body"].startswith(MARKER + "\n") and "forged" not in fork_card["body"]
    assert fork_card["body"] == f"{MARKER}\n{(artifact / 'scorecard.md').read_text().rstrip()}\n"
    assert github.comments_on(99) == []
    assert [r.path for r in github.state.requests[requests:] if "pulls" in r.path] == [
        f"/repos/octo/charlm/pulls/{FORK_PR}"]  # the event's PR, still at the tested head

    # 2b. a workflow_run of the GPU workflow, as GitHub sends it (head_sha: the base
    #     branch's commit, no pull_requests), or of our file edited by a fork to run on
    #     `pull_request`: no card; nothing renders, nothing is posted, no API call.
    for forged, why in [
            (gpu_fork_run(), "such a run names the base branch's commit as its head_sha, "
                             "not the PR's, so its results cannot be tied to a PR"),
            (gpu_fork_run({"workflow_run.head_sha": HEAD, "workflow_run.event": "pull_request"}),
             "on that event the file that ran may be the PR's own copy")]:
        requests = len(github.state.requests)
        refused, summary = _run(stage, github, event_name="workflow_run", event=forged,
                                workflow="mlready report", inputs={
                                    "mode": "report", "comment": "true", "python-version": "",
                                    "results-dir": str(artifact), "min-score": "100"})
        assert not refused.failed, _explain(refused)
        assert [s.name for s in refused.steps if s.ran] == [
            "Check inputs", "Install mlready", "Check where the results come from"]
        event = forged["workflow_run"]["event"]
        line = (f"mlready: not posting: .github/workflows/mlready-gpu.yml ran on `{event}`; the "
                "'mlready GPU' card is posted by that workflow's own `card` job, never from a "
                f"`workflow_run`: {why}\n")
        check = next(s for s in refused.steps if s.name == "Check where the results come from")
        assert (check.stdout, check.outputs) == (line, {"accepted": "false", "marker": "",
                                                   "runtime": "true"})
        assert summary.read_text().count("\n") == 1 and "not posting" in summary.read_text()
        assert refused.outputs == {"score": "", "level": ""}
        assert len(github.state.requests) == requests

    # 2c. the static card's report: the fork PR's `pull_request` run, verified through the
    #     API against workflow_run.head_sha (the PR head on that event).
    (artifact / "pr.json").write_text(json.dumps({"number": FORK_PR, "head_sha": HEAD}))
    requests = len(github.state.requests)
    static_report, _ = _run(stage, github, event_name="workflow_run",
                            event=static_fork_run(), workflow="mlready report", inputs={
                                "mode": "report", "comment": "true", "python-version": "",
                                "results-dir": str(artifact)})
    assert not static_report.failed, _explain(static_report)
    origin = next(s for s in static_report.steps
                  if s.name == "Check where the results come from")
    assert origin.outputs == {"accepted": "true", "marker": "mlready static", "runtime": "false"}
    assert [c["body"].split("\n", 1)[0] for c in github.comments_on(FORK_PR)] == [
        MARKER, "<!-- mlready-comment:mlready-static -->"]
    assert [r.path for r in github.state.requests[requests:] if "pulls" in r.path] == [
        f"/repos/octo/charlm/pulls/{FORK_PR}"]

    # 3. a fork PR's own run: read-only token, static results only, below min-score. The
    #    comment step says so in one line, the summary is written, then the gate fails.
    static_only = stage["base"] / "artifact-static"
    shutil.copytree(results, static_only)
    (static_only / "run.json").unlink()
    static = json.loads((static_only / "check.json").read_text())
    static["diagnostics"].append({  # the fork PR dropped a seed: one finding to score
        "path": "train.py", "line": 5, "col": 15, "code": "MLR003", "end_line": None,
        "end_col": None, "fix": None, "cell": None,
        "message": "`torch.randn` used in entrypoint `main` but `torch` is never seeded"})
    (static_only / "check.json").write_text(json.dumps(static))
    github.add_token("ghs_readonly", read_only=True)
    event = {"pull_request": {"number": PR, "head": {"sha": HEAD}}}
    gated, summary = _run(stage, github, event_name="pull_request", event=event,
                          workflow="mlready static", token="ghs_readonly", inputs={
                              "mode": "report", "comment": "true", "python-version": "",
                              "results-dir": str(static_only), "min-score": "100"})
    assert gated.failed
    step = next(s for s in gated.steps if s.name == "Comment on the pull request")
    assert step.returncode == 0
    assert step.stdout.startswith(f"mlready: the token cannot comment on PR #{PR} (read-only")
    assert step.stdout.count("\n") == 1
    assert summary.read_text() == (static_only / "summary.md").read_text()
    last = gated.steps[-1]
    assert (last.name, last.returncode) == ("Minimum score", 1), _explain(gated)
    assert "is below the minimum 100" in last.stderr
    assert json.loads((static_only / "scorecard.json").read_text())["inputs"]["runtime"] is False
    assert len(github.comments_on(PR)) == 1
    assert all(TOKEN not in line for line in github.state.log)


SEEDED = """\
import torch


def main() -> None:
    torch.manual_seed(0)
    print(torch.randn(3))


if __name__ == "__main__":
    main()
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"})


def test_a_pull_request_is_compared_with_its_base_branch(
        stage: dict[str, Path], github: FakeGitHub, tmp_path: Path) -> None:
    """With the base branch fetched (fetch-depth: 0), the card names what the PR introduced."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "requirements.txt").write_text("torch==2.13.0\n")
    (repo / "train.py").write_text(SEEDED)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # what a full fetch leaves
    _git(repo, "checkout", "-qb", "feature")
    (repo / "train.py").write_text(SEEDED.replace("    torch.manual_seed(0)\n", ""))
    _git(repo, "commit", "-qam", "drop the seed")
    event = {"action": "synchronize", "number": PR + 1,
             "pull_request": {"number": PR + 1, "head": {"sha": HEAD}}}
    result, _ = _run(stage, github, event_name="pull_request", event=event, workflow="mlready",
                     project=repo, base_ref="main",
                     inputs={"mode": "static", "comment": "true", "working-directory": str(repo)})
    assert not result.failed, _explain(result)
    card = json.loads((repo / "mlready-results" / "scorecard.json").read_text())
    assert card["baseline"]["ref"] == "origin/main"
    introduced = {(d["path"], d["code"]) for d in card["baseline"]["introduced"]}
    assert introduced == {("train.py", "MLR003")}
    (comment,) = github.comments_on(PR + 1)
    assert "New findings in this PR" in comment["body"]


def test_a_pull_request_is_judged_with_the_base_branch_settings(
        stage: dict[str, Path], github: FakeGitHub, tmp_path: Path) -> None:
    """A PR that ignores its new finding and lowers the minimum still fails the gate: with
    the base fetched, the card and the gate use the merge base's `[tool.mlready]`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text("[tool.mlready.scorecard]\nmin-score = 99\n")
    (repo / "requirements.txt").write_text("torch==2.13.0\n")
    (repo / "train.py").write_text(SEEDED)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(repo, "checkout", "-qb", "feature")
    (repo / "pyproject.toml").write_text('[tool.mlready]\nignore = ["MLR003"]\n\n'
                                         "[tool.mlready.scorecard]\nmin-score = 0\n")
    (repo / "train.py").write_text(SEEDED.replace("    torch.manual_seed(0)\n", ""))
    _git(repo, "commit", "-qam", "drop the seed, and hide it")
    event = {"action": "synchronize", "number": PR + 2,
             "pull_request": {"number": PR + 2, "head": {"sha": HEAD}}}
    result, _ = _run(stage, github, event_name="pull_request", event=event, workflow="mlready",
                     project=repo, base_ref="main",
                     inputs={"mode": "static", "comment": "true", "working-directory": str(repo)})
    last = result.steps[-1]
    assert (last.name, last.returncode) == ("Minimum score", 1), _explain(result)
    assert "is below the minimum 99" in last.stderr
    card = json.loads((repo / "mlready-results" / "scorecard.json").read_text())
    assert card["baseline"]["settings_changed"] == ["ignore", "scorecard.min-score"]
    assert {(d["path"], d["code"]) for d in card["baseline"]["introduced"]} == {
        ("train.py", "MLR003")}
    (comment,) = github.comments_on(PR + 2)
    assert ("**This PR changes mlready's settings** (`ignore`, `scorecard.min-score`): judged "
            "here with the base's; they take effect once merged.") in comment["body"]


def test_a_training_that_cannot_start_still_posts_its_card_then_fails(
        stage: dict[str, Path], github: FakeGitHub, tmp_path: Path) -> None:
    """`mlready run` exits 2 when nothing could be measured here (reason `environment`):
    the card saying so is still made and posted, and the job fails after it, never green."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    tiny = ROOT / "tests" / "fixtures" / "runner" / "tiny.py"  # imports a missing package
    (repo / "pyproject.toml").write_text(
        f'[tool.mlready.runner]\ntrain = "{{python}} {tiny} --steps {{steps}} --out {{run_dir}} '
        '--mode no-module"\nsteps = 3\n')
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    event = {"action": "labeled", "number": PR + 3, "label": {"name": "mlready-gpu"},
             "pull_request": {"number": PR + 3, "head": {"sha": HEAD}}}
    github.add_pull(PR + 3, HEAD)
    result, _ = _run(stage, github, event_name="pull_request_target", event=event,
                     workflow="mlready GPU", project=repo,
                     inputs={"mode": "all", "comment": "true", "checks": "smoke",
                             "working-directory": str(repo)})
    ran = {s.name: s.returncode for s in result.steps if s.ran}
    assert ran["Runtime checks"] == 0, _explain(result)  # recorded, not failed: the card follows
    assert ran["Scorecard"] == 0 and ran["Comment on the pull request"] == 0, _explain(result)
    assert ran["Runtime result"] == 2, _explain(result)
    assert "Minimum score" not in ran and result.failed
    failed = next(s for s in result.steps if s.name == "Runtime result")
    assert "::error title=mlready::the runtime checks measured nothing" in failed.stdout
    card = json.loads((repo / "mlready-results" / "scorecard.json").read_text())
    assert card["level"] != "nearly-ready" and card["inputs"]["runtime"]
    (comment,) = github.comments_on(PR + 3)
    assert "measured nothing" in comment["body"]
