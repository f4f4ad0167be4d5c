"""MLR110 and MLR111: messages, positions and the project-level cases fixtures cannot show."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from project_files import write

from mlready.hooks.context import FileContext
from mlready.hooks.engine import check
from mlready.hooks.rules.config import configrefs as _configrefs
from mlready.hooks.rules.config import duplicate_config_key
from mlready.hooks.settings import Overrides

PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    return write(tmp_path / "proj", {"pyproject.toml": PYPROJECT, **files})


def findings(root: Path, select: str, *paths: str) -> list[str]:
    targets = [root / p for p in paths] or [root]
    report = check(targets, Overrides(select=[select], no_cache=True), jobs=1)
    assert report.errors == ()
    return [f"{d.path}:{d.line}:{d.col}-{d.end_col} {d.code} {d.message}"
            for d in report.diagnostics]


# --- MLR110 missing-config-file ------------------------------------------------------


def test_missing_config_message_names_the_call_and_the_path(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "configs/small.yaml": "lr: 1\n",
        "train.py": 'import argparse\np = argparse.ArgumentParser()\n'
                    'p.add_argument("--config", default="configs/smal.yaml")\n',
    })
    assert findings(root, "MLR110") == [
        'train.py:3:36-55 MLR110 `p.add_argument("--config", default="configs/smal.yaml")`: '
        "config file `configs/smal.yaml` is not in the project"]


def test_a_pre_commit_run_on_one_file_still_sees_the_whole_project(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "configs/small.yaml": "lr: 1\n",
        "src/train.py": 'from omegaconf import OmegaConf\nOmegaConf.load("configs/small.yaml")\n'
                        'OmegaConf.load("configs/large.yaml")\n',
    })
    assert [f.split(" ")[0] for f in findings(root, "MLR110", "src/train.py")] == [
        "src/train.py:3:16-36"]


def test_configs_under_the_projects_own_excludes_are_present_when_on_disk(
        tmp_path: Path) -> None:
    """Excluded from the check is not missing from the project (a git-ignored config
    still is: test_git_ignored_config_is_reported)."""
    root = project(tmp_path, {
        "pyproject.toml": PYPROJECT + '[tool.mlready]\nextend-exclude = ["configs", "conf"]\n',
        "configs/small.yaml": "lr: 1\n",
        "conf/train.yaml": "lr: 1\n",
        "train.py": 'import hydra\nfrom omegaconf import OmegaConf\n'
                    'OmegaConf.load("configs/small.yaml")\n'
                    'OmegaConf.load("configs/large.yaml")\n'
                    '@hydra.main(config_path="conf", config_name="train")\n'
                    'def main(cfg):\n    pass\n',
    })
    assert [f.split(": ", 1)[1] for f in findings(root, "MLR110")] == [
        "config file `configs/large.yaml` is not in the project"]
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")  # nothing excluded
    assert [f.split(": ", 1)[1] for f in findings(root, "MLR110")] == [
        "config file `configs/large.yaml` is not in the project"]


def test_git_ignored_config_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {
        ".gitignore": "configs/local.yaml\n",
        "configs/local.yaml": "lr: 1\n",
        "train.py": 'from omegaconf import OmegaConf\nOmegaConf.load("configs/local.yaml")\n',
    })
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert [f.split(": ", 1)[1] for f in findings(root, "MLR110")] == [
        "config file `configs/local.yaml` is not in the project"]


def test_file_anchored_paths_resolve_against_the_file(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "pkg/configs/a.yaml": "x: 1\n",
        "configs/b.yaml": "x: 1\n",
        "pkg/run.py": "import os\nfrom pathlib import Path\nimport yaml\n"
                      'HERE = Path(__file__).resolve().parent\n'
                      'yaml.safe_load(open(Path(__file__).parent / "configs" / "a.yaml"))\n'
                      'yaml.safe_load(open(Path(__file__).parent.parent / "configs/b.yaml"))\n'
                      'yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "b.yaml")))\n',
    })
    assert findings(root, "MLR110") == [
        'pkg/run.py:7:21-70 MLR110 `open(os.path.join(os.path.dirname(__file__), "b.yaml"))`: '
        "config file `pkg/b.yaml` is not in the project"]


def test_a_path_written_by_another_script_is_not_missing(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "prepare.py": 'from omegaconf import OmegaConf\nOmegaConf.save(cfg, "configs/gen.yaml")\n',
        "train.py": 'from omegaconf import OmegaConf\nOmegaConf.load("configs/gen.yaml")\n',
    })
    assert findings(root, "MLR110") == []


def test_hydra_config_names_may_come_from_a_config_store(tmp_path: Path) -> None:
    files = {
        "conf/db.yaml": "x: 1\n",
        "app.py": 'import hydra\n@hydra.main(config_path="conf", config_name="config")\n'
                  "def main(cfg): ...\n",
    }
    root = project(tmp_path, files)
    assert [f.split(" ", 2)[2] for f in findings(root, "MLR110")] == [
        '`hydra.main(config_path="conf", config_name="config")`: config file `conf/config.yaml` '
        "is not in the project"]
    (root / "store.py").write_text(
        "from hydra.core.config_store import ConfigStore\n"
        'ConfigStore.instance().store(name="config", node=Config)\n')
    assert findings(root, "MLR110") == []


def test_tests_are_checked_only_when_asked(tmp_path: Path) -> None:
    test = 'from omegaconf import OmegaConf\nOmegaConf.load("configs/nope.yaml")\n'
    root = project(tmp_path, {"tests/test_cfg.py": test})
    assert findings(root, "MLR110") == []
    options = "[tool.mlready.config]\ninclude-tests = true\n"
    (root / "pyproject.toml").write_text(PYPROJECT + options)
    assert len(findings(root, "MLR110")) == 1


@pytest.mark.parametrize("line", [
    'open("configs/out.yaml", "w")',
    'open("configs/x.yaml", mode="a")',
    'Path("configs/x.yaml").write_text("")',
    'open("data/train.json")',  # a data file, not a config
    'open("/etc/app/config.yaml")',
    'open("https://example.com/config.yaml")',
    'open(f"configs/{name}.yaml")',
    'open("configs/*.yaml")',
    'open("../../outside/config.yaml")',
    'open(".venv/lib/config.yaml")',
    'open("pretrained/bert/config.json")',  # arrives with downloaded weights
    'open("checkpoints/run1/hparams.yaml")',
    'parser.add_argument("--config", default="outputs/last/config.yaml")',
    'open("configs/" + name + ".yaml")',
    'open(cfg.path)',
    'parser.add_argument("--output-config", default="runs/config.yaml")',
    'parser.add_argument("--data", default="data/config.yaml")',
])
def test_not_a_missing_config(tmp_path: Path, line: str) -> None:
    root = project(tmp_path, {
        "train.py": f"import argparse\nfrom pathlib import Path\nname = 'x'\n{line}\n",
    })
    assert findings(root, "MLR110") == []


def test_existence_checks_and_guards_make_a_config_optional(tmp_path: Path) -> None:
    root = project(tmp_path, {"train.py": """\
