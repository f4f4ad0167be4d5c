"""Messages name a symbol one way, and what a message advises is what its fix says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlready.hooks.engine import check
from mlready.hooks.names import canonical
from mlready.hooks.settings import Overrides

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


@pytest.mark.parametrize(("name", "public"), [
    ("torch.utils.data.dataloader.DataLoader", "torch.utils.data.DataLoader"),
    ("torch.utils.data.sampler.RandomSampler", "torch.utils.data.RandomSampler"),
    ("torch.nn.modules.linear.Linear", "torch.nn.Linear"),
    ("torch.optim.adam.Adam", "torch.optim.Adam"),
    ("torch.optim.lr_scheduler.StepLR", "torch.optim.lr_scheduler.StepLR"),  # public itself
    ("torch.utils.data.DataLoader", "torch.utils.data.DataLoader"),
    ("mypkg.optim.adam.Adam", "mypkg.optim.adam.Adam"),
    ("torch", "torch"),
])
def test_canonical_names(name: str, public: str) -> None:
    assert canonical(name) == public


def test_a_symbol_imported_from_its_defining_module_keeps_its_public_name(
        tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "train.py").write_text(
        "from torch.optim.adam import Adam\n"
        "from torch.utils.data.dataloader import DataLoader\n\n"
        "opt = Adam([], lr=3e-4)\n"
        "loader = DataLoader(range(4), batch_size=32)\n", encoding="utf-8")
    report = check([tmp_path], Overrides(select=["hparams"], no_cache=True), jobs=1)
    assert [d.message.split(":")[0] for d in report.diagnostics] == [
        "`torch.optim.Adam(lr=3e-4)`", "`torch.utils.data.DataLoader(batch_size=32)`"]
    # a fix reads like every other rule's: a lower-case instruction
    assert [d.fix for d in report.diagnostics] == [
        "read `lr` from the config (a dataclass field, a YAML key or a command-line option) "
        "and pass it here",
        "read `batch_size` from the config (a dataclass field, a YAML key or a command-line "
        "option) and pass it here"]


def test_the_fix_says_what_the_message_advises(tmp_path: Path) -> None:
    """An SB3 algorithm is seeded by its own ``seed=``: the help line says so too."""
    shutil.copytree(FIXTURES / "MLR003", tmp_path / "p")
    report = check([tmp_path / "p"], Overrides(select=["MLR003"], no_cache=True), jobs=1)
    sb3 = [d for d in report.diagnostics if "stable_baselines3" in d.message]
    assert sb3 and all(d.message.endswith("pass `seed=` to the algorithm") for d in sb3)
    assert {d.fix for d in sb3} == {
        "pass `seed=seed` to the algorithm (it seeds torch, numpy and random)"}
    assert all(d.fix and d.fix[0].islower() for d in report.diagnostics)
