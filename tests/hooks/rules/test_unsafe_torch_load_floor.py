"""MLR301 and the torch a project declares: a ``torch.load`` that omits ``weights_only``
is safe where every installable torch defaults to ``weights_only=True`` (2.6 and later),
and unsafe wherever an older one may be installed. Real projects in git repositories,
checked by the engine as the hook and the CLI run it; `lowest_release` on the forms
that the corpus's manifests use (litgpt's ``torch>=2.7``, tianshou's Poetry caret)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.version import Version
from project_files import write

from mlready.hooks.engine import check
from mlready.hooks.rules.deps.floors import lowest_version
from mlready.hooks.settings import Overrides

TRAIN = ("import pickle\nimport torch\n\n"
         "def restore(path):\n"
         "    state = torch.load(path)\n"  # line 5: omitted, the release decides
         "    extra = torch.load(path, weights_only=False)\n"  # line 6: always unsafe
         "    hub = torch.hub.load_state_dict_from_url(path)\n"  # line 7: default stays False
         "    own = torch.load(path, pickle_module=pickle)\n"  # line 8: with one, still False
         "    also = torch.load(path, None, pickle)\n"  # line 9: the same, by position
         "    return state, extra, hub, own, also\n")
ALWAYS = [6, 7, 8, 9]


PYPROJECT_26 = '[project]\nname = "p"\ndependencies = ["torch>=2.6"]\n'


def _project(root: Path, files: dict[str, str]) -> Path:
    write(root, {"train.py": TRAIN, **files})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def _lines(root: Path, *paths: Path, cached: bool = False) -> list[int]:
    report = check(list(paths) or [root], Overrides(select=["MLR301"], no_cache=not cached),
                   jobs=1)
    assert report.errors == ()
    return [d.line for d in report.diagnostics if d.code == "MLR301"]


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch>=2.6"]\n'},
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch~=2.7", "numpy"]\n'},
    {"requirements.txt": "torch==2.8.0+cu126\n"},
    {"setup.py": "from setuptools import setup\nsetup(name='p', "
                 "install_requires=['torch>=2.8,<3.0'])\n"},
    {"pyproject.toml": '[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\n'
                       'torch = "^2.6, !=2.6.1"\n'},
    # tools that list module names install nothing: their "torch" is no requirement
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch>=2.7"]\n'
                       '[tool.isort]\nknown_third_party = ["torch"]\n'},
    # an included file that mlready reads too; the name in any case
    {"requirements.txt": "torch>=2.6\n-r more/requirements-extra.txt\n",
     "more/requirements-extra.txt": "Torch>=2.7\n"},
], ids=["pyproject", "compatible", "requirements-local", "setup.py", "poetry", "isort",
        "cased"])
def test_a_torch_of_2_6_or_later_everywhere_leaves_the_omitted_argument_alone(
        tmp_path: Path, files: dict[str, str]) -> None:
    assert _lines(_project(tmp_path / "p", files)) == ALWAYS


@pytest.mark.parametrize("files", [
    {},  # no torch declared: any release may run it
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch>=2.0"]\n'},
    {"requirements.txt": "torch\n"},
    {"requirements.txt": "torch<3\n"},
    {"requirements.txt": "torch==2.5.1+cu121\n"},
    {"requirements.txt": "torch>2.5\n"},  # allows 2.5.1
    {"requirements.txt": "torch>=2.6; sys_platform == 'linux'\n"},  # elsewhere: any torch
    # one declaration that allows an old torch is enough
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch>=2.7"]\n',
     "requirements-dev.txt": "torch>=2.1\n"},
    {"pyproject.toml": '[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\n'
                       'torch = "^2.0.0, !=2.0.1, !=2.1.0"\n'},
    {"requirements.txt": "torch>=2.6.0rc1\n"},  # a pre-release of 2.6 is below 2.6
    # the names pip and conda read whatever their case, and conda's own name
    {"pyproject.toml": PYPROJECT_26, "requirements-gpu.txt": "Torch==2.0.1\n"},
    {"pyproject.toml": PYPROJECT_26,
     "environment.yml": "channels: [defaults]\ndependencies:\n  - pytorch>=2.1\n"},
    # a library whose users bring their torch: a dev group is no floor for them
    {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["numpy"]\n'
                       '[dependency-groups]\ndev = ["torch>=2.6"]\n'},
    {"requirements-dev.txt": "torch>=2.6\n"},
    # an override beats the requirement it overrides
    {"pyproject.toml": PYPROJECT_26 + '[tool.uv]\noverride-dependencies = ["torch==2.4.1"]\n'},
    # a monorepo: the other part installs its own torch
    {"pyproject.toml": PYPROJECT_26, "b/pyproject.toml": '[project]\nname = "b"\n'},
    # an included file mlready does not read may pin any torch
    {"requirements.txt": "torch>=2.6\n-r ../shared.txt\n"},
    # the old default turned back on, or torch.load replaced
    {"pyproject.toml": PYPROJECT_26,
     "env.py": 'import os\nos.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"\n'},
    {"pyproject.toml": PYPROJECT_26,
     "patch.py": "import functools\nimport torch\n\n"
                 "torch.load = functools.partial(torch.load, weights_only=False)\n"},
], ids=["none", "low", "bare", "upper-only", "local-old", "strict-old", "marker", "one-low",
        "poetry-old", "prerelease", "cased", "conda", "dev-group", "dev-only", "uv-override",
        "monorepo", "unread-include", "env-var", "patched"])
def test_a_torch_older_than_2_6_anywhere_keeps_the_finding(
        tmp_path: Path, files: dict[str, str]) -> None:
    assert _lines(_project(tmp_path / "p", files)) == [5, *ALWAYS]


def test_the_one_file_hook_sees_the_manifest_change(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook names only train.py; the floor comes from the pyproject it did not name,
    through the cached project facts: raising or lowering it must show at once."""
    root = _project(tmp_path / "p", {
        "pyproject.toml": '[project]\nname = "p"\ndependencies = ["torch>=2.0"]\n'})
    monkeypatch.setenv("MLREADY_CACHE_DIR", str(tmp_path / "cache"))
    train = root / "train.py"
    assert _lines(root, train, cached=True) == [5, *ALWAYS]
    assert any((tmp_path / "cache").rglob("*.json"))  # the next runs start from a cache
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["torch>=2.6"]\n', encoding="utf-8")
    assert _lines(root, train, cached=True) == ALWAYS
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["torch>=2.6,<3"]\n'
        '[project.optional-dependencies]\nold = ["torch==1.13.1"]\n', encoding="utf-8")
    assert _lines(root, train, cached=True) == [5, *ALWAYS]
    assert _lines(root, cached=True) == [5, *ALWAYS]  # the whole project agrees


