"""Shared analysis for the hard-coded hyper-parameter rules (MLR101-MLR106).

One pass over a file finds every numeric literal that lands in a hyper-parameter
slot of a known training API (optimizers, LR schedulers, ``DataLoader``, Lightning
and Hugging Face trainers, TRL configs, Stable-Baselines3 algorithms) or bounds a
loop that trains. The sibling rules share that pass through ``ctx.memo`` and each
keeps the findings with its own code, so a file is walked at most once however many
of them are selected.

Precision comes first, because a false positive costs more than a miss:

- only *literals* are findings: ``3e-4``, ``-1e-3``, ``2 ** 10``, ``int(1e6)``,
  ``(0.9, 0.999)``. A name is followed only when it is bound exactly once, in the
  scope that the call sees, by ``name = <literal>``: a parameter, an import, an
  attribute (``args.lr``, ``cfg.optim.lr``) or anything computed is configuration;
- a "neutral" literal is not a choice worth configuring: ``0`` everywhere (off, as in
  ``weight_decay=0``), ``1`` for batch sizes (the default, and the usual inference
  setting), ``-1`` for training lengths (Lightning's and HF's "no limit");
- config modules (``config.py``, ``settings.py``, ``hparams.py``, files under
  ``configs/``...) *are* the configuration, test files are skipped unless the
  ``include-tests`` option is set, and a library's own calls to its own API (torch's
  sources calling ``DataLoader``) are library defaults, not a user's choices.

``functools.partial(torch.optim.AdamW, lr=1e-3)`` is read as the call it stands for.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.hparams.options import BATCH_SIZE as BATCH_SIZE
from mlready.hooks.rules.hparams.options import INCLUDE_TESTS as INCLUDE_TESTS
from mlready.hooks.rules.hparams.options import LEARNING_RATE as LEARNING_RATE
from mlready.hooks.rules.hparams.options import OPTIMIZER as OPTIMIZER
from mlready.hooks.rules.hparams.options import OPTIONS as OPTIONS
from mlready.hooks.rules.hparams.options import RL as RL
from mlready.hooks.rules.hparams.options import SCHEDULE as SCHEDULE
from mlready.hooks.rules.hparams.options import TRAINING_LENGTH as TRAINING_LENGTH
from mlready.hooks.training import loop_trains, range_loop

MEMO_KEY = "mlready.rules._hparams"


class Slot(NamedTuple):
    """A hyper-parameter slot: which rule owns it, what to call it, what is neutral."""

    code: str
    what: str
    neutral: frozenset[float] = frozenset({0.0})


class Family(NamedTuple):
    """Callables sharing a signature: qualified-name roots, final names, their slots.

    ``positional`` names the parameters by position (index 0 is the first argument),
    so that ``SGD(params, 0.1)`` is read as ``lr=0.1``; an empty name marks a slot
    that is positional but never a hyper-parameter.
    """

    roots: tuple[str, ...]
    names: tuple[str, ...]
    slots: Mapping[str, Slot]
    positional: tuple[str, ...] = ()


class Finding(NamedTuple):
    """One hard-coded value, before it becomes a `Diagnostic` of its rule."""

    code: str
    node: ast.AST
    message: str
    fix: str


# --- slots -------------------------------------------------------------------------

_BATCH_NEUTRAL = frozenset({0.0, 1.0})
_LENGTH_NEUTRAL = frozenset({0.0, -1.0})

LR = Slot(LEARNING_RATE, "learning rate")
MAX_LR = Slot(LEARNING_RATE, "peak learning rate")
BASE_LR = Slot(LEARNING_RATE, "base learning rate")
SWA_LR = Slot(LEARNING_RATE, "SWA learning rate")
BATCH = Slot(BATCH_SIZE, "batch size", _BATCH_NEUTRAL)
TRAIN_BATCH = Slot(BATCH_SIZE, "per-device training batch size", _BATCH_NEUTRAL)
EVAL_BATCH = Slot(BATCH_SIZE, "per-device evaluation batch size", _BATCH_NEUTRAL)
ACCUMULATION = Slot(BATCH_SIZE, "gradient accumulation", _BATCH_NEUTRAL)
MINI_BATCH = Slot(BATCH_SIZE, "mini-batch size", _BATCH_NEUTRAL)
ROLLOUT = Slot(BATCH_SIZE, "rollout length per environment", _BATCH_NEUTRAL)
EPOCHS = Slot(TRAINING_LENGTH, "number of epochs", _LENGTH_NEUTRAL)
MIN_EPOCHS = Slot(TRAINING_LENGTH, "minimum number of epochs", _LENGTH_NEUTRAL)
STEPS = Slot(TRAINING_LENGTH, "number of training steps", _LENGTH_NEUTRAL)
MIN_STEPS = Slot(TRAINING_LENGTH, "minimum number of training steps", _LENGTH_NEUTRAL)
TIMESTEPS = Slot(TRAINING_LENGTH, "number of environment timesteps", _LENGTH_NEUTRAL)
LOOP_BOUND = Slot(TRAINING_LENGTH, "training-loop bound", frozenset({0.0, 1.0}))
WEIGHT_DECAY = Slot(OPTIMIZER, "weight decay")
MOMENTUM = Slot(OPTIMIZER, "momentum")
DAMPENING = Slot(OPTIMIZER, "momentum dampening")
BETAS = Slot(OPTIMIZER, "betas tuple")
BETA1 = Slot(OPTIMIZER, "Adam beta1")
BETA2 = Slot(OPTIMIZER, "Adam beta2")
GRAD_CLIP = Slot(OPTIMIZER, "gradient-clipping threshold")
STEP_SIZE = Slot(SCHEDULE, "LR step size", frozenset({0.0, 1.0}))  # 1: decay every epoch
DECAY = Slot(SCHEDULE, "LR decay factor")
MILESTONES = Slot(SCHEDULE, "LR milestone list")
FACTOR = Slot(SCHEDULE, "LR factor")
START_FACTOR = Slot(SCHEDULE, "warm-up start factor")
END_FACTOR = Slot(SCHEDULE, "LR end factor")
TOTAL_ITERS = Slot(SCHEDULE, "LR schedule length")
POWER = Slot(SCHEDULE, "LR decay power")
T_MAX = Slot(SCHEDULE, "LR cycle length")
ETA_MIN = Slot(SCHEDULE, "minimum learning rate")
T_MULT = Slot(SCHEDULE, "LR cycle-length multiplier", frozenset({0.0, 1.0}))
SCHEDULE_STEPS = Slot(SCHEDULE, "number of LR-schedule steps")
SCHEDULE_EPOCHS = Slot(SCHEDULE, "number of LR-schedule epochs")
PCT_START = Slot(SCHEDULE, "warm-up fraction")
PATIENCE = Slot(SCHEDULE, "LR plateau patience")
WARMUP_STEPS = Slot(SCHEDULE, "number of warm-up steps")
WARMUP_RATIO = Slot(SCHEDULE, "warm-up ratio")
ANNEAL_EPOCHS = Slot(SCHEDULE, "SWA annealing epochs")
DISCOUNT = Slot(RL, "discount factor `gamma`")
GAE_LAMBDA = Slot(RL, "GAE lambda")
CLIP_RANGE = Slot(RL, "PPO clip range")
ENT_COEF = Slot(RL, "entropy coefficient")
VF_COEF = Slot(RL, "value-function coefficient")
TAU = Slot(RL, "target-network update rate `tau`")
BUFFER = Slot(RL, "replay-buffer size")
LEARNING_STARTS = Slot(RL, "number of warm-up steps before learning")
TARGET_UPDATE = Slot(RL, "target-network update interval")
EXPLORATION = Slot(RL, "exploration fraction")
FINAL_EPS = Slot(RL, "final exploration epsilon")
UPDATE_EPOCHS = Slot(RL, "number of epochs per policy update")
KL_BETA = Slot(RL, "KL/preference `beta`")
KL_COEF = Slot(RL, "KL coefficient")

# --- signatures --------------------------------------------------------------------

_TORCH_OPTIM = ("torch.optim",)
_OPTIM_SLOTS: dict[str, Slot] = {
    "lr": LR, "momentum": MOMENTUM, "dampening": DAMPENING,
    "weight_decay": WEIGHT_DECAY, "betas": BETAS,
}


def _optimizer(name: str, *positional: str, roots: tuple[str, ...] = _TORCH_OPTIM) -> Family:
    return Family(roots, (name,), _OPTIM_SLOTS, ("params", *positional))


def _sched(name: str, slots: Mapping[str, Slot], *positional: str) -> Family:
    return Family(("torch.optim",), (name,), slots, ("optimizer", *positional))


_TRAINING_ARGS_SLOTS: dict[str, Slot] = {
    "learning_rate": LR,
    "per_device_train_batch_size": TRAIN_BATCH,
    "per_device_eval_batch_size": EVAL_BATCH,
    "gradient_accumulation_steps": ACCUMULATION,
    "num_train_epochs": EPOCHS,
    "max_steps": STEPS,
    "weight_decay": WEIGHT_DECAY,
    "adam_beta1": BETA1,
    "adam_beta2": BETA2,
    "max_grad_norm": GRAD_CLIP,
    "warmup_steps": WARMUP_STEPS,
    "warmup_ratio": WARMUP_RATIO,
    # TRL's preference and RL trainers (DPO, ORPO, KTO, CPO, GRPO, PPO configs).
    "beta": KL_BETA,
    "kl_coef": KL_COEF,
    "init_kl_coef": KL_COEF,
    "cliprange": CLIP_RANGE,
    "vf_coef": VF_COEF,
    "gamma": DISCOUNT,
    "lam": GAE_LAMBDA,
    "batch_size": BATCH,
    "mini_batch_size": MINI_BATCH,
    "ppo_epochs": UPDATE_EPOCHS,
    "num_ppo_epochs": UPDATE_EPOCHS,
}

_SB3_SLOTS: dict[str, Slot] = {
    "learning_rate": LR,
    "batch_size": BATCH,
    "n_steps": ROLLOUT,
    "gamma": DISCOUNT,
    "gae_lambda": GAE_LAMBDA,
    "clip_range": CLIP_RANGE,
    "ent_coef": ENT_COEF,
    "vf_coef": VF_COEF,
    "max_grad_norm": GRAD_CLIP,
    "tau": TAU,
    "buffer_size": BUFFER,
    "learning_starts": LEARNING_STARTS,
    "target_update_interval": TARGET_UPDATE,
    "exploration_fraction": EXPLORATION,
    "exploration_final_eps": FINAL_EPS,
    "n_epochs": UPDATE_EPOCHS,
}

_HF_WARMUP = {"num_warmup_steps": WARMUP_STEPS, "num_training_steps": SCHEDULE_STEPS}

FAMILIES: tuple[Family, ...] = (
    # torch.optim: every constructor takes (params, lr, ...); positions from torch 2.x.
    _optimizer("SGD", "lr", "momentum", "dampening", "weight_decay"),
    _optimizer("Adam", "lr", "betas", "eps", "weight_decay"),
    _optimizer("AdamW", "lr", "betas", "eps", "weight_decay"),
    _optimizer("Adamax", "lr", "betas", "eps", "weight_decay"),
    _optimizer("NAdam", "lr", "betas", "eps", "weight_decay"),
    _optimizer("RAdam", "lr", "betas", "eps", "weight_decay"),
    _optimizer("SparseAdam", "lr", "betas"),
    _optimizer("Adagrad", "lr", "lr_decay", "weight_decay"),
    _optimizer("Adadelta", "lr", "rho", "eps", "weight_decay"),
    _optimizer("RMSprop", "lr", "alpha", "eps", "weight_decay", "momentum"),
    _optimizer("Rprop", "lr"),
    _optimizer("ASGD", "lr", "lambd", "alpha", "t0", "weight_decay"),
    _optimizer("LBFGS", "lr"),
    _optimizer("Adafactor", "lr", "beta2_decay", "eps", "d", "weight_decay"),
    _optimizer("Muon", "lr", "weight_decay", "momentum"),
    # transformers' own optimizer (deprecated, still common) and bitsandbytes'.
    _optimizer("AdamW", "lr", "betas", "eps", "weight_decay", roots=("transformers",)),
    Family(("bitsandbytes",), ("Adam", "AdamW", "Adam8bit", "AdamW8bit", "PagedAdam",
                               "PagedAdamW", "PagedAdamW8bit", "PagedAdamW32bit", "Lion",
                               "Lion8bit", "PagedLion", "SGD", "SGD8bit"),
           _OPTIM_SLOTS, ("params", "lr")),
    # torch.optim.lr_scheduler
    _sched("StepLR", {"step_size": STEP_SIZE, "gamma": DECAY}, "step_size", "gamma"),
    _sched("MultiStepLR", {"milestones": MILESTONES, "gamma": DECAY}, "milestones", "gamma"),
    _sched("ExponentialLR", {"gamma": DECAY}, "gamma"),
    _sched("ConstantLR", {"factor": FACTOR, "total_iters": TOTAL_ITERS},
           "factor", "total_iters"),
    _sched("LinearLR", {"start_factor": START_FACTOR, "end_factor": END_FACTOR,
                        "total_iters": TOTAL_ITERS},
           "start_factor", "end_factor", "total_iters"),
    _sched("PolynomialLR", {"total_iters": TOTAL_ITERS, "power": POWER},
           "total_iters", "power"),
    _sched("SequentialLR", {"milestones": MILESTONES}, "schedulers", "milestones"),
    _sched("CosineAnnealingLR", {"T_max": T_MAX, "eta_min": ETA_MIN}, "T_max", "eta_min"),
    _sched("CosineAnnealingWarmRestarts", {"T_0": T_MAX, "T_mult": T_MULT, "eta_min": ETA_MIN},
           "T_0", "T_mult", "eta_min"),
    _sched("ReduceLROnPlateau", {"factor": FACTOR, "patience": PATIENCE},
           "mode", "factor", "patience"),
    _sched("CyclicLR", {"base_lr": BASE_LR, "max_lr": MAX_LR, "step_size_up": STEP_SIZE},
           "base_lr", "max_lr", "step_size_up"),
    _sched("OneCycleLR", {"max_lr": MAX_LR, "total_steps": SCHEDULE_STEPS,
                          "epochs": SCHEDULE_EPOCHS, "pct_start": PCT_START},
           "max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start"),
    _sched("SWALR", {"swa_lr": SWA_LR, "anneal_epochs": ANNEAL_EPOCHS},
           "swa_lr", "anneal_epochs"),
    # transformers' warm-up schedules: (optimizer, num_warmup_steps, num_training_steps, ...)
    Family(("transformers",), ("get_linear_schedule_with_warmup",
                               "get_cosine_schedule_with_warmup",
                               "get_cosine_with_hard_restarts_schedule_with_warmup",
                               "get_polynomial_decay_schedule_with_warmup",
                               "get_inverse_sqrt_schedule",
                               "get_constant_schedule_with_warmup"),
           _HF_WARMUP, ("optimizer", "num_warmup_steps", "num_training_steps")),
    Family(("transformers",), ("get_scheduler",), _HF_WARMUP),
    # torch.nn.utils.clip_grad_norm_(parameters, max_norm, ...) and clip_grad_value_.
    Family(("torch.nn.utils",), ("clip_grad_norm_", "clip_grad_norm"),
           {"max_norm": GRAD_CLIP}, ("parameters", "max_norm")),
    Family(("torch.nn.utils",), ("clip_grad_value_",),
           {"clip_value": GRAD_CLIP}, ("parameters", "clip_value")),
    # torch.utils.data.DataLoader(dataset, batch_size=1, ...)
    Family(("torch.utils.data",), ("DataLoader",), {"batch_size": BATCH},
           ("dataset", "batch_size")),
    # Lightning's Trainer: keyword-only in practice.
    Family(("lightning", "pytorch_lightning"), ("Trainer",), {
        "max_epochs": EPOCHS, "min_epochs": MIN_EPOCHS, "max_steps": STEPS,
        "min_steps": MIN_STEPS, "accumulate_grad_batches": ACCUMULATION,
        "gradient_clip_val": GRAD_CLIP,
    }),
    # Hugging Face TrainingArguments and TRL's configs derived from it (keyword-only).
    Family(("transformers",), ("TrainingArguments", "Seq2SeqTrainingArguments"),
           _TRAINING_ARGS_SLOTS),
    Family(("trl",), ("SFTConfig", "DPOConfig", "ORPOConfig", "KTOConfig", "CPOConfig",
                      "GRPOConfig", "PPOConfig", "RLOOConfig", "RewardConfig",
                      "OnlineDPOConfig", "BCOConfig", "GKDConfig", "NashMDConfig",
                      "XPOConfig", "PRMConfig"),
           _TRAINING_ARGS_SLOTS),
    # Stable-Baselines3 (and sb3-contrib): (policy, env, learning_rate, ...) then keywords.
    Family(("stable_baselines3", "sb3_contrib"),
           ("PPO", "A2C", "DQN", "SAC", "TD3", "DDPG", "HER", "RecurrentPPO", "MaskablePPO",
            "TRPO", "TQC", "QRDQN", "CrossQ", "ARS"),
           _SB3_SLOTS, ("policy", "env", "learning_rate")),
)

# SB3's `model.learn(total_timesteps=...)`: the receiver is an instance, so the method
# is matched by name and keyword (positional only where the file imports SB3).
LEARN_ROOTS = ("stable_baselines3", "sb3_contrib")


@cache
def _by_name() -> dict[str, tuple[Family, ...]]:
    table: dict[str, list[Family]] = {}
    for family in FAMILIES:
        for name in family.names:
            table.setdefault(name, []).append(family)
    return {name: tuple(families) for name, families in table.items()}


def match_family(qualname: str) -> Family | None:
    """The family whose roots and final names match a resolved callee, if any."""
    final = qualname.rpartition(".")[2]
    for family in _by_name().get(final, ()):
        for root in family.roots:
            if qualname.startswith(root + "."):
                return family
    return None


# Text prefilters, plain substring tests (a regex alternation costs more than the
# rules): a callee can only resolve into a family if its module's name occurs in the
# import that binds it, and a loop can only train if one of the evidence words occurs.
CALL_WORDS = ("optim", "DataLoader", "lightning", "transformers", "trl", "bitsandbytes",
              "stable_baselines3", "sb3_contrib", ".learn(", "clip_grad")
LOOP_WORDS = (".backward(", ".step(", "train_", "fit_")


def _mentions(source: str, words: tuple[str, ...]) -> bool:
    return any(word in source for word in words)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_SCOPES_NAMED = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


# --- literals ----------------------------------------------------------------------

Value = float | tuple[float, ...]

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _number(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        return _binop(node)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("int", "float") and len(node.args) == 1 and not node.keywords):
        return _number(node.args[0])
    return None


def _binop(node: ast.BinOp) -> float | None:
    left, right = _number(node.left), _number(node.right)
    if left is None or right is None:
        return None
    try:
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Pow):
            return float(left**right) if abs(right) <= 64 else math.inf
        if isinstance(node.op, ast.Div):
            return left / right
        return left // right
    except (ZeroDivisionError, OverflowError, TypeError):
        return math.nan


def literal_value(node: ast.AST) -> Value | None:
    """The value of a numeric literal, literal arithmetic or a tuple/list of them."""
    if isinstance(node, ast.Tuple | ast.List):
        if not node.elts:
            return None
        items = [_number(elt) for elt in node.elts]
        if any(item is None for item in items):
            return None
        return tuple(item for item in items if item is not None)
    return _number(node)


def is_neutral(value: Value, slot: Slot) -> bool:
    if isinstance(value, tuple):
        return all(item == 0.0 for item in value)
    return value in slot.neutral


def source_text(ctx: FileContext, node: ast.AST) -> str:
    """The node's text as written (UTF-8 byte columns), or its unparsed form."""
    line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    if line and line == end and line <= len(ctx.lines):
        raw = ctx.lines[line - 1].encode()
        start, stop = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)
        text = raw[start:stop].decode(errors="replace")
        if text:
            return text
    return ast.unparse(node)


