"""The example's own unit tests: what the training run relies on, checked without training.

They use only the standard library's ``unittest`` (no test dependency to install), so
``python -m unittest`` runs them wherever the example itself runs; mlready's runner runs
them as the ``tests`` check.
"""

from __future__ import annotations

import dataclasses
import unittest
from pathlib import Path

import torch
from charlm.config import ConfigError, config_from_dict, load_config
from charlm.data import Vocabulary, generate_corpus, windows
from charlm.model import CharMLP, loss_fn

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


class ConfigTest(unittest.TestCase):
    def test_the_bundled_configs_load(self) -> None:
        for name in ("smoke.yaml", "default.yaml"):
            with self.subTest(name=name):
                self.assertGreater(load_config(CONFIGS / name).train.max_steps, 0)

    def test_an_unknown_key_is_named(self) -> None:
        mapping = dataclasses.asdict(load_config(CONFIGS / "smoke.yaml"))
        mapping["optim"]["learning_rate"] = 0.1  # a typo of `lr` must not pass silently
        with self.assertRaisesRegex(ConfigError, "learning_rate"):
            config_from_dict(mapping)


class DataTest(unittest.TestCase):
    def test_the_corpus_depends_only_on_its_own_seed(self) -> None:
        self.assertEqual(generate_corpus(500, seed=7), generate_corpus(500, seed=7))
        self.assertNotEqual(generate_corpus(500, seed=7), generate_corpus(500, seed=8))

    def test_windows_pair_each_context_with_the_next_character(self) -> None:
        vocab = Vocabulary("abcab")
        pairs = windows(vocab.encode("abcab"), context=2)
        inputs, targets = pairs.tensors
        self.assertEqual(inputs.tolist(), [[0, 1], [1, 2], [2, 0]])
        self.assertEqual(targets.tolist(), [2, 0, 1])


class ModelTest(unittest.TestCase):
    def test_logits_have_one_column_per_character_and_a_finite_loss(self) -> None:
        cfg = load_config(CONFIGS / "smoke.yaml")
        model = CharMLP(vocab_size=11, context=cfg.data.context, cfg=cfg.model)
        ids = torch.zeros((4, cfg.data.context), dtype=torch.long)
        logits = model(ids)
        self.assertEqual(tuple(logits.shape), (4, 11))
        self.assertTrue(torch.isfinite(loss_fn(logits, torch.zeros(4, dtype=torch.long))))


if __name__ == "__main__":
    unittest.main()