@pytest.mark.parametrize(("text", "floor"), [
    ("torch>=2.6", "2.6"),
    ("torch >= 2.6.0", "2.6.0"),
    ("torch[opt-einsum]~=2.7", "2.7"),
    ("torch==2.6.*", "2.6"),
    ("torch==2.5.1+cu121", "2.5.1+cu121"),
    ("torch>=1.13,>=2.6,<3", "2.6"),  # every specifier holds: the highest bound
    ("torch>2.6", "2.6"),
    ("torch>=2.6.0.dev20240901", "2.6.0.dev20240901"),  # below 2.6, as pip compares
    ("torch===2.7.0", "2.7.0"),
    ("torch", None),
    ("torch<3", None),
    ("torch!=2.0.1", None),
    ("torch>=2.6; python_version >= '3.9'", None),
    ('torch = "^2.6"', "2.6"),
    ('torch = "~2.7.1"', "2.7.1"),
    ('torch = ">=2.6,<3"', "2.6"),
    ('torch = ">=2.6 <3"', "2.6"),  # Poetry also joins with spaces
    ('torch = "2.6.0"', "2.6.0"),
    ('torch = "^2.0.0, !=2.0.1, !=2.1.0"', "2.0.0"),
    ('torch = "^2.6 || ^1.13"', "1.13"),  # either may be installed: the lower one
    ('torch = "^2.6 || *"', None),
    ('torch = "*"', None),
    ("pytorch=2.6", None),  # conda's own syntax: not read, so no floor is claimed
])
def test_lowest_version(text: str, floor: str | None) -> None:
    assert lowest_version(text) == (Version(floor) if floor is not None else None)
