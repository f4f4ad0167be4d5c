"""MLR705/MLR706 need a mode-dependent layer in the project; MLR012 reads the project."""

from __future__ import annotations

from pathlib import Path

from project_files import write

from mlready.hooks.engine import check
from mlready.hooks.settings import Overrides

EVAL = ("import torch\n\n\ndef evaluate(model, batch):\n"
        "    with torch.no_grad():\n        return model(batch)\n")


def findings(root: Path, select: str) -> list[str]:
    report = check([root], Overrides(select=[select], no_cache=True), jobs=1)
    assert report.errors == ()
    return [f"{d.path}:{d.line} {d.code}" for d in report.diagnostics]


def test_eval_mode_matters_only_with_dropout_or_batch_norm_somewhere(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"evaluation.py": EVAL})
    assert findings(root, "MLR705") == []  # an MLP without dropout: the mode changes nothing
    (root / "model.py").write_text("from torch import nn\n\nHEAD = nn.Dropout(0.1)\n")
    assert findings(root, "MLR705") == ["evaluation.py:6 MLR705"]


NORM = ("from stable_baselines3.common.vec_env import VecNormalize\n\n\n"
        "def make(venv):\n    return VecNormalize(venv)\n")
TRAIN = ("from stable_baselines3 import PPO\nfrom envs import make\n\n"
         "model = PPO('MlpPolicy', make(None)).learn(10)\nmodel.save('ppo')\n")


def test_normalizer_statistics_kept_in_another_file_count(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"envs.py": NORM, "train.py": TRAIN})
    assert findings(root, "MLR012") == ["envs.py:5 MLR012"]
    (root / "train.py").write_text(TRAIN + "model.get_env().save('vec_normalize.pkl')\n"
                                   "stats = model.get_env().obs_rms\n")
    assert findings(root, "MLR012") == []
