"""MLR610-MLR615: the gitignore matcher, the git index reader, project-level anchors, and
the cases fixtures cannot show (a real git repository, CI folders, a long line)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from conftest import git
from project_files import write

from mlready.hooks.context import FileContext
from mlready.hooks.engine import check
from mlready.hooks.rules.repo import secret_in_code
from mlready.hooks.rules.repo.gitignore import parse
from mlready.hooks.rules.repo.tracked import index_entries, parse_index
from mlready.hooks.settings import Overrides

PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'


def findings(root: Path, select: str, *paths: str) -> list[str]:
    targets = [root / p for p in paths] or [root]
    report = check(targets, Overrides(select=[select], no_cache=True), jobs=1)
    assert report.errors == ()
    return [f"{d.path}:{d.line} {d.code} {d.message}" for d in report.diagnostics]


def verdict(text: str, path: str, is_dir: bool = False) -> bool | None:
    result = None
    for pattern in parse(text):
        if (not pattern.dir_only or is_dir) and pattern.regex.match(path):
            result = not pattern.negated
    return result


@pytest.mark.parametrize(("text", "path", "is_dir", "want"), [
    ("*.pt", "a/b/model.pt", False, True),
    ("/ckpt", "ckpt", True, True),
    ("/ckpt", "sub/ckpt", True, None),  # anchored: the root's ckpt only
    ("logs/", "logs", True, True),
    ("logs/", "logs", False, None),  # a file named logs is not a folder
    ("**/wandb", "deep/er/wandb", True, True),
    ("runs/**", "runs/a/b.tfevents", False, True),
    ("a/**/b", "a/b", True, True),
    ("a/**/b", "a/x/y/b", True, True),
    ("*.pt\n!keep.pt", "keep.pt", False, False),
    ("\\#notes", "#notes", False, True),
    ("# a comment\n\n", "anything", False, None),
    ("doc/*.txt", "doc/sub/a.txt", False, None),  # * does not cross folders
    ("[Mm]odel.pt", "Model.pt", False, True),
    ("out   ", "out", True, True),  # trailing spaces are dropped
])
def test_gitignore_patterns_follow_git(text: str, path: str, is_dir: bool,
                                       want: bool | None) -> None:
    assert verdict(text, path, is_dir) == want


def test_matcher_agrees_with_git_check_ignore(tmp_path: Path) -> None:
    """The same answers as git itself, on nested files and a re-inclusion git refuses."""
    root = write(tmp_path / "r", {
        ".gitignore": "ckpt/\n*.log\n!keep.log\nbuild/*\n!build/keep\n/top-only\n",
        "sub/.gitignore": "*.npy\n!ckpt/\n",
        "x.py": ""})
    git(root, "init", "-q")
    paths = ["ckpt/a.pt", "sub/ckpt/a.pt", "a.log", "keep.log", "build/x", "build/keep",
             "top-only", "sub/top-only", "sub/d.npy", "d.npy", "src/m.py"]
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=root,
                          input="\n".join(paths), capture_output=True, text=True, check=False)
    by_git = set(done.stdout.split())
    from mlready.hooks.context import ProjectContext
    from mlready.hooks.rules.repo.gitignore import Matcher

    matcher = Matcher(ProjectContext(root, (), frozenset(), {}), root)
    ours = {p for p in paths if matcher.ignored(p, False)}
    assert ours == by_git


def test_index_reader_reads_gits_own_index(tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"a.py": "x = 1\n", "w/model.pt": b"\0" * 3000,
                                  "deep/er/name with space.txt": "hi"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    entries = parse_index((root / ".git" / "index").read_bytes())
    assert entries is not None
    assert sorted(entries) == [("a.py", 6), ("deep/er/name with space.txt", 2),
                               ("w/model.pt", 3000)]
    assert parse_index(b"DIRC\0\0\0\5\0\0\0\0") is None  # no such version
    assert parse_index(b"not an index") is None
    blobs = {e.path: e.blob for e in index_entries((root / ".git" / "index").read_bytes()) or []}
    assert blobs["a.py"] == git(root, "rev-parse", ":a.py").strip()
    git(root, "update-index", "--index-version", "4")  # path compression (feature.manyFiles)
    v4 = index_entries((root / ".git" / "index").read_bytes())
    assert v4 is not None
    assert {e.path: e.blob for e in v4} == blobs
    assert parse_index((root / ".git" / "index").read_bytes()) == entries


def test_large_artifacts_in_a_real_repository(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"pyproject.toml": PYPROJECT + "[tool.mlready.repo]\nartifact-min-kb = 1\n"
                 "max-file-size-mb = 0.01\n",
                 "train.py": "", "ckpt/best.pt": b"\1" * 4096, "data/big.txt": "x" * 20000,
                 "lfs/w.safetensors": b"\2" * 4096, "small.npy": b"\3" * 10,
                 ".gitattributes": "lfs/*.safetensors filter=lfs diff=lfs merge=lfs -text\n"})
    (root / "untracked.pt").write_bytes(b"\4" * 4096)  # on disk, not in git: not reported
    assert findings(root, "MLR612") == [
        "ckpt/best.pt:1 MLR612 `ckpt/best.pt`: model or data file of 4 KB committed to git "
        "itself, not to Git LFS or DVC",
        "data/big.txt:1 MLR612 `data/big.txt`: file of 20 KB committed to git itself, not to "
        "Git LFS or DVC (over `max-file-size-mb` = 0.01)"]


def test_project_level_findings_need_the_whole_project(tmp_path: Path) -> None:
    """``.`` is reported when the project is checked, not when one file is."""
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "train.py": "", "model.py": ""})
    message = ("the project has no tests (no `tests/`, `test_*.py` or test configuration)")
    assert findings(root, "MLR614") == [f".:1 MLR614 {message}"]
    assert findings(root, "MLR614", "train.py") == []


@pytest.mark.parametrize("ci", [".github/workflows/test.yaml", ".gitlab-ci.yml",
                                ".circleci/config.yml", "Jenkinsfile"])
def test_any_ci_configuration_counts(tmp_path: Path, ci: str) -> None:
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "train.py": "", ci: "x: 1\n"})
    assert findings(root, "MLR615") == []


def test_ci_of_the_enclosing_repository_counts(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({".github/workflows/ci.yml": "on: push\n", "pkg/pyproject.toml": PYPROJECT,
                 "pkg/train.py": ""})
    assert findings(root / "pkg", "MLR615") == []


@pytest.mark.parametrize("files", [
    {"pyproject.toml": PYPROJECT + "[tool.pytest.ini_options]\naddopts = '-q'\n"},
    {"setup.cfg": "[tool:pytest]\naddopts = -q\n"},
    {"tox.ini": "[tox]\n"},
    {"src/pkg/tests/test_x.py": "def test_x():\n    pass\n"},
])
def test_test_configuration_counts(tmp_path: Path, files: dict[str, str]) -> None:
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "train.py": "", **files})
    assert findings(root, "MLR614") == []


SETUP_PY = "from setuptools import setup\n\nsetup(name='walker', packages=['walker']{})\n"


@pytest.mark.parametrize(("keywords", "reported"), [
    (", test_suite='walker.checks'", False),  # the suite `setup.py test` runs
    (", tests_require=['pytest']", False),
    (", install_requires=['numpy']", True),  # metadata, but nothing about tests
])
def test_setup_py_test_configuration_counts(tmp_path: Path, keywords: str,
                                            reported: bool) -> None:
    """A project whose metadata is only a setup.py (no pyproject.toml or setup.cfg)."""
    root = write(tmp_path / "p", {"setup.py": SETUP_PY.format(keywords),
                                  "walker/__init__.py": "", "walker/run.py": ""})
    message = "the project has no tests (no `tests/`, `test_*.py` or test configuration)"
    assert findings(root, "MLR614") == ([f".:1 MLR614 {message}"] if reported else [])


def test_a_test_suite_named_in_another_file_is_not_configuration(tmp_path: Path) -> None:
    """Only setup.py's own `setup()` call counts, not a script that mentions the keyword."""
    root = write(tmp_path / "p", {"setup.py": SETUP_PY.format(""),
                                  "walker/run.py": "setup(test_suite='x')\n"})
    assert len(findings(root, "MLR614")) == 1


