"""`mlready init`: what it writes, what it detects, and that it never overwrites unasked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlready.cli import cli, main
from mlready.github import pins
from mlready.gpu_runner import config as runner_config
from mlready.init_cmd import detect_entrypoint

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
    assert out.splitlines()[1:] == [
        "  wrote      .pre-commit-config.yaml",
        "  wrote      .github/workflows/mlready.yml",
        "  wrote      pyproject.toml [tool.mlready]; train command from scripts/train_model.py",
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
    (project / ".pre-commit-config.yaml").write_text("repos: []\n")
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert main(["init", str(project), "--yes"]) == 0
    assert "  kept       .pre-commit-config.yaml (exists; --force to overwrite)" in (
        capsys.readouterr().out)
    assert (project / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    pyproject = (project / "pyproject.toml").read_text()
    assert pyproject.startswith('[project]\nname = "demo"\n\n[tool.mlready]\n')
    assert main(["init", str(project), "--force"]) == 0
    out = capsys.readouterr().out
    assert "  overwrote  .pre-commit-config.yaml" in out
    assert "  kept       pyproject.toml ([tool.mlready] exists; left as is)" in out
    assert (project / "pyproject.toml").read_text() == pyproject  # appended once, never again


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("y", False), ("", True)])
def test_asks_before_overwriting(project: Path, answer: str, kept: bool) -> None:
    (project / ".pre-commit-config.yaml").write_text("repos: []\n")
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / ".github" / "workflows" / "mlready.yml").write_text("name: mine\n")
    result = CliRunner().invoke(cli, ["init", str(project)], input=f"{answer}\n" * 2 + "y\n")
    assert result.exit_code == 0, result.output
    assert ".pre-commit-config.yaml exists. Overwrite it? [y/N]" in result.output
    assert ((project / ".pre-commit-config.yaml").read_text() == "repos: []\n") is kept
    assert ((project / ".github/workflows/mlready.yml").read_text() == "name: mine\n") is kept


def test_project_scripts_entrypoint(tmp_path: Path) -> None:
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "cli.py").write_text(
        "import click\n@click.command()\n@click.option('--max-iters', type=int)\n"
        "@click.option('--seed', type=int)\ndef train(max_iters, seed): ...\n")
    pyproject = {"project": {"scripts": {"demo-train": "demo.cli:train", "demo": "demo.cli:x"}}}
    entry = detect_entrypoint(tmp_path, pyproject)
    assert entry is not None
    assert entry.train() == "demo-train --max-iters {steps} --seed {seed}"
    assert entry.resume() is None


def test_without_an_entrypoint_the_section_says_what_to_do(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path), "--yes"]) == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert "# No training entrypoint found: set the command that trains" in text
    assert tomllib.loads(text)["tool"]["mlready"]["runner"]["steps"] == 20
