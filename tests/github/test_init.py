"""`mlready init`: what it writes, what it detects, and that it never overwrites unasked."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlready.cli import cli, main
from mlready.github import pins
from mlready.gpu_runner import config as runner_config
from mlready.init import setup_files
from mlready.init.proposal import propose

ROOT = Path(__file__).parents[2]
TRAIN = '''import argparse

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="runs")
    parser.add_argument("--resume", default=None)
    parser.parse_args()

if __name__ == "__main__":
    main()
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "train_model.py").write_text(TRAIN)
    (tmp_path / "train_utils.py").write_text("def helper(): ...\n")  # no __main__ guard
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "train.py").write_text(TRAIN)  # never a candidate
    return tmp_path


def test_writes_all_three_into_a_fresh_project(project: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(project), "--yes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1:9] == [
        "  wrote      .pre-commit-config.yaml",
        "  wrote      .github/workflows/mlready.yml",
        "Proposed runner config:",
        "    [tool.mlready.runner]",
        "    # How `mlready run` trains the project briefly (docs/runner-contract.md).",
        "    # Found scripts/train_model.py (argparse).",
        "    # metrics is a guess: `mlready init --probe` runs the command briefly and derives "
        "it from the output.",
        '    train = "{python} scripts/train_model.py --num-steps {steps} --seed {seed} '
        '--output-dir {run_dir}"',
    ]
    assert lines[-2:] == [
        "  wrote      pyproject.toml [tool.mlready]; train command from scripts/train_model.py "
        "(argparse)",
        "Next: `pre-commit install`, then `mlready check` and `mlready run`.",
    ]
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"] == [{"repo": f"https://github.com/{pins.ACTION_REPO}",
                               "rev": pins.ACTION_SHA, "hooks": [{"id": "mlready"}]}]
    template = ROOT / "mlready" / "github" / "templates" / "mlready.yml"
    assert (project / ".github/workflows/mlready.yml").read_text() == template.read_text()
    cfg = runner_config.load(project, None)
    assert " ".join(cfg.train.tokens) == (
        "{python} scripts/train_model.py --num-steps {steps} --seed {seed} "
        "--output-dir {run_dir}")
    assert cfg.resume is not None
    tool = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["mlready"]
    assert set(tool) == {"runner"}


def test_never_overwrites_with_yes_and_does_with_force(project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".pre-commit-config.yaml").write_text("repos: []\n")  # flow style: no text edit
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert main(["init", str(project), "--yes"]) == 0
    out = capsys.readouterr().out
    assert ("  kept       .pre-commit-config.yaml (cannot add to it: `repos:` is not a block "
            "list this tool can add to); add this entry under `repos:`, or --force to replace "
            "the file:") in out
    assert f"  - repo: https://github.com/{pins.ACTION_REPO}" in out
    assert (project / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    pyproject = (project / "pyproject.toml").read_text()
    assert pyproject.startswith('[project]\nname = "demo"\n\n[tool.mlready]\n')
    assert main(["init", str(project), "--force"]) == 0
    out = capsys.readouterr().out
    assert "  overwrote  .pre-commit-config.yaml" in out
    assert "  kept       pyproject.toml ([tool.mlready.runner] exists; left as is)" in out
    assert (project / "pyproject.toml").read_text() == pyproject  # appended once, never again


USER_CONFIG = """# our hooks; keep this comment
default_language_version:
  python: python3.11
repos:
    # formatting first
    -   repo: https://github.com/astral-sh/ruff-pre-commit
        rev: v0.6.9   # pinned on purpose
        hooks:
        -   id: ruff
    -   repo: local
        hooks:
        -   id: pytest
            name: pytest
            entry: pytest -q
            language: system

ci:
  autofix_prs: false