def test_notebooks_only_is_not_a_python_project(tmp_path: Path) -> None:
    cell = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "tour.ipynb": cell})
    assert findings(root, "MLR614") == findings(root, "MLR615") == []


def test_no_gitignore_names_what_the_code_writes(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "train.py": (
        "import torch\nif __name__ == '__main__':\n    torch.save({}, 'out/m.pt')\n")})
    assert findings(root, "MLR611") == [
        ".:1 MLR611 the project has no `.gitignore`; the code writes `out/`"]


def test_outputs_of_library_modules_and_scripts_own_folder(tmp_path: Path) -> None:
    """A package module writes into its importer's folder; a script may be run from its
    own folder, where a nested .gitignore covers it."""
    root = write(tmp_path / "p", {
        "pyproject.toml": PYPROJECT, ".gitignore": "__pycache__/\n",
        "pkg/__init__.py": "", "pkg/io.py": "import os\nos.makedirs('cache')\n",
        "examples/run.py": "import os\nif __name__ == '__main__':\n    os.makedirs('lmps')\n",
        "examples/.gitignore": "lmps/\n",
        "main.py": "import os\nif __name__ == '__main__':\n    os.makedirs(f'res/{1}')\n"})
    assert findings(root, "MLR611") == [
        ".gitignore:1 MLR611 `res/`: written by `os.makedirs` at main.py:3 but not ignored "
        "by `.gitignore`"]


def test_secret_patterns_take_linear_time() -> None:
    """Lines built to make a backtracking pattern explode finish at once."""
    lines = ["api_key = '" + "a1" * 50_000, "WANDB_API_KEY" + "=" * 50_000,
             "wandb.login(" + "k" * 50_000, "hf_" + "Aa" * 50_000 + "!", "AKIA" * 50_000]
    for line in lines:
        ctx = FileContext.from_source("x.py", f"x = {line!r}\n")
        start = time.perf_counter()
        list(secret_in_code.check(ctx))
        assert time.perf_counter() - start < 0.5


def test_a_secret_is_never_shown_whole() -> None:
    token = "hf_" + "Ab3" * 12
    ctx = FileContext.from_source("x.py", f"TOKEN = {token!r}\n")
    (found,) = secret_in_code.check(ctx)
    assert token not in found.message and token[4:] not in found.message
    assert found.message.startswith("`hf_A...` (39 characters)")


def test_tests_in_another_language_count(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "train.py": "",
                                  "test_kernels.cu": "int main() { return 0; }\n"})
    assert findings(root, "MLR614") == []
