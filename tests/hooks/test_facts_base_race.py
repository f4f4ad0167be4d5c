"""Concurrent `mlready check` processes and the project index's base (the facts of every
file, `mlready.hooks.facts_index`): runs that fold at once leave no base that nothing
names, and each run, and the one after, reports what an uncached run does.

Real processes of the console script on one project and one cache folder, as an editor
integration and a pre-commit hook (or two terminals) run them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from project_files import write

MLREADY = Path(sys.executable).parent / "mlready"
FILES = 80  # past FOLD_ROWS (64) changed files, so a warm run folds too


def module(i: int, variant: int) -> str:
    """An unseeded script (a cross-file finding: the seeding rules follow its calls)."""
    return (f"import torch\n\n\ndef f{i}(x):\n    return torch.randn({variant + 3}) + x\n\n\n"
            f"if __name__ == \"__main__\":\n    print(f{i}(1))\n")


def start(root: Path, env: dict[str, str], *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(MLREADY), "check", "--output-format", "json", *flags, "."],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def report(process: subprocess.Popen[str]) -> list[list[object]]:
    out, err = process.communicate(timeout=300)
    assert process.returncode in (0, 1), err
    assert err == "", err
    return [[d["path"], d["line"], d["code"], d["message"]]
            for d in json.loads(out)["diagnostics"]]


def bases(root: Path) -> list[str]:
    """The cache entries that are project-index bases: a facts entry whose table names no
    base and holds no results (`facts_index._text(merged, None, {}, None, 0)`)."""
    found = []
    for entry in sorted(root.glob(".mlready_cache/*/runs/*.json")):
        try:
            table = json.loads(entry.read_bytes().split(b"\n", 1)[0])
        except ValueError:
            continue
        if isinstance(table, dict) and {"facts", "sums", "base"} <= table.keys() \
                and table["base"] is None and table["sums"] == {} and table["facts"]:
            found.append(entry.name)
    return found


def test_runs_folding_at_once_leave_no_orphaned_base(tmp_path: Path) -> None:
    root = write(tmp_path / "proj", {"pyproject.toml": "[project]\nname = 'p'\n",
                                     **{f"m{i}.py": module(i, 0) for i in range(FILES)}})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MLREADY_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")  # the machine key, outside the project
    foreign = root / ".mlready_cache" / "notes.txt"
    for variant in range(3):  # cold (every run folds the first base), then two warm rounds
        write(root, {f"m{i}.py": module(i, variant) for i in range(FILES)})
        expected = report(start(root, env, "--no-cache"))
        assert len(expected) >= FILES  # the project has findings to get right
        runs = [start(root, env) for _ in range(4)]
        assert [report(run) for run in runs] == [expected] * 4
        assert len(bases(root)) <= 2, bases(root)  # the slots: nothing left unnamed
        assert report(start(root, env)) == expected  # the run after reads what they left
        if variant == 0:
            foreign.write_text("mine\n", encoding="utf-8")
    assert foreign.read_text(encoding="utf-8") == "mine\n"
