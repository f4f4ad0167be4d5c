"""Checkpoints: the only place the runner touches torch, imported lazily.

Loading is always ``torch.load(weights_only=True)``: a checkpoint that needs full
unpickling can run arbitrary code, and saying so is a finding, never a reason to
load it unsafely. Files are memory-mapped where the format allows. What a loaded
checkpoint holds (categories, its step counter) is read here; comparing two is
`checkpoint_compare`'s job.
"""

from __future__ import annotations

import contextlib
import glob
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = ("model", "optimizer", "scheduler", "scaler", "step", "rng", "data", "config")

_MODEL_KEYS = re.compile(r"^(model|models|state_dict|model_state(_dict)?|net|network|policy|"
                         r"actor|critic|module|ema|weights|params|q_net|value)$", re.I)
# Names a training loop gives its progress counter, best first: when a checkpoint holds
# several (`epoch` and `global_step`), the earlier name is the finer one.
STEP_NAMES = ("global_step", "iter_num", "iteration", "step", "n_iter", "num_timesteps",
              "timestep", "timesteps", "num_updates", "update", "updates", "iter", "it",
              "steps", "step_count", "train_step", "total_steps", "n_iters", "iters",
              "iterations", "current_epoch", "cur_epoch", "epoch", "epochs")
_STEP_KEYS = re.compile("^(" + "|".join(STEP_NAMES) + ")$", re.I)
# A counter under another name is only taken when its value is the step the run logged.
_STEP_LIKE = re.compile(r"(step|iter|epoch|timestep|update)", re.I)
# A counter may nest in a dict of no other category (`{"trainer": {"global_step": 40}}`,
# `{"state": {...}}`), this many levels down. Model, optimizer, scheduler, RNG, data and
# config entries are never searched: `optimizer.state.0.step` counts parameter updates
# and `config.epochs` is a target, not progress.
MAX_COUNTER_DEPTH = 3
_CONFIG_KEYS = re.compile(r"^(config|cfg|args|hparams|hyper_?parameters|settings|conf)$", re.I)
_RNG_KEYS = re.compile(r"(rng|random|generator)", re.I)
_DATA_KEYS = re.compile(r"(^data$|^data_|_data$|sampler|loader|dataset|data_position|iterator)",
                        re.I)
CPU_RNG_STATE_BYTES = 5056  # torch.get_rng_state() of the CPU Mersenne Twister
# Containers nested deeper than this are not walked: every walk here (flatten, compare)
# recurses, and a real checkpoint nests a handful of levels (optimizer state: four).
MAX_NESTING = 100


class CheckpointError(Exception):
    """A checkpoint could not be read or walked.

    ``reason``: ``needs_full_unpickling``, ``corrupted``, ``too_deep`` or ``torch_missing``.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(message)

    @property
    def outcome_is_error(self) -> bool:
        """True when the harness cannot judge the file (an error), not a finding on it."""
        return self.reason in ("torch_missing", "too_deep")

    @property
    def result_reason(self) -> str:
        """The check result's stable reason for this error."""
        return {"corrupted": "corrupted_checkpoint", "too_deep": "checkpoint_too_deep"}.get(
            self.reason, self.reason)


