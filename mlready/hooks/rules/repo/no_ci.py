"""MLR615 `no-ci`: nothing runs the project's checks on each change.

## What it does
Reports once per project, on the project root (``.``), when it has Python modules and
no continuous-integration configuration in the root or the folders above it up to the
top of the git work tree: GitHub Actions (``.github/workflows/*.yml``), GitLab CI
(``.gitlab-ci.yml``), CircleCI (``.circleci/``), Travis (``.travis.yml``), Azure
Pipelines (``azure-pipelines.yml``), Bitbucket Pipelines, Jenkins (``Jenkinsfile``),
Buildkite (``.buildkite/``), Drone (``.drone.yml``), Woodpecker (``.woodpecker.yml``,
``.woodpecker/``) or AppVeyor (``appveyor.yml``). A project of notebooks only is not
reported.

## Why is this bad?
Tests and linters that only run when someone remembers to run them stop being run.
A change that breaks an import, a config or the smoke test then lands on the main
branch, and the next person to train pays for it.

## Example
```text
train.py
tests/test_model.py
```

## Use instead
```text
train.py
tests/test_model.py
.github/workflows/ci.yml    # pip install -r requirements.txt && pytest && mlready check
```

## Options
None.

## References
- Research Code Production-Readiness Checklist: "Final Validation" (all tests passing;
  code linted; type checking passes)
- [GitHub Docs: Building and testing Python](https://docs.github.com/en/actions/use-cases-and-examples/building-and-testing/building-and-testing-python)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.repo.project import ROOT, folders, has_python

CODE = "MLR615"
SEVERITY = "warning"
NAME = "no-ci"
KINDS = ("python",)
CI_FILES = (".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "azure-pipelines.yaml",
            "bitbucket-pipelines.yml", "Jenkinsfile", ".drone.yml", ".woodpecker.yml",
            "appveyor.yml", ".appveyor.yml", "cloudbuild.yaml", "cloudbuild.yml")
CI_FOLDERS = (".circleci", ".buildkite", ".woodpecker", ".gitlab/ci")


def _has_ci(project: ProjectContext) -> bool:
    for folder in folders(project):
        if any(project.disk.is_file(folder / name) for name in CI_FILES):
            return True
        if any(project.disk.is_dir(folder / name) for name in CI_FOLDERS):
            return True
        workflows = folder / ".github" / "workflows"
        if any(name.endswith((".yml", ".yaml")) for name in project.disk.listdir(workflows)):
            return True
    return False


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not has_python(project) or _has_ci(project):
        return
    yield project.diagnostic(
        ROOT, 1, 1, CODE, "the project has no continuous integration (no "
        "`.github/workflows/`, `.gitlab-ci.yml`, ...) running its checks on each change",
        fix="add .github/workflows/ci.yml that installs the project and runs its tests "
            "and `mlready check`")
