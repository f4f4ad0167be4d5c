"""Which files are read, how they are classified, and how notebooks map to cells."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlready.cli import main
from mlready.hooks import engine
from mlready.hooks.discovery import DEFAULT_EXCLUDES, SourceFile, classify, discover, find_root
from mlready.hooks.rules import Rule

Make = Callable[[dict[str, str | bytes]], Path]


@pytest.mark.parametrize(("path", "kind"), [
    ("train.py", "python"), ("nb/explore.ipynb", "notebook"),
    ("requirements.txt", "requirements"), ("requirements-dev.txt", "requirements"),
    ("constraints.txt", "requirements"), ("requirements/base.txt", "requirements"),
    ("dev.in", "requirements"), ("MANIFEST.in", None), ("notes.txt", None),
    ("pyproject.toml", "pyproject"), ("sub/pyproject.toml", "pyproject"),
    ("setup.cfg", "setup_cfg"), ("conf/a.yaml", "config"), ("b.yml", "config"),
    ("c.json", "config"), ("d.toml", "config"), ("README.md", None), ("x.pyc", None),
])
def test_classify(path: str, kind: str | None) -> None:
    assert classify(path) == kind


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source}
                                 for kind, source in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_git_repository_honours_gitignore(repo: Make) -> None:
    root = repo({".gitignore": "generated/\n*.log.py\n", "a.py": "", "generated/x.py": "",
                 "keep.log.py": "", "venv/lib.py": "", "pkg/b.py": "", "data.csv": ""})
    (root / "untracked.py").write_text("", encoding="utf-8")
    (root / "generated").mkdir(exist_ok=True)
    (root / "generated" / "y.py").write_text("", encoding="utf-8")
    files = discover(root, [root], DEFAULT_EXCLUDES)
    assert [f.path for f in files] == ["a.py", "pkg/b.py", "untracked.py"]


def test_walk_outside_git_uses_default_excludes(project: Make) -> None:
    root = project({"a.py": "", ".venv/x.py": "", "node_modules/y.py": "", "build/z.py": "",
                    "pkg/__pycache__/c.py": "", "pkg/d.py": "", "x.egg-info/e.py": "",
                    ".ipynb_checkpoints/n.ipynb": "{}", "docs/f.yaml": ""})
    files = discover(root, [root], DEFAULT_EXCLUDES)
    assert files == [SourceFile("a.py", "python"), SourceFile("docs/f.yaml", "config"),
                     SourceFile("pkg/d.py", "python"), SourceFile("pyproject.toml", "pyproject")]
    only = discover(root, [root], ("docs", "pkg/*"))
    assert [f.path for f in only] == [".ipynb_checkpoints/n.ipynb", ".venv/x.py", "a.py",
                                      "build/z.py", "node_modules/y.py", "pyproject.toml",
                                      "x.egg-info/e.py"]


def test_an_ignored_folder_named_explicitly_is_walked(repo: Make) -> None:
    root = repo({".gitignore": "vendor/\n", "a.py": ""})
    (root / "vendor").mkdir()
    (root / "vendor" / "v.py").write_text("", encoding="utf-8")
    assert [f.path for f in discover(root, [root / "vendor"], DEFAULT_EXCLUDES)] == ["vendor/v.py"]


def test_broken_symlinks_and_unreadable_files(project: Make, fake_rules: tuple[Rule, ...],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "x = 1\n", "secret.py": "x = 1\n"})
    (root / "dangling.py").symlink_to(root / "missing.py")
    (root / "secret.py").chmod(0)
    try:
        readable = os.access(root / "secret.py", os.R_OK)  # root reads anything
        code = main(["check", "--no-cache", str(root)])
        out = capsys.readouterr().out
    finally:
        (root / "secret.py").chmod(0o644)
    if readable:
        assert (code, out) == (0, "All checks passed!\n")
    else:
        assert (code, out) == (1, "secret.py:1:1: MLR000 cannot read file: Permission denied\n"
                                  "Found 1 finding: 1 error.\n")


def test_unreadable_file_reported(project: Make, fake_rules: tuple[Rule, ...],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied, simulated so that the test also bites when run as root."""
    root = project({"a.py": "x = 1\n", "secret.py": "x = 1\n"})
    import mlready.reading

    real = mlready.reading.read_regular

    def deny(path: Path, *args: Any, **kwargs: Any) -> bytes:
        if path.name == "secret.py":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(mlready.reading, "read_regular", deny)  # the one gate of every read
    report = engine.check([root])
    assert [(d.path, d.message) for d in report.diagnostics] == [
        ("secret.py", "cannot read file: Permission denied")]
    assert engine.check([root]).diagnostics == report.diagnostics  # never cached as clean


