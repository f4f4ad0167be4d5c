"""A run imports and runs only the rules that read a kind of file it has to report on.

A rule reports only on files of its ``KINDS`` (or on a path that is no project file, shown
by a check of the whole project): so a one-file hook run on a Python file leaves the
requirements, conda, YAML and notebook rules alone, and reports exactly what a run over
every file reports on that file. The fixture test holds each rule to the contract.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from project_files import NOTEBOOK_WITH_OUTPUT

from mlready.hooks import engine
from mlready.hooks.rules import all_rules, reading
from mlready.hooks.settings import Overrides

Make = Callable[[dict[str, str | bytes]], Path]
NOTEBOOK = NOTEBOOK_WITH_OUTPUT
FILES: dict[str, str | bytes] = {
    "pyproject.toml": '[project]\nname = "p"\ndependencies = ["numpy>=1.0"]\n',
    "requirements.txt": "torch>=2\n",
    "environment.yml": "dependencies:\n  - numpy\n",
    "configs/train.yaml": "lr: 1\nlr: 2\n",
    "train.py": 'import random\n\nif __name__ == "__main__":\n    print(random.random())\n',
    "nb.ipynb": NOTEBOOK,
}
# Rules that read none of a Python file's kinds: a hook run on train.py needs none of them.
NOT_FOR_PYTHON = ("mlready.hooks.rules.deps.unpinned_requirement",
                  "mlready.hooks.rules.deps.unpinned_conda_dependency",
                  "mlready.hooks.rules.config.duplicate_config_key",
                  "mlready.hooks.rules.notebooks.notebook_output")


def test_reading_keeps_the_rules_of_the_given_kinds() -> None:
    rules = all_rules()
    python = {r.code for r in reading(rules, {"python"})}
    assert "MLR001" in python and "MLR000" in python
    assert "MLR201" not in python and "MLR501" not in python and "MLR112" not in python
    assert {r.code for r in reading(rules, {"requirements"})} >= {"MLR000", "MLR201"}
    assert reading(rules, set()) == ()


def test_a_python_hook_run_imports_no_rule_of_other_kinds(project: Make) -> None:
    root = project(FILES)
    probe = (
        "import sys\n"
        "from mlready.cli import main\n"
        "code = main(['check', '--force-exclude', sys.argv[1]])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('mlready.hooks.rules.')))\n")

    def loaded(name: str) -> str:
        with (root / name).open("a", encoding="utf-8") as handle:
            handle.write("\n# edited\n")  # not answered by the memo: the rules run
        return subprocess.run([sys.executable, "-c", probe, name], cwd=root,
                              capture_output=True, text=True, check=True).stdout

    loaded("train.py")  # the first run reads every file of the project
    after_edit = loaded("train.py")
    assert "mlready.hooks.rules.seeds.unseeded_python_random" in after_edit
    assert [m for m in NOT_FOR_PYTHON if m in after_edit] == []
    assert "mlready.hooks.rules.deps.unpinned_requirement" in loaded("requirements.txt")


def test_a_named_file_gets_the_findings_of_a_whole_run(project: Make) -> None:
    """Leaving out the rules of other kinds changes no finding on the named files."""
    root = project(FILES)
    whole = engine.check([root], Overrides(no_cache=True, select=["ALL"]))
    assert whole.errors == ()
    for name in FILES:
        named = engine.check([root / name], Overrides(no_cache=True, select=["ALL"]))
        assert named.errors == ()
        assert named.diagnostics == tuple(d for d in whole.diagnostics if d.path == name)
        assert named.metrics == whole.metrics


# Paths of no text kind that rules report on: a run naming one alone (`other`) gets what
# a run of the whole project gets on it.
ARTIFACTS: dict[str, str | bytes] = {
    "pyproject.toml": '[project]\nname = "p"\n\n[tool.mlready.repo]\nmax-file-size-mb = 0.1\n',
    "data/vocab.json": '{"tokens": "' + "x" * 120_000 + '"}\n',  # > max-file-size-mb
    "weights/model.pt": bytes(range(256)) * 500,  # a checkpoint of 125 KB
    "weights/encoder.bin": bytes(range(256)) * 500,
    "README.md": "# p\n\nA project.\n",  # MLR602: no usage section
    "train.py": "import numpy\n\ntorch_out = open('out/log.txt', 'w')\n",
}


def test_a_named_artifact_gets_the_findings_of_a_whole_run(repo: Make) -> None:
    root = repo(ARTIFACTS)
    picked = ["MLR612", "MLR602", "MLR611"]
    whole = engine.check([root], Overrides(no_cache=True, select=picked))
    assert whole.errors == ()
    on = {(d.path, d.code) for d in whole.diagnostics}
    assert {("data/vocab.json", "MLR612"), ("weights/model.pt", "MLR612"),
            ("weights/encoder.bin", "MLR612"), ("README.md", "MLR602")} <= on
    for name in ("data/vocab.json", "weights/model.pt", "weights/encoder.bin", "README.md"):
        named = engine.check([root / name], Overrides(no_cache=True, select=picked))
        assert named.errors == ()
        assert named.diagnostics == tuple(d for d in whole.diagnostics if d.path == name)


def test_a_named_gitignore_gets_the_findings_of_a_whole_run(repo: Make) -> None:
    root = repo({".gitignore": "*.pyc\n", "train.py": 'import torch\n\n'
                 'torch.save({}, "checkpoints/last.pt")\n'})
    whole = engine.check([root], Overrides(no_cache=True, select=["MLR611"]))
    assert [(d.path, d.code) for d in whole.diagnostics] == [(".gitignore", "MLR611")]
    named = engine.check([root / ".gitignore"], Overrides(no_cache=True, select=["MLR611"]))
    assert named.diagnostics == whole.diagnostics
    assert named.files_checked == 0  # its path is reported on, its text never read