"""


def test_adds_our_entry_to_an_existing_config_keeping_the_users_text(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / ".pre-commit-config.yaml"
    path.write_text(USER_CONFIG)
    assert main(["init", str(project), "--yes"]) == 0
    assert ("  added to   .pre-commit-config.yaml (mlready's hooks, after your repos)"
            in capsys.readouterr().out)
    text = path.read_text()
    head = USER_CONFIG.split("\nci:\n")[0]
    assert text.startswith(head.rstrip("\n") + "\n")  # every user line, comments included
    assert text.endswith("\nci:\n  autofix_prs: false\n")
    data = yaml.safe_load(text)
    assert [r["repo"] for r in data["repos"]] == [
        "https://github.com/astral-sh/ruff-pre-commit", "local",
        f"https://github.com/{pins.ACTION_REPO}"]
    assert data["repos"][2] == {"repo": f"https://github.com/{pins.ACTION_REPO}",
                                "rev": pins.ACTION_SHA, "hooks": [{"id": "mlready"}]}
    assert data["ci"] == {"autofix_prs": False}
    assert "    -   repo: local" in text  # the user's indentation is theirs, ours matches it
    assert f"    - repo: https://github.com/{pins.ACTION_REPO}" in text
    assert main(["init", str(project), "--yes"]) == 0  # a second run adds nothing
    assert ("  unchanged  .pre-commit-config.yaml (has mlready's hooks)"
            in capsys.readouterr().out)
    assert path.read_text() == text


def test_a_config_without_a_final_newline_is_added_to(project: Path) -> None:
    path = project / ".pre-commit-config.yaml"
    path.write_text("repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n"
                    "    entry: x\n    language: system")
    assert main(["init", str(project), "--yes"]) == 0
    repos = yaml.safe_load(path.read_text())["repos"]
    assert [r["repo"] for r in repos] == ["local", f"https://github.com/{pins.ACTION_REPO}"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("branch", ["master", "trunk"])
def test_workflow_triggers_on_the_repositorys_default_branch(project: Path, branch: str) -> None:
    _git(project, "init", "-q", "-b", branch)
    _git(project, "commit", "-q", "--allow-empty", "-m", "start")
    _git(project, "checkout", "-q", "-b", "feature")  # init runs on a topic branch
    if branch == "trunk":  # only the remote says which branch is the default
        _git(project, "update-ref", "refs/remotes/origin/trunk", "HEAD")
        _git(project, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
        _git(project, "branch", "-q", "-m", "trunk", "old-trunk")
    assert main(["init", str(project), "--yes"]) == 0
    data = yaml.safe_load((project / ".github/workflows/mlready.yml").read_text())
    assert data[True]["push"]["branches"] == [branch]  # PyYAML reads `on:` as True


@pytest.mark.parametrize("branch", ["true", "on", "1.0", "null", "main"])
def test_a_branch_name_yaml_would_read_as_another_type_is_quoted(branch: str) -> None:
    data = yaml.safe_load(setup_files.workflow(branch))
    assert data[True]["push"]["branches"] == [branch]


def test_a_workflow_that_runs_mlready_already_gets_no_second_one(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = project / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(
        f"jobs:\n  lint:\n    steps:\n      - uses: {pins.ACTION_USES}\n")
    assert main(["init", str(project), "--yes"]) == 0
    assert ("  kept       .github/workflows/ci.yml (already runs mlready; no second workflow)"
            in capsys.readouterr().out)
    assert not (folder / "mlready.yml").exists()


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("y", False), ("", True)])
def test_asks_before_overwriting(project: Path, answer: str, kept: bool) -> None:
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "mlready.yml").write_text("name: mine\n")
    result = CliRunner().invoke(cli, ["init", str(project)], input=f"{answer}\n" + "y\n")
    assert result.exit_code == 0, result.output
    assert ".github/workflows/mlready.yml exists. Overwrite it? [y/N]" in result.output
    assert ((project / ".github/workflows/mlready.yml").read_text() == "name: mine\n") is kept


@pytest.mark.parametrize(("answer", "added"), [("n", False), ("y", True), ("", True)])
def test_asks_before_adding_to_an_existing_config(project: Path, answer: str,
                                                  added: bool) -> None:
    path = project / ".pre-commit-config.yaml"
    path.write_text(USER_CONFIG)
    result = CliRunner().invoke(cli, ["init", str(project)], input=f"{answer}\n" + "y\n")
    assert result.exit_code == 0, result.output
    assert "Add mlready's hooks to .pre-commit-config.yaml? [Y/n]" in result.output
    assert (path.read_text() != USER_CONFIG) is added


def test_project_scripts_entrypoint(tmp_path: Path) -> None:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "cli.py").write_text(
        "import click\n@click.command()\n@click.option('--max-iters', type=int)\n"
        "@click.option('--seed', type=int)\ndef train(max_iters, seed): ...\n")
    pyproject = {"project": {"scripts": {"demo-train": "demo.cli:train", "demo": "demo.cli:x"}}}
    proposal = propose(tmp_path, pyproject, run_help=False)
    assert proposal.source == "[project.scripts] demo-train"
    assert proposal.table["train"] == "demo-train --max-iters {steps} --seed {seed}"
    assert proposal.table["step-unit"] == "iterations"
    assert "resume" not in proposal.table


def test_without_an_entrypoint_the_section_says_what_to_do(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path), "--yes"]) == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert "# No training entrypoint found: set the command that trains" in text
    assert tomllib.loads(text)["tool"]["mlready"]["runner"]["steps"] == 20


@pytest.mark.parametrize("text", ["a = " + "[" * 2000 + "]" * 2000, "a = " + "9" * 5000,
                                  "a = [\n"])
def test_an_unreadable_pyproject_is_one_line_and_exit_2(tmp_path: Path, text: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert main(["init", str(tmp_path), "--yes"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "pyproject.toml" in err[0] and "invalid TOML" in err[0], err


def test_init_writes_through_no_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A committed link (here a dangling one, and a linked folder) could point anywhere:
    init says it kept the path and writes nothing there (found by the review)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "p"
    (project / ".github").mkdir(parents=True)
    (project / ".github" / "workflows").symlink_to(outside, target_is_directory=True)
    (project / ".pre-commit-config.yaml").symlink_to(outside / "hooks.yaml")
    assert main(["init", str(project), "--yes", "--force"]) == 0
    out = capsys.readouterr().out
    assert "  kept       .pre-commit-config.yaml (a symbolic link:" in out
    assert "  kept       .github/workflows/mlready.yml (a symbolic link:" in out
    assert list(outside.iterdir()) == []