import os
from pathlib import Path
import yaml
if Path("local.yaml").exists():
    yaml.safe_load(open("local.yaml"))
try:
    cfg = yaml.safe_load(open("user_config.yaml"))
except (OSError, ValueError):
    cfg = {}
"""})
    assert findings(root, "MLR110") == []


def test_path_of_reads_literal_path_expressions() -> None:
    source = (
        "import os\nfrom pathlib import Path\n"
        "a = 'configs/a.yaml'\n"
        "b = os.path.join('configs', 'b.yaml')\n"
        "c = Path('configs') / 'c.yaml'\n"
        "d = Path(__file__).parent.parent / 'd.yaml'\n"
        "e = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'e.yaml')\n"
        "f = os.path.join(root, 'f.yaml')\n"
    )
    ctx = FileContext.from_source("pkg/mod.py", source)
    values = [node.value for node in ctx.nodes(ast.Assign)]
    assert [_configrefs.path_of(ctx, v) for v in values] == [
        ("configs/a.yaml", "any"), ("configs/b.yaml", "any"), ("configs/c.yaml", "any"),
        ("../d.yaml", "file"), ("e.yaml", "file"), None]


def test_candidates_climb_from_the_script_folder_to_the_root() -> None:
    assert list(_configrefs.candidates("a/b/run.py", "configs/x.yaml", "any")) == [
        "a/b/configs/x.yaml", "a/configs/x.yaml", "configs/x.yaml"]
    assert list(_configrefs.candidates("a/run.py", "../x.yaml", "file")) == ["x.yaml"]
    assert list(_configrefs.candidates("run.py", "../x.yaml", "file")) == []


# --- MLR111 no-training-config ---------------------------------------------------------

TRAIN = """\
import torch
def main():
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for batch in data:
        opt.step()