# --- where literals are configuration ------------------------------------------------

CONFIG_MODULES = frozenset({
    "config", "configs", "conf", "cfg", "settings", "hparams", "hyperparams",
    "hyperparameters", "constants", "consts", "defaults",
})
CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg", "hparams"})
def is_config_module(path: str, extra: frozenset[str] = frozenset()) -> bool:
    """``config.py``, ``settings.py``, ``hparams.py``..., ``*_config.py``, a package of
    that name, or any file under configs/, conf/, cfg/: such a module *is* the config,
    and its literals (even in calls, as in python-style config files) are the settings."""
    parts = path.removesuffix(".py").split("/")
    stem = parts[-1]
    if stem == "__init__" and len(parts) > 1:
        stem = parts[-2]
    names = CONFIG_MODULES | extra
    return (stem in names or any(part in CONFIG_DIRS for part in parts[:-1])
            or stem.endswith(("_config", "_configs", "_hparams", "_settings")))


# --- name resolution to single literal bindings -------------------------------------

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass
class _Bindings:
    """How often each name is bound in one scope, and its value when bound once simply."""

    count: dict[str, int] = field(default_factory=dict)
    simple: dict[str, ast.AST] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)  # global/nonlocal: give up on these

    def bind(self, name: str, value: ast.AST | None = None) -> None:
        self.count[name] = self.count.get(name, 0) + 1
        if value is not None:
            self.simple[name] = value