def test_find_root(project: Make, tmp_path: Path) -> None:
    root = project({"pkg/sub/a.py": ""})
    assert find_root([root / "pkg" / "sub" / "a.py"]) == root
    assert find_root([root / "pkg", root / "pkg" / "sub"]) == root
    bare = tmp_path / "bare" / "x"
    bare.mkdir(parents=True)
    assert find_root([bare]) in (bare, *bare.parents)


def test_notebook_findings_point_at_cells(project: Make, fake_rules: tuple[Rule, ...],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"nb.ipynb": notebook(
        ("markdown", "# Title\n"),
        ("code", ["%matplotlib inline\n", "import os\n", "!pip install torch\n", "os.name?\n"]),
        ("code", "if True:\n    %time x = 1\n    print(1)\nprint(2)  # noqa: MLR990\n"),
        ("code", "%%bash\necho print(3)\n"),
        ("code", ["def train():\n", "    print(4)\n"]))})
    assert main(["check", "--no-cache", str(root)]) == 1
    assert capsys.readouterr().out == (
        "nb.ipynb:cell 3:3:5: MLR990 `print(...)`: use logging\n"
        "nb.ipynb:cell 5:2:5: MLR990 `print(...)`: use logging\n"
        "Found 2 findings: 2 warnings.\n")
    assert main(["check", "--no-cache", "--output-format", "full", str(root)]) == 1
    assert "3 |     print(1)\n  |     ^^^^^^^^ MLR990" in capsys.readouterr().out


def test_notebook_syntax_error_and_file_noqa(project: Make, fake_rules: tuple[Rule, ...],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"bad.ipynb": notebook(("code", "x = 1\n"), ("code", "for i in x\n  pass\n")),
                    "quiet.ipynb": notebook(("code", "# mlready: noqa\n"), ("code", "print(1)")),
                    "invalid.ipynb": '{"cells": [', "nocells.ipynb": '{"a": 1}'})
    assert main(["check", "--no-cache", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad.ipynb:cell 2:1:1: MLR000 SyntaxError: expected ':'")
    assert out[1].startswith("invalid.ipynb:1:1: MLR000 invalid notebook JSON: Expecting value")
    assert out[2:] == ["nocells.ipynb:1:1: MLR000 not a Jupyter notebook: no `cells` list",
                       "Found 3 findings: 3 errors."]


def test_cross_file_findings_in_notebooks_map_to_cells(project: Make,
                                                       fake_rules: tuple[Rule, ...]) -> None:
    root = project({"a.py": "def train():\n    pass\n",
                    "b.ipynb": notebook(("code", "x = 1\n"), ("code", "\ndef train():\n  pass\n"))})
    report = engine.check([root], engine.Overrides(select=["MLR992"], no_cache=True))
    assert [(d.path, d.cell, d.line) for d in report.diagnostics] == [
        ("a.py", None, 1), ("b.ipynb", 2, 2)]


def test_exclusion_below_a_base_is_decided_as_folder_by_folder() -> None:
    """`Excluder.under` answers from a per-folder table: it must say what checking each
    folder strictly below the base, then the file, says (a base inside an excluded
    folder, an excluded folder below it, globs and path patterns)."""
    import itertools

    from mlready.hooks.discovery import Excluder

    def plainly(excluder: Excluder, relpath: str, base: str) -> bool:
        parts = relpath.split("/")
        start = len(base.split("/")) if base not in ("", ".") else 0
        return any(excluder.matches("/".join(parts[:depth]))
                   for depth in range(start + 1, len(parts) + 1))

    excluder = Excluder(["venv", "build", "*.egg-info", "docs/_gen", "gen_*.py"])
    folders = ["", "venv/", "venv/x/", "venv/x/build/", "src/", "src/a.egg-info/",
               "docs/", "docs/_gen/", "docs/_gen/deep/", "src/build/y/"]
    names = ["a.py", "gen_x.py", "build", "venv"]
    bases = [".", "venv", "venv/x", "src", "docs", "docs/_gen", "src/build"]
    for folder, name, base in itertools.product(folders, names, bases):
        relpath = folder + name
        if base != "." and not relpath.startswith(base + "/"):
            continue
        assert excluder.under(relpath, base) == plainly(excluder, relpath, base), (relpath, base)


def test_a_files_suffix_is_what_splitext_says() -> None:
    import os

    from mlready.hooks.discovery import _suffix

    for name in ["a.py", ".py", "..py", ".a.py", "a", "a.", ".", "..", "a.b.c", ".bashrc",
                 "x..py", "..a.py", "a.PY", "...a", ".a.", "requirements.txt"]:
        assert _suffix(name) == os.path.splitext(name)[1], name  # noqa: PTH122
