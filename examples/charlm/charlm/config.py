"""Typed, validated experiment configuration loaded from YAML.

Every hyper-parameter lives in a YAML file under ``configs/``; nothing is hard-coded at
a call site. Loading fails fast, naming the key, on a missing key, an unknown key (a
typo would otherwise be silently ignored) or a value of the wrong type.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A configuration file is malformed; the message names the offending key."""


@dataclasses.dataclass(frozen=True)
class DataConfig:
    """The generated corpus and how it is cut into (context, next character) examples."""

    corpus_seed: int  # fixed, so that the training seed never changes the dataset
    corpus_chars: int
    context: int
    val_fraction: float
    batch_size: int  # per process; the global batch is batch_size * world size
    num_workers: int


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Architecture of `charlm.model.CharMLP`."""

    embedding_dim: int
    hidden_dim: int
    dropout: float


@dataclasses.dataclass(frozen=True)
class OptimConfig:
    """AdamW and the linear warm-up schedule."""

    lr: float
    beta1: float
    beta2: float
    weight_decay: float
    grad_clip: float
    warmup_steps: int  # the schedule's horizon is fixed here, never derived from --max-steps
    warmup_start_factor: float


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Loop settings; ``seed`` and ``max_steps`` are the defaults the CLI may override."""

    seed: int
    max_steps: int
    save_every: int  # 0: save only at the end of the run
    deterministic: bool
    num_threads: int  # intra-op CPU threads; 0 keeps torch's default (one per core)


@dataclasses.dataclass(frozen=True)
class Config:
    """The whole experiment; stored in every checkpoint so a run can be rebuilt from it."""

    data: DataConfig
    model: ModelConfig
    optim: OptimConfig
    train: TrainConfig

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (ints, floats, strings, bools) for checkpoints and logs."""
        return dataclasses.asdict(self)


def _build(cls: type[Any], raw: object, where: str) -> Any:
    """Instantiate dataclass ``cls`` from ``raw``, checking keys and value types."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name in names:
        key = f"{where}.{name}" if where else name
        if name not in raw:
            raise ConfigError(f"{key}: missing")
        hint, value = hints[name], raw[name]
        if dataclasses.is_dataclass(hint):
            values[name] = _build(hint, value, key)
        elif hint is float and isinstance(value, int) and not isinstance(value, bool):
            values[name] = float(value)  # YAML reads `1` as an int; accept it for floats
        elif not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise ConfigError(f"{key}: expected {hint.__name__}, got {value!r}")
        else:
            values[name] = value
    return cls(**values)


def config_from_dict(raw: object) -> Config:
    """Validate a nested mapping (from YAML or a checkpoint) into a `Config`."""
    config: Config = _build(Config, raw, "")
    return config


def load_config(path: str | Path) -> Config:
    """Read and validate the YAML file at ``path``."""
    with Path(path).open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    try:
        return config_from_dict(raw)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def with_overrides(config: Config, seed: int | None, max_steps: int | None) -> Config:
    """Return ``config`` with the command-line seed and step budget applied."""
    train = config.train
    if seed is not None:
        train = dataclasses.replace(train, seed=seed)
    if max_steps is not None:
        train = dataclasses.replace(train, max_steps=max_steps)
    return dataclasses.replace(config, train=train)