def _scope_bindings(scope: Scope) -> _Bindings:
    result = _Bindings()
    if not isinstance(scope, ast.Module):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                result.bind(arg.arg)
    body: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    stack = body
    while stack:
        node = stack.pop()
        _bind_node(node, result)
        if isinstance(node, _SCOPES):
            continue  # a nested scope binds its own name only (done in _bind_node)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return result


def _bind_node(node: ast.AST, result: _Bindings) -> None:
    if isinstance(node, ast.Assign):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            result.bind(node.targets[0].id, node.value)
            return
        for target in node.targets:
            _bind_targets(target, result)
    elif isinstance(node, ast.AnnAssign):
        if isinstance(node.target, ast.Name):
            result.bind(node.target.id, node.value)
    elif isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.NamedExpr):
        _bind_targets(node.target, result)
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        _bind_targets(node.optional_vars, result)
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            result.bind((alias.asname or alias.name).split(".")[0])
    elif isinstance(node, _SCOPES_NAMED | ast.ExceptHandler):
        if node.name:
            result.bind(node.name)
    elif isinstance(node, ast.Global | ast.Nonlocal):
        result.opaque.update(node.names)
    elif isinstance(node, ast.Delete):
        for target in node.targets:
            _bind_targets(target, result)
    elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
        result.bind(node.name)


