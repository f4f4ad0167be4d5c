"""What the most common hook run imports: one just-edited file of a small project.

Issue 14 holds that run to 1.5x ``python -c "import click"``, and nearly all of its cost
is importing. Times belong in `bench/bench_hook.py`; this test guards the cheap,
untimed part: modules that such a run never needs stay out of it (a stray top-level
import of one would silently add its whole import tree to every commit).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import git

# Not one of these is needed to check an edited file whose facts did not change (the
# cross-file results are remembered): standard-library modules with a heavy import tree,
# and what only a rule's finalize or a rare branch uses.
NEVER_ON_THE_HOOK_PATH = (
    "secrets",  # a random file name is os.urandom(8).hex()
    "tomllib",  # [tool.mlready] comes from the memo (mlready.hooks.config_memo)
    "mlready.hooks.cli.fixing", "mlready.hooks.cli.stdin",  # --fix, --diff, --add-noqa, -
    "mlready.hooks.rules.seeds.entries",  # the seeding call graph: finalize only
    "mlready.hooks.rules.seeds.callgraph",
    "mlready.hooks.rules.deps.requirements",  # the manifest parsers: their own kinds only
    "mlready.hooks.rules.deps.manifests", "mlready.hooks.rules.deps.conda",
    "mlready.hooks.rules.deps.setup_cfg", "mlready.hooks.rules.deps.setup_py",
)

PROBE = """
import json, sys
from mlready.cli import main
code = main(["check", "--force-exclude", "--output-format", "json", "train.py"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def hook(root: Path) -> tuple[int, list[str], dict[str, object]]:
    """One pre-commit run on ``train.py``: exit code, modules loaded, the JSON report."""
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "machine")}  # its own key
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=root, capture_output=True,
                          text=True, check=True, timeout=120, env=env)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    return probe["code"], probe["modules"], json.loads(done.stdout)


def test_an_edited_file_of_a_small_project_imports_only_what_it_needs(
        tmp_path: Path) -> None:
    root = tmp_path / "small"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "s"\n', encoding="utf-8")
    (root / "requirements.txt").write_text("torch==2.3.1\n", encoding="utf-8")
    train = root / "train.py"
    train.write_text('import random\n\nimport torch\n\n\ndef main() -> None:\n'
                     '    state = torch.load("ckpt.pt")\n    print(random.random(), state)\n\n\n'
                     'if __name__ == "__main__":\n    main()\n', encoding="utf-8")
    git(root, "init", "-q")
    hook(root)  # the first run on this machine: makes its key, fills the cache
    first_code, _, first = hook(root)  # the commit before: the memo of the pyproject
    with train.open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    code, modules, report = hook(root)
    # The findings of the run that computed everything: MLR301 (torch==2.3.1 still loads
    # with weights_only=False by default) and MLR001 (`random` never seeded), remembered.
    assert (code, report["diagnostics"]) == (first_code, first["diagnostics"])
    assert code == 1
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [  # type: ignore[attr-defined]
        ("MLR301", 7), ("MLR001", 8)]
    assert "mlready.hooks.rules.seeds.units" in modules  # the file's facts were collected
    loaded = sorted(set(NEVER_ON_THE_HOOK_PATH) & set(modules))
    assert loaded == [], f"imported on the one-file hook path: {loaded}"
    # Every name is a module that exists (a misspelt one would pass for ever).
    assert all(importlib.util.find_spec(name) is not None for name in NEVER_ON_THE_HOOK_PATH)
