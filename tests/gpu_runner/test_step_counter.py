"""Finding a checkpoint's step counter under the names training loops give it (no torch:
counters are plain numbers; the tensor case is in test_checkpoint.py)."""

from __future__ import annotations

from typing import Any

import pytest

from mlready.gpu_runner import checkpoint as ckpt

MODEL: dict[str, Any] = {"model": {"w": [1.0]}, "optimizer": {"state": {0: {"step": 99}},
                                                             "param_groups": [{"lr": 0.1}]}}


@pytest.mark.parametrize("name", ["iter_num", "global_step", "num_timesteps", "iteration",
                                  "epoch", "n_iter", "step", "num_updates", "it"])
def test_common_counter_names_are_the_step(name: str) -> None:
    contents = ckpt.classify({**MODEL, name: 40}, 1)
    assert contents.has("step") and contents.step == 40.0 and contents.step_key == name
    assert contents.keys["step"] == [name]


@pytest.mark.parametrize(("holder", "inner"), [("trainer", "global_step"),
                                               ("state", "iter_num"),
                                               ("train_state", "num_timesteps")])
def test_counter_nested_in_a_trainer_or_state_dict(holder: str, inner: str) -> None:
    obj = {**MODEL, holder: {inner: 40, "best_loss": 0.3}}
    contents = ckpt.classify(obj, 1)
    assert (contents.step, contents.step_key) == (40.0, f"{holder}.{inner}")
    assert contents.keys["step"] == [f"{holder}.{inner}"]
    assert ckpt.counters(obj)["step"] == 40.0


def test_optimizer_steps_and_config_targets_are_not_the_counter() -> None:
    obj = {**MODEL, "config": {"epochs": 10, "max_steps": 500}}
    contents = ckpt.classify(obj, 1)
    assert not contents.has("step") and contents.step is None
    assert "step" not in ckpt.counters(obj)


def test_what_the_run_logged_decides_between_counters() -> None:
    obj = {**MODEL, "epoch": 2, "trainer": {"global_step": 40}}
    assert ckpt.step_counter(obj) == ("epoch", 2.0)  # top level first without a log
    assert ckpt.step_counter(obj, logged_step=40) == ("trainer.global_step", 40.0)
    # Both at top level: the finer name first.
    assert ckpt.step_counter({**MODEL, "epoch": 2, "iter_num": 40}) == ("iter_num", 40.0)


def test_an_unlisted_name_counts_only_when_it_equals_the_logged_step() -> None:
    obj = {**MODEL, "env_steps_done": 300, "best_return": 300}
    assert ckpt.step_counter(obj) is None
    assert ckpt.step_counter(obj, logged_step=300) == ("env_steps_done", 300.0)
    assert ckpt.step_counter(obj, logged_step=200) is None
    assert ckpt.classify(obj, 1, logged_step=300).step_key == "env_steps_done"


def test_booleans_and_non_finite_values_are_no_counter() -> None:
    assert ckpt.step_counter({"step": True}) is None
    assert ckpt.step_counter({"step": float("nan")}) is None
    assert ckpt.step_counter({"trainer": {"a": {"b": {"c": {"step": 1}}}}}) is None  # too deep
    assert ckpt.step_counter({"trainer": {"a": {"b": {"step": 1}}}}) == ("trainer.a.b.step",
                                                                         1.0)


def test_no_counter_outside_a_dict_of_entries() -> None:
    assert ckpt.step_counter([{"step": 1}]) is None
    assert ckpt.counters([{"step": 1}]) == {}


def test_the_first_optimizer_gives_the_optimizer_step() -> None:
    obj = {"optimizer": {"state": {0: {"momentum": 2.0, "step": 5}},
                         "param_groups": [{"lr": 0.1, "step": 99}]},
           "optimizer_critic": {"state": {0: {"step": 7}}, "param_groups": []}}
    assert ckpt.counters(obj) == {"optimizer_step": 5.0}