def _bind_targets(target: ast.AST, result: _Bindings) -> None:
    for sub in ast.walk(target):
        if isinstance(sub, ast.Name):
            result.bind(sub.id)
        elif isinstance(sub, ast.MatchAs | ast.MatchStar) and sub.name:
            result.bind(sub.name)


class Resolved(NamedTuple):
    """A name that stands for a literal: the literal node and the binding's line."""

    name: str
    value_node: ast.AST
    line: int


class _Resolver:
    """Follows a name through the enclosing function scopes to a single literal binding.

    ``dynamic_globals``: the module rewrites its globals at run time (nanoGPT's
    ``exec(open("configurator.py").read())`` overrides them from the command line and
    config files; ``globals().update(...)`` likewise), so a module-level literal there
    is only a default.
    """

    def __init__(self, dynamic_globals: bool = False) -> None:
        self.dynamic_globals = dynamic_globals
        self._cache: dict[int, _Bindings] = {}

    def bindings(self, scope: Scope) -> _Bindings:
        key = id(scope)
        if key not in self._cache:
            self._cache[key] = _scope_bindings(scope)
        return self._cache[key]

    def resolve(self, name: ast.Name, scopes: tuple[Scope, ...]) -> Resolved | None:
        for scope in reversed(scopes):
            info = self.bindings(scope)
            if name.id in info.opaque:
                return None
            count = info.count.get(name.id, 0)
            if count == 0:
                continue
            value = info.simple.get(name.id)
            if count != 1 or value is None or literal_value(value) is None:
                return None
            if self.dynamic_globals and isinstance(scope, ast.Module):
                return None
            return Resolved(name.id, value, getattr(value, "lineno", 0))
        return None


