"""MLR501 and the nbstripout git filter, in real git repositories through the real CLI.

A filter line in ``.gitattributes`` excuses a notebook only while git can still strip
it: the notebook is not staged yet, or what is staged differs from the file (the filter
cleaned it). A notebook whose file is its staged blob is committed with its outputs,
whatever the attributes say, so a pull request that only adds the line hides nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import git
from project_files import NOTEBOOK_WITH_OUTPUT, write

from mlready.cli import main
from mlready.hooks import engine

FILTER = "*.ipynb filter=nbstripout\n"
CLEAN = json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                               "source": ["x = 1"], "outputs": []}],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def check(root: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> list[str]:
    """``mlready check --select MLR501 --output-format json`` on ``root``: path and code."""
    capsys.readouterr()
    rc = main(["check", "--select", "MLR501", "--output-format", "json", *flags, str(root)])
    found = [f"{d['path']} {d['code']}" for d in json.loads(capsys.readouterr().out)
             ["diagnostics"]]
    assert rc == (1 if found else 0)
    return found


def commit(root: Path, files: dict[str, str], message: str) -> None:
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def new_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def test_a_notebook_committed_with_outputs_is_reported_whatever_the_attributes_say(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No filter driver in the git config (a clone, CI): git stored the outputs, and the
    file read is that blob. The attributes line is committed too."""
    root = new_repo(tmp_path)
    commit(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT, ".gitattributes": FILTER}, "init")
    assert check(root, capsys) == ["nb.ipynb MLR501"]
    (root / ".git" / "info" / "attributes").write_text(FILTER, encoding="utf-8")
    assert check(root, capsys, "--no-cache") == ["nb.ipynb MLR501"]


def test_outputs_the_installed_filter_keeps_out_of_git_are_not_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real filter, defined as ``nbstripout --install`` defines it: the blob is clean,
    the working copy keeps its outputs, and git commits none of them."""
    root = new_repo(tmp_path)
    git(root, "config", "filter.nbstripout.clean", f"'{sys.executable}' -m nbstripout")
    git(root, "config", "filter.nbstripout.smudge", "cat")
    commit(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT, ".gitattributes": FILTER}, "init")
    assert json.loads(git(root, "show", "HEAD:nb.ipynb"))["cells"][0]["outputs"] == []
    assert json.loads((root / "nb.ipynb").read_text())["cells"][0]["outputs"] != []
    assert check(root, capsys) == []
    # New outputs over a clean committed blob, not staged yet: still git's to strip.
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT.replace('"1"', '"2"')})
    assert check(root, capsys) == []


def test_an_untracked_notebook_is_left_to_the_filter(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`git add` runs the clean filter on it; once staged as it is, it is reported, and a
    remembered run sees the index change."""
    root = new_repo(tmp_path)
    commit(root, {"train.py": "x = 1\n"}, "init")
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT})
    assert check(root, capsys) == ["nb.ipynb MLR501"]  # no filter: reported as before
    write(root, {".gitattributes": FILTER})
    assert check(root, capsys) == []  # the memo saw .gitattributes appear
    git(root, "add", "nb.ipynb")  # no driver defined: staged with its outputs
    assert check(root, capsys) == ["nb.ipynb MLR501"]  # the memo saw the index change


def test_the_memo_is_not_reused_across_a_git_add(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the engine, counting the runs that did the work."""
    monkeypatch.setattr(engine, "_sources", list)  # a stable salt, as in test_memo.py
    calls: list[int] = []
    real = engine._analyse

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_analyse", spy)
    root = new_repo(tmp_path)
    write(root, {"nb.ipynb": NOTEBOOK_WITH_OUTPUT, ".gitattributes": FILTER})

    def codes() -> list[str]:
        report = engine.check([root])
        assert report.errors == ()
        return [d.code for d in report.diagnostics if d.code == "MLR501"]

    assert codes() == codes() == [] and len(calls) == 1  # remembered
    git(root, "add", "nb.ipynb")
    assert codes() == ["MLR501"] and len(calls) == 2


def test_a_notebook_outside_git_is_reported_despite_a_filter_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No git, no filter: the line strips nothing."""
    root = write(tmp_path / "plain", {"nb.ipynb": NOTEBOOK_WITH_OUTPUT, ".gitattributes": FILTER})
    assert check(root, capsys) == ["nb.ipynb MLR501"]


def test_a_crlf_checkout_of_a_committed_notebook_is_still_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``core.autocrlf`` (a Windows runner's default) stores LF and checks out CRLF: the
    file differs from its blob only in line ends, and the outputs are committed."""
    root = new_repo(tmp_path)
    pretty = json.dumps(json.loads(NOTEBOOK_WITH_OUTPUT), indent=1) + "\n"
    commit(root, {"nb.ipynb": pretty, ".gitattributes": FILTER}, "init")
    (root / "nb.ipynb").write_bytes(pretty.replace("\n", "\r\n").encode())
    assert check(root, capsys) == ["nb.ipynb MLR501"]


def test_a_notebook_in_a_subfolder_project_is_matched_by_its_repository_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The project root below the work tree's top: index paths are the repository's."""
    root = new_repo(tmp_path)
    commit(root, {"pkg/pyproject.toml": "[project]\nname = 'p'\n", "pkg/.gitattributes": FILTER,
                  "pkg/nb/a.ipynb": NOTEBOOK_WITH_OUTPUT, "pkg/nb/b.ipynb": CLEAN}, "init")
    write(root, {"pkg/nb/b.ipynb": NOTEBOOK_WITH_OUTPUT})  # changed since staged
    assert check(root / "pkg", capsys) == ["nb/a.ipynb MLR501"]


def test_a_pull_request_adding_only_the_filter_line_keeps_the_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As the Action runs it: the PR's checkout checked in place, then `scorecard
    --base-ref main` compares with the base. The finding stays, and is not new."""
    root = new_repo(tmp_path)
    commit(root, {"train.py": "x = 1\n", "nb.ipynb": NOTEBOOK_WITH_OUTPUT}, "base")
    git(root, "checkout", "-qb", "pr")
    commit(root, {".gitattributes": FILTER}, "pr: strip notebooks on commit")
    monkeypatch.chdir(root)
    head = tmp_path / "check.json"
    assert main(["check", "--output-format", "json", "--output-file", str(head), "."]) == 1
    capsys.readouterr()
    assert main(["scorecard", "--check", str(head), "--base-ref", "main", "--format",
                 "json"]) in (0, 1)
    card = json.loads(capsys.readouterr().out)
    assert [(d["path"], d["code"]) for d in card["findings"] if d["code"] == "MLR501"] == [
        ("nb.ipynb", "MLR501")]
    assert card["baseline"]["introduced"] == []
    assert card["baseline"]["fixed"] == []


def test_an_ident_attribute_on_the_filter_line_hides_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ident`` makes a checkout expand ``$Id$`` to ``$Id: <blob id> $``, so the file
    read differs from its blob in a fresh clone too: a PR adding ``ident`` to the line
    and ``$Id$`` to a cell must not pass for a notebook the filter will still strip."""
    cells = json.loads(NOTEBOOK_WITH_OUTPUT)
    cells["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": ["$Id$\n"]})
    origin = new_repo(tmp_path)
    commit(origin, {"nb.ipynb": json.dumps(cells, indent=1) + "\n",
                    ".gitattributes": "*.ipynb filter=nbstripout ident\n"}, "init")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert "$Id: " in (clone / "nb.ipynb").read_text(encoding="utf-8")  # expanded
    assert check(clone, capsys, "--no-cache") == ["nb.ipynb MLR501"]
