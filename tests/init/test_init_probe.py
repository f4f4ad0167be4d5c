"""The probe's verdicts on what a run left: checkpoint glob, trend, whether to run longer."""

from __future__ import annotations

import os
from pathlib import Path

from mlready.init import probe
from mlready.init.proposal import Proposal, render


def test_checkpoint_glob_is_the_newest_checkpoint_with_digits_starred(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "events.out").write_text("x")
    old = tmp_path / "models" / "ckpt_10.pt"
    old.parent.mkdir()
    old.write_bytes(b"0")
    new = tmp_path / "models" / "ckpt_20.pt"
    new.write_bytes(b"1")
    os.utime(old, (1, 1))
    assert probe.checkpoint_glob(tmp_path) == "{run_dir}/models/ckpt_*.pt"
    assert probe.checkpoint_glob(tmp_path / "logs") is None


def test_improved_follows_the_smoke_rule() -> None:
    assert probe.improved([3.0, 2.0, 2.5, 1.0], "minimize") is True
    assert probe.improved([1.0, 2.0], "minimize") is False
    assert probe.improved([1.0, 2.0], "maximize") is True
    assert probe.improved([1.0], "minimize") is None


def test_a_longer_probe_only_when_it_can_show_more_and_is_cheap() -> None:
    few = probe.Finding(True, "", steps=20, wall_s=2.0, records=1)
    assert probe.steps_to_try(20, few, timeout=120) == 100
    slow = probe.Finding(True, "", steps=20, wall_s=30.0, records=1)
    assert probe.steps_to_try(20, slow, timeout=120) is None
    enough = probe.Finding(True, "", steps=20, wall_s=2.0, records=20, improved=True)
    assert probe.steps_to_try(20, enough, timeout=120) is None
    failed = probe.Finding(False, "", steps=20, wall_s=2.0)
    assert probe.steps_to_try(20, failed, timeout=120) is None


def test_a_regex_with_quotes_renders_as_a_toml_literal_string() -> None:
    import tomllib

    regex = r"\bloss[\"']?\s*(?P<loss>\d+)"
    text = render(Proposal({"train": "{python} t.py", "metrics": regex, "checkpoint": False},
                           "t.py (argparse)"))
    assert "metrics = '''" in text
    table = tomllib.loads(text)["tool"]["mlready"]["runner"]
    assert table["metrics"] == regex and table["checkpoint"] is False


def test_a_probe_puts_back_the_checkpoint_it_overwrote(tmp_path: Path) -> None:
    """A real probe run of a script that saves to a fixed path in the project: the
    user's model there is as it was afterwards, and the probe still learns its metrics."""
    import sys

    (tmp_path / "models").mkdir()
    mine = tmp_path / "models" / "model.pt"
    mine.write_bytes(b"last week's model")
    os.utime(mine, ns=(10**9, 10**9))
    (tmp_path / "train.py").write_text(
        "import sys\nsteps = int(sys.argv[1])\n"
        "for step in range(1, steps + 1):\n    print(f'step {step} loss {1.0 / step}')\n"
        "open('models/model.pt', 'wb').write(b'twenty steps')\n", encoding="utf-8")
    table = {"train": f"{sys.executable} train.py {{steps}}"}
    finding = probe.run(tmp_path, table, steps=5, timeout=60)
    assert finding.ok, finding.summary
    assert mine.read_bytes() == b"last week's model" and mine.stat().st_mtime_ns == 10**9