# --- the pass ------------------------------------------------------------------------


def _option_modules(ctx: FileContext) -> frozenset[str]:
    extra = ctx.options.get("config-modules", ())
    if not isinstance(extra, list | tuple):
        return frozenset()
    return frozenset(str(item) for item in extra)


def diagnostics(ctx: FileContext, code: str) -> Iterator[Diagnostic]:
    """The shared pass's findings for one rule, as diagnostics at the literal."""
    for finding in findings(ctx):
        if finding.code == code:
            yield ctx.diagnostic(code, finding.node, finding.message, finding.fix)


def findings(ctx: FileContext) -> tuple[Finding, ...]:
    """Every hard-coded hyper-parameter in the file, shared by MLR101-MLR106."""
    return ctx.memo(MEMO_KEY, lambda: tuple(_analyse(ctx)))


def _analyse(ctx: FileContext) -> Iterator[Finding]:
    if ctx.tree is None:
        return
    if not ctx.options.get("include-tests", False) and is_test_path(ctx.path):
        return
    if is_config_module(ctx.path, _option_modules(ctx)):
        return
    calls = _mentions(ctx.source, CALL_WORDS)
    loops = "range(" in ctx.source and _mentions(ctx.source, LOOP_WORDS)
    if not (calls or loops):
        return
    yield from _Walker(ctx, calls, loops).found


