"""Checkpoint classification and comparison, in process (torch is imported by the tests)."""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path
from typing import Any

import pytest

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import checkpoint_compare

torch = pytest.importorskip("torch")


def state(shift: float = 0.0, opt_step: int = 3) -> dict[str, Any]:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    with torch.no_grad():
        model.weight.add_(shift)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return {"model": model.state_dict(),
            "optimizer": {"state": {0: {"step": torch.tensor(float(opt_step))}},
                          "param_groups": opt.state_dict()["param_groups"]},
            "lr_scheduler": {"last_epoch": 3, "base_lrs": [0.1]},
            "global_step": 3, "rng": {"torch": torch.get_rng_state(),
                                      "python": random.getstate()},
            "sampler": {"epoch": 0, "offset": 96}, "hparams": {"lr": 0.1}}


def test_classify_sorts_keys_into_categories(tmp_path: Path) -> None:
    contents = ckpt.classify(state(), 123)
    assert contents.keys == {"model": ["model"], "optimizer": ["optimizer"],
                             "scheduler": ["lr_scheduler"], "step": ["global_step"],
                             "rng": ["rng"], "data": ["sampler"], "config": ["hparams"]}
    assert contents.rng_parts == ["python", "torch"] and contents.step == 3.0
    bare = ckpt.classify({"weight": torch.zeros(2), "bias": torch.zeros(1)}, 1)
    assert bare.keys == {"model": ["<state_dict>"]}
    # A counter kept as a one-element tensor is still the step.
    held = ckpt.classify({"model": {"w": torch.zeros(1)}, "iter_num": torch.tensor(7)}, 1)
    assert (held.keys["step"], held.step) == (["iter_num"], 7.0)
    for no_counter in (torch.tensor(True), torch.tensor([1, 2]), torch.tensor(1 + 2j)):
        assert ckpt.step_counter({"model": {}, "step": no_counter}) is None
    assert ckpt.step_counter({"step": torch.tensor(3)}) is None  # a bare state dict's buffer


def test_compare_is_per_category_and_finds_counters() -> None:
    diffs = checkpoint_compare.compare(state(), state(shift=0.5, opt_step=5))
    assert diffs["model"].differing == 1 and math.isclose(diffs["model"].max_abs_diff, 0.5,
                                                           rel_tol=1e-6)
    assert diffs["model"].first_key == "model.weight"
    assert diffs["rng"].bitwise and diffs["data"].bitwise
    assert ckpt.counters(state(opt_step=5)) == {"optimizer_step": 5.0, "scheduler_epoch": 3.0,
                                                "step": 3.0}
    same = checkpoint_compare.compare(state(), state())
    assert all(d.bitwise for d in same.values())


def test_nan_weights_in_both_count_as_equal() -> None:
    a = {"model": {"w": torch.tensor([float("nan"), 1.0])}}
    same = checkpoint_compare.compare(a, {"model": {"w": torch.tensor([float("nan"), 1.0])}})
    assert same["model"].bitwise
    diff = checkpoint_compare.compare(a, {"model": {"w": torch.tensor([0.0, 1.0])}})["model"]
    assert diff.max_abs_diff == math.inf


def test_chunked_compare_of_large_tensor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint_compare, "CHUNK", 1000)
    a = torch.zeros(10_000)
    b = a.clone()
    b[9_999] = 2.0
    diff = checkpoint_compare.compare({"model": {"w": a}}, {"model": {"w": b}})["model"]
    assert (diff.differing, diff.max_abs_diff) == (1, 2.0)


def test_load_refuses_full_unpickling_and_names_the_class(tmp_path: Path) -> None:
    path = tmp_path / "c.pt"
    torch.save({"model": {}, "args": argparse.Namespace(lr=1)}, path)
    with pytest.raises(ckpt.CheckpointError) as info:
        ckpt.load(path)
    assert info.value.reason == "needs_full_unpickling"
    assert "it pickles `argparse.Namespace`" in info.value.message
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ckpt.CheckpointError) as info:
        ckpt.load(path)
    assert info.value.reason == "corrupted"
    assert info.value.message.startswith("c.pt cannot be read: ")


def test_nesting_deeper_than_the_limit_is_too_deep_not_a_recursion_error() -> None:
    shallow: Any = {"model": {"w": [1.0]}, "optimizer": {"state": {0: {"step": 1}}}}
    assert ckpt.too_deep(shallow) is None
    deep: Any = 1.0
    for _ in range(100_000):  # far beyond the interpreter's stack
        deep = [deep]
    found = ckpt.too_deep({"model": {}, "notes": deep})
    assert found is not None and found.startswith("notes.0.0")


def test_load_refuses_a_too_deep_checkpoint(tmp_path: Path) -> None:
    deep: Any = {"leaf": 1}
    for _ in range(ckpt.MAX_NESTING + 5):
        deep = {"x": deep}
    path = tmp_path / "deep.pt"
    torch.save({"model": {"w": torch.zeros(1)}, "notes": deep}, path)
    with pytest.raises(ckpt.CheckpointError) as caught:
        ckpt.load(path)
    assert caught.value.reason == "too_deep" and caught.value.outcome_is_error
    assert caught.value.result_reason == "checkpoint_too_deep"
    assert caught.value.message.startswith("deep.pt: checkpoint nesting too deep to compare "
                                           "(over 100 levels at `notes.x.x")