if __name__ == "__main__":
    main()
"""


def test_a_training_script_without_any_config_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {"train.py": TRAIN, "mkdocs.yml": "site_name: x\n"})
    assert findings(root, "MLR111") == [
        "train.py:6:1-None MLR111 `train.py` trains (line 5), but the project has no config "
        "file, config class or command-line options"]


@pytest.mark.parametrize(("name", "text"), [
    ("configs/base.yaml", "lr: 0.1\n"),
    ("conf/train.toml", "lr = 0.1\n"),
    ("cli.py", "import argparse\n"),
    ("cli.py", "import typer\n"),
    ("cfg.py", "from dataclasses import dataclass\n@dataclass\nclass C:\n    lr: float = 0.1\n"),
    ("cfg.py", "from pydantic import BaseModel\n"),
    ("env.py", "import os\nLR = float(os.environ['LR'])\n"),
    ("env.py", "import os\nLR = os.getenv('LR', '0.1')\n"),
    ("args.py", "import sys\nLR = float(sys.argv[1])\n"),
    ("hf.py", "from transformers import HfArgumentParser\n"),
    ("mypkg/config.py", "LR = 3e-4\n"),
    ("hparams.py", "EPOCHS = 10\n"),
])
def test_any_config_source_in_the_project_is_enough(tmp_path: Path, name: str, text: str) -> None:
    root = project(tmp_path, {"train.py": TRAIN, name: text})
    assert findings(root, "MLR111") == []


def test_entrypoints_that_do_not_train_and_libraries_are_not_reported(tmp_path: Path) -> None:
    library = TRAIN.replace('if __name__ == "__main__":\n    main()\n', "")
    root = project(tmp_path, {"lib/train.py": library,
                              "predict.py": 'if __name__ == "__main__":\n    print(1)\n'})
    assert findings(root, "MLR111") == []


def test_lightning_and_hf_trainers_count_as_training(tmp_path: Path) -> None:
    source = ("import lightning as L\ntrainer = L.Trainer()\n"
              'if __name__ == "__main__":\n    trainer.fit(model)\n')
    root = project(tmp_path, {"fit.py": source})
    assert [f.split(" ")[0] for f in findings(root, "MLR111")] == ["fit.py:3:1-None"]


# --- MLR112 duplicate-config-key -------------------------------------------------------


def duplicates(path: str, text: str) -> list[str]:
    ctx = FileContext(path=path, kind="config", source=text)
    return [f"{d.line}:{d.col} {d.message}" for d in duplicate_config_key.check(ctx)]


def test_duplicate_yaml_key_names_the_key_and_its_first_line() -> None:
    assert duplicates("c.yaml", "lr: 1\nbs: 2\nlr: 3\n") == [
        "3:1 `lr`: key repeated in the same mapping (first on line 1); the last value "
        "silently wins"]


@pytest.mark.parametrize("text", [
    "a: &x {k: 1}\nb: *x\nc: *x\n",  # aliases share one node: not duplicates
    "base: &b\n  k: 1\nderived:\n  <<: *b\n  k: 2\n",  # merge keys override on purpose
    "a: &a [*a]\n",  # a recursive anchor does not loop
    "1: int\n'1': str\n",
    "a: [\n",  # a syntax error is MLR000's
])
def test_yaml_not_duplicates(text: str) -> None:
    assert duplicates("c.yml", text) == []


def test_json_duplicates_only_where_the_line_is_certain() -> None:
    assert duplicates("c.json", '{\n "lr": 1,\n "lr": 2\n}\n') == [
        "3:2 `lr`: key repeated in the same object (first on line 2); the last value "
        "silently wins"]
    # the key also occurs in another object: which line is the duplicate is unclear
    assert duplicates("c.json", '{\n "a": {"lr": 0},\n "lr": 1,\n "lr": 2\n}\n') == []
    assert duplicates("c.json", '{"lr": 1, "lr": 2}') == []  # one line: no position
    assert duplicates("c.toml", "a = 1\n") == []


def test_huge_config_files_are_skipped() -> None:
    text = "lr: 1\nlr: 2\n" + "# padding\n" * (duplicate_config_key.MAX_BYTES // 10)
    assert duplicates("big.yaml", text) == []