def prewarm() -> None:
    """Import torch now (e.g. in a thread while a training run works) so comparing later is fast."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "Failed to initialize NumPy" without numpy
        with contextlib.suppress(Exception):  # reported when a checkpoint is loaded
            import torch  # noqa: F401


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except Exception:
        return False
    return True


def find(pattern: str) -> list[Path]:
    """Files matching a rendered checkpoint glob (``**`` allowed), sorted."""
    matches = glob.glob(pattern, recursive=True)  # noqa: PTH207 - absolute, user-given pattern
    return sorted(Path(p) for p in matches if Path(p).is_file())


def load(path: Path) -> Any:
    """``torch.load(path, weights_only=True)`` on CPU; raises `CheckpointError` on failure."""
    try:
        import torch
    except ImportError:
        raise CheckpointError("torch_missing", "torch is not installed; install "
                                               "mlready-action[runner] to inspect checkpoints") \
            from None
    try:
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            obj = torch.load(path, map_location="cpu", weights_only=True)  # legacy format
    except RecursionError:
        raise CheckpointError("too_deep", f"{path.name}: checkpoint nesting too deep to "
                                          "load") from None
    except Exception as exc:
        text = str(exc)
        if "weights_only" in text or "Weights only load failed" in text:
            glob_match = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
            what = f"it pickles `{glob_match.group(1)}`" if glob_match else \
                "it holds objects beyond tensors and plain containers"
            raise CheckpointError("needs_full_unpickling",
                                  f"{path.name} needs full unpickling ({what}); save plain "
                                  "state dicts, numbers and strings (e.g. vars(args))") from None
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        raise CheckpointError("corrupted", f"{path.name} cannot be read: {first[:200]}") \
            from None
    deep = too_deep(obj)
    if deep is not None:
        raise CheckpointError("too_deep", f"{path.name}: checkpoint nesting too deep to "
                                          f"compare (over {MAX_NESTING} levels at "
                                          f"`{deep[:80]}...`)")
    return obj


def too_deep(obj: Any, limit: int = MAX_NESTING) -> str | None:
    """The dotted key where ``obj`` nests containers deeper than ``limit``, else None.

    Iterative, so measuring a 100,000-level nesting cannot itself exhaust the stack.
    """
    stack: list[tuple[Any, int, str]] = [(obj, 0, "")]
    while stack:
        node, depth, key = stack.pop()
        if isinstance(node, dict):
            items: list[tuple[object, Any]] = list(node.items())
        elif isinstance(node, list | tuple):
            items = list(enumerate(node))
        else:
            continue
        if depth >= limit:
            return key or "<root>"
        for sub, value in items:
            if isinstance(value, dict | list | tuple):
                shown = key if depth >= 8 else (f"{key}.{sub}" if key else str(sub))
                stack.append((value, depth + 1, shown))
    return None


def is_tensor(value: Any) -> bool:
    """A torch tensor, told without importing torch."""
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype")


def flatten(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, leaf) pairs; leaves are tensors, numbers, strings, bytes or None."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from flatten(value, f"{prefix}.{i}" if prefix else str(i))
    else:
        yield prefix, obj


def looks_like_state_dict(value: Any) -> bool:
    """A non-empty dict of tensors only: a model's bare ``state_dict()``."""
    return isinstance(value, dict) and bool(value) and all(is_tensor(v) for v in value.values())


def categorize(key: str, value: Any) -> str:
    """The category of a top-level checkpoint entry."""
    low = key.lower()
    if isinstance(value, dict) and "state" in value and "param_groups" in value:
        return "optimizer"
    if "optim" in low:
        return "optimizer"
    if "sched" in low or (isinstance(value, dict) and "last_epoch" in value):
        return "scheduler"
    if "scaler" in low or (isinstance(value, dict) and "_growth_tracker" in value):
        return "scaler"
    if _DATA_KEYS.search(low):
        return "data"
    if _RNG_KEYS.search(low):
        return "rng"
    if is_tensor(value) and str(value.dtype) == "torch.uint8" \
            and value.numel() == CPU_RNG_STATE_BYTES:
        return "rng"
    if _STEP_KEYS.match(low) and _counter_value(value) is not None:
        return "step"
    if _CONFIG_KEYS.match(low):
        return "config"
    if _MODEL_KEYS.match(low) or looks_like_state_dict(value):
        return "model"
    return "other"