def _rewrites_globals(ctx: FileContext) -> bool:
    """``exec(...)`` or ``globals()`` at module level or anywhere: globals are not fixed."""
    if "exec(" not in ctx.source and "globals()" not in ctx.source:
        return False
    return any(isinstance(call.func, ast.Name) and call.func.id in ("exec", "globals")
               for call in ctx.nodes(ast.Call))


class _Walker:
    """Reads the engine's shared node index; scopes are found only for names to follow."""

    def __init__(self, ctx: FileContext, calls: bool, loops: bool) -> None:
        self.ctx = ctx
        self.resolver = _Resolver(dynamic_globals=_rewrites_globals(ctx))
        self.found: list[Finding] = []
        # A library's own sources call its API with its own defaults: torch/ calling
        # torch.optim is not a user's choice. Seen from the module name, the root's
        # name, or the package folder right under site-packages (when checked from a
        # root above it).
        folders = ctx.path.split("/")[:-1]
        self.self_roots = {ctx.module.split(".")[0], ctx.root.name}
        for marker in ("site-packages", "dist-packages"):
            if marker in folders[:-1]:
                self.self_roots.add(folders[folders.index(marker) + 1])
        self._functions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] | None = None
        if calls:
            names = _by_name()
            for call in ctx.nodes(ast.Call):
                func = call.func
                final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if final in names or final in ("learn", "partial"):
                    self._call(call)
        if loops:
            for loop in ctx.nodes(ast.For):
                self._loop(loop)
            for async_loop in ctx.nodes(ast.AsyncFor):
                self._loop(async_loop)

    def _scopes_at(self, node: ast.AST) -> tuple[Scope, ...]:
        """The module and the functions whose span contains ``node``, outermost first."""
        if self._functions is None:
            self._functions = self.ctx.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        assert self.ctx.tree is not None
        here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        inside = [
            f for f in self._functions
            if (f.lineno, f.col_offset) < here <= (f.end_lineno or 0, f.end_col_offset or 0)
        ]
        return (self.ctx.tree, *inside)

    def _comprehension_binds(self, name: ast.Name) -> bool:
        """Whether a comprehension around ``name`` binds it (``[f(lr=lr) for lr in grid]``)."""
        here = (name.lineno, name.col_offset)
        comps: list[ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp] = [
            *self.ctx.nodes(ast.ListComp), *self.ctx.nodes(ast.SetComp),
            *self.ctx.nodes(ast.DictComp), *self.ctx.nodes(ast.GeneratorExp)]
        for comp in comps:
            if (comp.lineno, comp.col_offset) <= here <= (comp.end_lineno or 0,
                                                          comp.end_col_offset or 0):
                targets = (sub for gen in comp.generators for sub in ast.walk(gen.target))
                if any(isinstance(t, ast.Name) and t.id == name.id for t in targets):
                    return True
        return False

    def _follow(self, node: ast.AST) -> tuple[Value | None, Resolved | None]:
        """A literal's value, or the value a name is bound to once; else (None, None)."""
        value = literal_value(node)
        if value is not None or not isinstance(node, ast.Name):
            return value, None
        if self._comprehension_binds(node):
            return None, None
        resolved = self.resolver.resolve(node, self._scopes_at(node))
        if resolved is None:
            return None, None
        return literal_value(resolved.value_node), resolved

    # calls

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "learn":
            self._learn(call)
            return
        qualname = self.ctx.resolver.qualname(func)
        args: list[ast.expr] = call.args
        if qualname == "functools.partial" and args:
            # partial(torch.optim.Adam, lr=1e-3): the same call, made later.
            qualname, args = self.ctx.resolver.qualname(args[0]), args[1:]
        if qualname is None:
            return
        family = match_family(qualname)
        if family is None or qualname.split(".")[0] in self.self_roots:
            return
        for index, arg in enumerate(args):
            if isinstance(arg, ast.Starred) or index >= len(family.positional):
                break
            slot = family.slots.get(family.positional[index])
            if slot is not None:
                self._check(qualname, family.positional[index], arg, slot, keyword=False)
        for given in call.keywords:
            slot = family.slots.get(given.arg or "")
            if given.arg is not None and slot is not None:
                self._check(qualname, given.arg, given.value, slot, keyword=True)

    def _learn(self, call: ast.Call) -> None:
        given = keyword(call, "total_timesteps")
        target: tuple[ast.AST, bool] | None = None if given is None else (given, True)
        if (target is None and call.args
                and any(self.ctx.resolver.imports(root) for root in LEARN_ROOTS)):
            target = (call.args[0], False)
        if target is not None:
            callee = f"{source_text(self.ctx, call.func)}"
            self._check(callee, "total_timesteps", target[0], TIMESTEPS, keyword=target[1])

    def _check(self, callee: str, param: str, node: ast.AST, slot: Slot, *,
               keyword: bool) -> None:
        value, resolved = self._follow(node)
        if value is None or is_neutral(value, slot):
            return
        text = source_text(self.ctx, node)
        construct = f"{callee}({param}={text})" if keyword else f"{callee}(..., {text})"
        what = slot.what if keyword else f"{slot.what} (positional `{param}`)"
        self.found.append(Finding(slot.code, node, _message(self.ctx, construct, what, resolved),
                                  f"Read `{param}` from the config (a dataclass field, a YAML "
                                  f"key or a command-line option) and pass it here"))

    # loops

    def _loop(self, loop: ast.For | ast.AsyncFor) -> None:
        if not range_loop(loop):
            return
        call = loop.iter
        assert isinstance(call, ast.Call)
        if self.ctx.resolver.qualname(call.func) != "range" or call.keywords:
            return
        if not 1 <= len(call.args) <= 3 or any(isinstance(a, ast.Starred) for a in call.args):
            return
        bound = call.args[0] if len(call.args) == 1 else call.args[1]
        value, resolved = self._follow(bound)
        if value is None or isinstance(value, tuple) or is_neutral(value, LOOP_BOUND):
            return
        if not loop_trains(loop):
            return
        construct = f"range({', '.join(source_text(self.ctx, a) for a in call.args)})"
        self.found.append(Finding(
            TRAINING_LENGTH, bound, _message(self.ctx, construct, LOOP_BOUND.what, resolved),
            "Read the number of epochs or steps from the config and loop over `range(cfg.epochs)`",
        ))


def _message(ctx: FileContext, construct: str, what: str, resolved: Resolved | None) -> str:
    if resolved is None:
        return f"`{construct}`: {what} is a literal; read it from the config"
    literal = source_text(ctx, resolved.value_node)
    return (f"`{construct}`: {what} is the literal `{literal}` bound to `{resolved.name}` "
            f"on line {resolved.line}; read it from the config")
