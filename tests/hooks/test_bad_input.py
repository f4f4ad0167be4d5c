"""Hostile or broken input gives a named, one-line outcome, never a crash or a hang
(issue 8, "Crashes, hangs and wrong outcomes on bad input": the static checker's part).

Every test writes real files (a real git repository where git decides what is listed)
and runs the real command line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.config import ConfigError, section

Make = Callable[[dict[str, str | bytes]], Path]
MB = 1_000_000
LONG = 1_000_000  # characters on one line: what each line-oriented parser must take


def check(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def at_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)


# --- configuration ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("a = " + "[" * 600 + "]" * 600 + "\n", "invalid TOML: nested too deeply to read"),
    ("a = " + "{b = " * 600 + "1" + "}" * 600 + "\n", "invalid TOML: nested too deeply to read"),
    ("[tool.mlready]\nx = " + "7" * 5000 + "\n",
     "invalid TOML: Exceeds the limit (4300 digits) for integer string conversion: value has "
     "5000 digits; use sys.set_int_max_str_digits() to increase the limit"),
])
def test_unreadable_pyproject_is_one_config_error(project: Make, capsys: pytest.CaptureFixture[str],
                                                  text: str, message: str) -> None:
    root = project({"pyproject.toml": text, "a.py": "x = 1\n"})
    code, out, err = check(capsys, root)
    assert (code, out) == (2, "")
    assert err == f"error: {root / 'pyproject.toml'}: {message}\n"


def test_runner_section_of_a_deep_pyproject_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.mlready.runner]\nx = " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(ConfigError) as caught:
        section(path, "runner")
    assert str(caught.value) == f"{path}: invalid TOML: nested too deeply to read"


@pytest.mark.timeout(20)
def test_pyproject_that_is_a_fifo_never_blocks(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def f(:\n")
    os.mkfifo(root / "pyproject.toml")  # not a configuration: the defaults apply
    code, out, err = check(capsys, root, "--select", "MLR000")
    assert (code, err) == (1, "")
    assert out.splitlines()[0].startswith("a.py:1:1: MLR000 SyntaxError")
    with pytest.raises(ConfigError, match=r"cannot read: not a regular file \(a FIFO\)$"):
        section(root / "pyproject.toml", "runner")


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", '"5 MB"'])
def test_bad_max_file_size_is_a_config_error(project: Make, capsys: pytest.CaptureFixture[str],
                                             value: str) -> None:
    root = project({"pyproject.toml": f"[tool.mlready]\nmax-file-size = {value}\n"})
    code, _, err = check(capsys, root)
    assert code == 2
    assert err.startswith(f"error: {root / 'pyproject.toml'}: `tool.mlready.max-file-size` must be")
    assert err.count("\n") == 1


# --- one bad file is a finding on that file; the others are still checked ---------------

@pytest.mark.parametrize("codec", ["punycode", "undefined"])
def test_undecodable_coding_cookie_is_mlr000(project: Make, capsys: pytest.CaptureFixture[str],
                                             codec: str) -> None:
    root = project({"a.py": f"# coding: {codec}\nx = 1\n", "b.py": "def f(:\n"})
    code, out, err = check(capsys, root, "--select", "MLR000")
    detail = {"punycode": "decoding with 'punycode' codec failed (UnicodeError: Invalid "
                          "extended code point '#')",
              "undefined": "decoding with 'undefined' codec failed (UnicodeError: undefined "
                           "encoding)"}[codec]
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"a.py:1:1: MLR000 cannot decode file as {codec}: {detail}",
        "b.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python "
        f"{sys.version_info[0]}.{sys.version_info[1]})",
        "Found 2 findings: 2 errors."]


def test_each_broken_file_is_its_own_finding(project: Make,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    deep = "x = " + "(" * 150 + "1" + ")" * 150 + "\n"  # parses; the rules' walks must cope
    root = project({"nul.py": b"x = 1\0\n", "nb.ipynb": b'{"cells": ["\xff"]}',
                    "c.json": b'{"a": "\xff"}', "c.yaml": b"a: \xff\n", "c.toml": b'a = "\xff"\n',
                    "deep.py": deep, "ok.py": "def f(:\n"})
    (root / "dir.py").mkdir()  # a folder named like a source file is not a file to read
    code, out, err = check(capsys, root, "--select", "MLR000")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "c.json:1:1: MLR000 cannot decode file as UTF-8: invalid start byte",
        "c.toml:1:1: MLR000 cannot decode file as UTF-8: invalid start byte",
        "c.yaml:1:1: MLR000 cannot decode file as UTF-8: invalid start byte",
        "nb.ipynb:1:1: MLR000 cannot decode file as UTF-8: invalid start byte",
        "nul.py:1:1: MLR000 SyntaxError: source code cannot contain null bytes",
        "ok.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python "
        f"{sys.version_info[0]}.{sys.version_info[1]})",
        "Found 6 findings: 6 errors."]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_mlr000(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"a.py": "x = 1\n"})
    (root / "a.py").chmod(0)
    code, out, _ = check(capsys, root, "--select", "MLR000")
    assert code == 1
    assert out.splitlines()[0] == "a.py:1:1: MLR000 cannot read file: Permission denied"


def test_file_over_the_size_limit_is_not_parsed(project: Make,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    big = "x = 1;" * (1 + 6 * MB // 6)  # one 6 MB line: ast.parse would take ~2 GB
    book = {"cells": [{"cell_type": "code", "source": big, "metadata": {}, "outputs": []}]}
    root = project({"big.py": big, "big.ipynb": json.dumps(book), "small.py": "def f(:\n"})
    code, out, err = check(capsys, root, "--select", "MLR000")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "big.ipynb:cell 1:1:1: MLR000 too large to check (6.0 MB > 5 MB)",
        "big.py:1:1: MLR000 too large to check (6.0 MB > 5 MB)",
        "small.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python "
        f"{sys.version_info[0]}.{sys.version_info[1]})",
        "Found 3 findings: 3 errors."]


def test_max_file_size_is_configurable(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"pyproject.toml": "[tool.mlready]\nmax-file-size = 0.5\n",
                    "a.py": "x = 1\n" * 100_000, "b.py": "x = 1\n"})
    code, out, _ = check(capsys, root, "--select", "MLR000")
    assert (code, out) == (1, "a.py:1:1: MLR000 too large to check (0.6 MB > 0.5 MB)\n"
                              "Found 1 finding: 1 error.\n")


def test_full_format_shows_a_notebook_whose_source_holds_no_strings(
        project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    book = {"cells": [{"cell_type": "code", "source": ["def f(:\n", 1], "metadata": {},
                       "outputs": []}]}
    root = project({"n.ipynb": json.dumps(book)})
    code, out, err = check(capsys, root, "--select", "MLR000", "--output-format", "full")
    assert (code, err) == (1, "")
    assert out.splitlines()[:3] == [
        "n.ipynb:cell 1:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python "
        f"{sys.version_info[0]}.{sys.version_info[1]})", "  |", "1 | def f(:"]


# --- files that are not regular files of the project -----------------------------------

def _notebook_with_outputs() -> str:
    cell = {"cell_type": "code", "source": "print(1)", "metadata": {}, "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["fifo", "stdin"])
def test_gitattributes_that_is_no_regular_file_never_blocks(
        repo: Make, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    root = repo({"pyproject.toml": "[project]\nname = 'p'\n", "nb.ipynb": _notebook_with_outputs()})
    if kind == "fifo":
        os.mkfifo(root / ".gitattributes")
    else:
        (root / ".gitattributes").symlink_to("/dev/stdin")
    # Run in a child whose stdin is a pipe held open that nobody writes to: a read of it
    # (or of the FIFO) would hang until the timeout.
    read_end, write_end = os.pipe()
    try:
        done = subprocess.run([sys.executable, "-m", "mlready", "check", "--no-cache",
                               "--select", "MLR501", "."], cwd=root, stdin=read_end,
                              capture_output=True, text=True, timeout=15, check=False)
    finally:
        os.close(read_end)
        os.close(write_end)
    assert (done.returncode, done.stderr) == (1, "")
    assert "Found 1 finding: 1 warning." in done.stdout.splitlines()  # then `[*] 1 fixable`
    assert done.stdout.startswith("nb.ipynb:cell 1:1:1: MLR501 ")


def test_symlink_out_of_the_project_is_not_read(tmp_path: Path, repo: Make,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("def f(:\n")
    root = repo({"pyproject.toml": "[project]\nname = 'p'\n", "ok.py": "x = 1\n"})
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "inner.py").symlink_to(root / "ok.py")  # inside: read as usual
    code, out, err = check(capsys, root, "--select", "MLR000")
    assert (code, out, err) == (0, "All checks passed!\n", "")


def test_read_regular_is_the_gate(tmp_path: Path) -> None:
    from mlready.reading import NotReadable, TooLarge, read_regular

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * 11)
    (tmp_path / "out").symlink_to("/etc/hostname")
    with pytest.raises(NotReadable, match=r"^not a regular file \(a FIFO\)$"):
        read_regular(tmp_path / "fifo")
    with pytest.raises(NotReadable, match=r"^not a regular file \(a directory\)$"):
        read_regular(tmp_path)
    with pytest.raises(NotReadable, match=r"^a symlink to outside the project$"):
        read_regular(tmp_path / "out", tmp_path)
    with pytest.raises(TooLarge, match=r"^too large to check \(0\.0 MB > 0\.0 MB\)$"):
        read_regular(tmp_path / "big", max_size=10)
    assert read_regular(tmp_path / "big", head=3) == b"xxx"


# --- no parser is super-linear on a long line ------------------------------------------

SPACES = " " * LONG


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("name", "text", "select"), [
    ("requirements.txt", f"numpy{SPACES}x\n", "MLR201"),
    ("requirements.txt", f"numpy==1.0{SPACES}#\n", "MLR201"),
    ("pyproject.toml", f"[project]\nname = 'p'\ndependencies = ['numpy']\n[{SPACES}tool{SPACES}]\n",
     "MLR204"),
    ("pyproject.toml", "[project]\nname = 'p'\ndependencies = ['numpy']\n"
     f"[tool.poetry.dependencies]\nx = '{SPACES}x'\n", "MLR204"),
    ("setup.cfg", f"[{SPACES}options{SPACES}]\ninstall_requires =\n    numpy\n", "MLR204"),
    ("environment.yml", f"channels: [x]\ndependencies:\n  - 'numpy{SPACES}=1.0'\n", "MLR206"),
    ("README.md", "# P\n" + "`" * (LONG - 10) + "\n", "MLR602"),
    ("README.md", "# P\n" + "<h1>" * (LONG // 5) + "\n", "MLR602"),
    ("README.md", "# P\n" + "<h1" * (LONG // 4) + "\n", "MLR602"),
    ("a.py", f"x = 1  #{SPACES}noqa:{SPACES}\n", "ALL"),
    ("a.ipynb", json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                       "source": f"x = 1  #{SPACES}"}]}), "ALL"),
])
def test_a_long_line_is_read_in_linear_time(project: Make, capsys: pytest.CaptureFixture[str],
                                            name: str, text: str, select: str) -> None:
    files: dict[str, str | bytes] = {name: text}
    if name != "README.md":
        files["README.md"] = "# p\n\n## Usage\n\n```\npython train.py\n```\n"
    root = project(files)
    code, out, err = check(capsys, root, "--select", select)
    assert err == ""
    assert code in (0, 1)
    last = out.splitlines()[-1]
    assert last == "All checks passed!" or re.fullmatch(
        r"Found [1-4] findings?: [1-4] (errors?|warnings?|notes?)(, .*)?\.", last), last


@pytest.mark.timeout(30)
def test_conda_list_in_flow_style_is_linear(project: Make,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    items = "".join(f"  pkg{n},\n" for n in range(20_000))
    root = project({"environment.yml": f"channels: [x]\ndependencies: [\n{items}]\n"})
    code, out, _ = check(capsys, root, "--select", "MLR206")
    assert code == 1
    assert out.splitlines()[-1] == "Found 20000 findings: 20000 errors."


# --- names are escaped in every text format ---------------------------------------------

def test_control_characters_in_names_are_escaped(project: Make,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    forged = "a\n::error file=x.py::forged\x1b[31m.py"
    root = project({forged: "def f(:\n", "::warning::b.py": "def f(:\n"})
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for fmt in ("concise", "full"):
        code, out, err = check(capsys, root, "--select", "MLR000", "--output-format", fmt)
        assert (code, err) == (1, "")
        assert not any(line.lstrip().startswith("::") for line in out.splitlines())
        assert "\x1b" not in out
        assert out.splitlines()[0] == (
            "./::warning::b.py:1:1: MLR000 SyntaxError: invalid syntax (parsed as Python "
            f"{py})")
        assert (r"a\n::error file=x.py::forged\x1b[31m.py:1:1: MLR000 SyntaxError: invalid "
                f"syntax (parsed as Python {py})") in out.splitlines()
    code, out, _ = check(capsys, root, "--select", "MLR000", "--output-format", "github")
    assert out.splitlines()[1].startswith(
        r"::error file=a%0A%3A%3Aerror file=x.py%3A%3Aforged\x1b[31m.py,line=1,col=1,"
        f"title=MLR000::SyntaxError: invalid syntax (parsed as Python {py})")


def test_undecodable_name_is_escaped(project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = project({"ok.py": "x = 1\n"})
    with open(os.fsencode(root) + b"/\xff.py", "w") as handle:  # not UTF-8: git and the
        handle.write("def f(:\n")  # walk hand it over as a surrogate escape
    code, out, err = check(capsys, root, "--select", "MLR000")
    assert (code, err) == (1, "")
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert out.splitlines()[0] == (r"\udcff.py:1:1: MLR000 SyntaxError: invalid syntax "
                                   f"(parsed as Python {py})")


@pytest.mark.parametrize("text", ["a = " + "[" * 600 + "]" * 600, "a = " + "1" * 5000])
def test_manifest_facts_of_unreadable_toml_are_empty(text: str) -> None:
    from mlready.hooks.rules.deps.manifests import pyproject_facts

    assert pyproject_facts(text, None) == {"kind": "pyproject", "entries": [],
                                           "group_includes": [], "library": False}