def _counter_value(value: Any) -> float | None:
    """A progress counter's value: a real number, or a one-element numeric tensor."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(float(value)) else None
    if is_tensor(value) and value.numel() == 1 and not value.is_complex() \
            and str(value.dtype) != "torch.bool":
        number = float(value.item())
        return number if math.isfinite(number) else None
    return None


def step_counter(obj: Any, logged_step: int | None = None) -> tuple[str, float] | None:
    """(dotted key, value) of the checkpoint's step counter, or None when it holds none.

    Looks at top-level entries and, up to `MAX_COUNTER_DEPTH` levels down, inside
    trainer/state-like dicts. What the run logged decides first: a counter whose value
    is ``logged_step`` (the last step the run reported) beats any name, and is the only
    way a counter with an unlisted name (``env_steps_done``) is taken. Then top level
    before nested, then `STEP_NAMES` order.
    """
    if not isinstance(obj, dict) or looks_like_state_dict(obj):
        return None
    found: list[tuple[tuple[int, int, int], str, float]] = []
    stack: list[tuple[dict[Any, Any], str, int]] = [(obj, "", 0)]
    while stack:
        node, prefix, depth = stack.pop()
        for key, value in node.items():
            name = str(key)
            dotted = f"{prefix}.{name}" if prefix else name
            if isinstance(value, dict):
                if depth < MAX_COUNTER_DEPTH and categorize(name, value) == "other":
                    stack.append((value, dotted, depth + 1))
                continue
            number = _counter_value(value)
            if number is None:
                continue
            named = _STEP_KEYS.match(name) is not None
            matches_log = logged_step is not None and number == float(logged_step)
            if not named and not (matches_log and _STEP_LIKE.search(name)):
                continue
            rank = STEP_NAMES.index(name.lower()) if named else len(STEP_NAMES)
            found.append(((0 if matches_log else 1, depth, rank), dotted, number))
    if not found:
        return None
    _, dotted, number = min(found)
    return dotted, number


@dataclass(frozen=True)
class Contents:
    """What a checkpoint holds, by category."""

    size_bytes: int
    keys: dict[str, list[str]]  # category -> top-level keys
    rng_parts: list[str] = field(default_factory=list)  # python / numpy / torch / cuda
    step: float | None = None
    tensors: int = 0
    tensor_bytes: int = 0
    step_key: str | None = None  # dotted key of the counter `step` was read from

    def has(self, category: str) -> bool:
        return bool(self.keys.get(category))


def classify(obj: Any, size_bytes: int, logged_step: int | None = None) -> Contents:
    """Sort a loaded checkpoint's top-level keys into `CATEGORIES` (plus ``other``).

    The step counter may also be nested (see `step_counter`, which ``logged_step``,
    the last step the run logged, helps decide); it is listed under ``step`` by its
    dotted key.
    """
    keys: dict[str, list[str]] = {}
    rng_parts: set[str] = set()
    items: list[tuple[str, Any]]
    if looks_like_state_dict(obj):
        items = [("<state_dict>", obj)]
        keys["model"] = ["<state_dict>"]
    else:
        items = list(obj.items()) if isinstance(obj, dict) else [("<root>", obj)]
        for key, value in items:
            cat = categorize(str(key), value)
            keys.setdefault(cat, []).append(str(key))
            if cat == "rng":
                for sub, _ in flatten(value, str(key)):
                    for part in ("python", "numpy", "torch", "cuda", "cpu", "env"):
                        if part in sub.lower():
                            rng_parts.add(part)
                if not rng_parts:
                    rng_parts.add("torch")
    counter = step_counter(obj, logged_step)
    step = counter[1] if counter is not None else None
    if counter is not None and counter[0] not in keys.get("step", []):
        keys.setdefault("step", []).append(counter[0])
    tensors = 0
    tensor_bytes = 0
    for _, leaf in flatten(obj):
        if is_tensor(leaf):
            tensors += 1
            tensor_bytes += int(leaf.numel()) * int(leaf.element_size())
    return Contents(size_bytes, keys, sorted(rng_parts), step, tensors, tensor_bytes,
                    counter[0] if counter is not None else None)


def counters(obj: Any, logged_step: int | None = None) -> dict[str, float]:
    """Progress counters a resume must restore: step, optimizer step, scheduler epoch."""
    out: dict[str, float] = {}
    if not isinstance(obj, dict) or looks_like_state_dict(obj):
        return out
    counter = step_counter(obj, logged_step)
    if counter is not None:
        out["step"] = counter[1]
    for key, value in obj.items():
        cat = categorize(str(key), value)
        if cat == "optimizer" and "optimizer_step" not in out:
            for leaf_key, leaf in flatten(value):
                if leaf_key.endswith(".step") and ".state." in f".{leaf_key}":
                    number = float(leaf.item()) if is_tensor(leaf) else float(leaf)
                    out["optimizer_step"] = number
                    break
        elif (cat == "scheduler" and "scheduler_epoch" not in out and isinstance(value, dict)
              and isinstance(value.get("last_epoch"), int | float)):
            out["scheduler_epoch"] = float(value["last_epoch"])
    return out
