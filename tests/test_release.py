"""One version and one repository name behind everything a user pins (RELEASING.md)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import mlready
from mlready.cli import main
from mlready.github import pins

ROOT = Path(__file__).resolve().parents[1]
DERIVED = [ROOT / "README.md", ROOT / "mlready" / "github" / "templates" / "mlready.yml",
           *sorted((ROOT / "examples" / "workflows").glob("*.yml"))]


def test_the_package_version_is_one_number() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == mlready.__version__
    assert f"v{mlready.__version__}" == pins.ACTION_VERSION
    assert pyproject["project"]["urls"]["Homepage"] == mlready.REPOSITORY_URL


@pytest.mark.parametrize("path", DERIVED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_that_pins_us_is_at_todays_pin(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert pins.rewrite(text) == text, f"{path.name}: run `python -m mlready.dev generate`"
    assert pins.ACTION_USES in text or pins.HOOK_REV in text


def test_generate_brings_a_stale_pin_up_to_date(tmp_path: Path) -> None:
    """What RELEASING.md's last step runs: an old pin anywhere is rewritten to today's."""
    from mlready.dev.generate import generate

    for rel in ("README.md", ".pre-commit-hooks.yaml", "mlready/github/templates/mlready.yml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((ROOT / rel).read_text(encoding="utf-8"), encoding="utf-8")
    template = tmp_path / "mlready" / "github" / "templates" / "mlready.yml"
    old = f"{pins.ACTION_REPO}@{'0' * 40} # v0.0.1"
    stale = template.read_text().replace(pins.ACTION_USES, old)
    template.write_text(stale)
    assert template in generate(check=True, root=tmp_path)
    generate(root=tmp_path)
    assert pins.ACTION_USES in template.read_text() and "v0.0.1" not in template.read_text()
    assert generate(check=True, root=tmp_path) == []


def test_the_readme_shows_what_init_writes(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path), "--yes"]) == 0
    written = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]
    assert written["repo"] == mlready.REPOSITORY_URL
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"  - repo: {written['repo']}\n    rev: {pins.HOOK_REV}\n" in readme
    workflow = (tmp_path / ".github" / "workflows" / "mlready.yml").read_text()
    assert f"uses: {pins.ACTION_USES}" in workflow


def test_no_file_names_another_home_for_us() -> None:
    """The repository is one constant: nothing spells a different owner/name."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=False).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: cannot list the tracked files")
    name = mlready.REPOSITORY.split("/")[1]
    for rel in tracked:
        if not rel.endswith((".py", ".md", ".yml", ".yaml", ".toml", ".json")):
            continue
        text = (ROOT / rel).read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if "github.com/" in line and f"/{name}" in line:
                assert mlready.REPOSITORY_URL in line or f"{mlready.REPOSITORY}" in line, (
                    f"{rel}: {line.strip()}")


def test_the_pinned_commit_carries_both_manifests() -> None:
    """pre-commit reads `.pre-commit-hooks.yaml` at `rev`; the runner reads `action.yml`
    at the `uses:` ref. A pin at a commit without them fails for every user."""
    def has(path: str) -> bool:
        done = subprocess.run(["git", "cat-file", "-e", f"{pins.ACTION_SHA}:{path}"], cwd=ROOT,
                              capture_output=True, check=False)
        return done.returncode == 0

    known = subprocess.run(["git", "cat-file", "-e", f"{pins.ACTION_SHA}^{{commit}}"],
                           cwd=ROOT, capture_output=True, check=False)
    if known.returncode != 0:
        pytest.skip(f"{pins.ACTION_SHA} is not in this clone's history (a shallow clone?)")
    assert has(".pre-commit-hooks.yaml")
    assert has("action.yml")
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", pins.ACTION_SHA, "HEAD"],
                              cwd=ROOT, capture_output=True, check=False)
    assert ancestor.returncode == 0, "the pinned commit is not on this branch's history"


def test_the_pinned_action_takes_every_input_the_templates_give_it() -> None:
    """A pin at an older action.yml would ignore (or reject) inputs the templates pass,
    e.g. `gpu-workflow`: the pinned commit's action must declare each of them."""
    shown = subprocess.run(["git", "show", f"{pins.ACTION_SHA}:action.yml"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    if shown.returncode != 0:
        pytest.skip(f"{pins.ACTION_SHA} is not in this clone's history (a shallow clone?)")
    declared = set(yaml.safe_load(shown.stdout)["inputs"])
    for path in DERIVED[1:]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in data["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith(f"{pins.ACTION_REPO}@"):
                    assert set(step.get("with", {})) <= declared, (path.name, step["with"])


def test_the_wheel_metadata_carries_the_license_expression(tmp_path: Path) -> None:
    """PEP 639: ``license`` is an SPDX string (the table form is deprecated, and
    setuptools stops building it in 2027); the build backend, run as pip and ``build``
    run it, writes ``License-Expression`` and warns about nothing."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in pyproject["project"]["classifiers"])
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    (source / "mlready").mkdir()
    (source / "mlready" / "__init__.py").write_bytes((ROOT / "mlready" / "__init__.py")
                                                      .read_bytes())
    (tmp_path / "out").mkdir()
    hook = ("import sys; from setuptools import build_meta; "
            "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", hook,
                           str(tmp_path / "out")], cwd=source, capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Deprecat" not in done.stderr, done.stderr
    info = tmp_path / "out" / done.stdout.split()[-1] / "METADATA"
    metadata = info.read_text(encoding="utf-8")
    assert "License-Expression: Apache-2.0\n" in metadata
    assert "License-File: LICENSE\n" in metadata  # the licence text ships with the wheel
