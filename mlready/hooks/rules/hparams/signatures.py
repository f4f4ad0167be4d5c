"""Which parameter of which training API is which hyper-parameter (MLR101-MLR106): data.

A `Signature` groups callables that share one (every ``torch.optim`` optimizer, the
LR schedulers, ``DataLoader``, Lightning and Hugging Face trainers, TRL configs,
Stable-Baselines3 algorithms): qualified-name roots, final names, and for each
parameter a `Slot` (the rule that owns it, how messages name it, which values are
neutral). `match_signature` finds the one a resolved callee belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlready.hooks.rules.hparams.options import (
    BATCH_SIZE,
    LEARNING_RATE,
    OPTIMIZER,
    RL,
    SCHEDULE,
    TRAINING_LENGTH,
)
from mlready.records import NamedTuple


class Slot(NamedTuple):
    """A hyper-parameter slot: which rule owns it, what to call it, what is neutral."""

    code: str
    what: str
    neutral: frozenset[float] = frozenset({0.0})


class Signature(NamedTuple):
    """Callables sharing a signature: qualified-name roots, final names, their slots.

    ``positional`` names the parameters by position (index 0 is the first argument),
    so that ``SGD(params, 0.1)`` is read as ``lr=0.1``; an empty name marks a slot
    that is positional but never a hyper-parameter.
    """

    roots: tuple[str, ...]
    names: tuple[str, ...]
    slots: Mapping[str, Slot]
    positional: tuple[str, ...] = ()


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
# Writing a library's default out is not a choice: Hugging Face clips at 1.0, SB3 at 0.5.
HF_GRAD_CLIP = Slot(OPTIMIZER, "gradient-clipping threshold", frozenset({0.0, 1.0}))
SB3_GRAD_CLIP = Slot(OPTIMIZER, "gradient-clipping threshold", frozenset({0.0, 0.5}))
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


def _optimizer(name: str, *positional: str, roots: tuple[str, ...] = _TORCH_OPTIM) -> Signature:
    return Signature(roots, (name,), _OPTIM_SLOTS, ("params", *positional))


def _sched(name: str, slots: Mapping[str, Slot], *positional: str) -> Signature:
    return Signature(("torch.optim",), (name,), slots, ("optimizer", *positional))


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
    "max_grad_norm": HF_GRAD_CLIP,
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
    "max_grad_norm": SB3_GRAD_CLIP,
    "tau": TAU,
    "buffer_size": BUFFER,
    "learning_starts": LEARNING_STARTS,
    "target_update_interval": TARGET_UPDATE,
    "exploration_fraction": EXPLORATION,
    "exploration_final_eps": FINAL_EPS,
    "n_epochs": UPDATE_EPOCHS,
}

_HF_WARMUP = {"num_warmup_steps": WARMUP_STEPS, "num_training_steps": SCHEDULE_STEPS}

SIGNATURES: tuple[Signature, ...] = (
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
    Signature(("bitsandbytes",), ("Adam", "AdamW", "Adam8bit", "AdamW8bit", "PagedAdam",
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
    Signature(("transformers",), ("get_linear_schedule_with_warmup",
                               "get_cosine_schedule_with_warmup",
                               "get_cosine_with_hard_restarts_schedule_with_warmup",
                               "get_polynomial_decay_schedule_with_warmup",
                               "get_inverse_sqrt_schedule",
                               "get_constant_schedule_with_warmup"),
           _HF_WARMUP, ("optimizer", "num_warmup_steps", "num_training_steps")),
    Signature(("transformers",), ("get_scheduler",), _HF_WARMUP),
    # torch.nn.utils.clip_grad_norm_(parameters, max_norm, ...) and clip_grad_value_.
    Signature(("torch.nn.utils",), ("clip_grad_norm_", "clip_grad_norm"),
           {"max_norm": GRAD_CLIP}, ("parameters", "max_norm")),
    Signature(("torch.nn.utils",), ("clip_grad_value_",),
           {"clip_value": GRAD_CLIP}, ("parameters", "clip_value")),
    # torch.utils.data.DataLoader(dataset, batch_size=1, ...)
    Signature(("torch.utils.data",), ("DataLoader",), {"batch_size": BATCH},
           ("dataset", "batch_size")),
    # Lightning's Trainer: keyword-only in practice.
    Signature(("lightning", "pytorch_lightning"), ("Trainer",), {
        "max_epochs": EPOCHS, "min_epochs": MIN_EPOCHS, "max_steps": STEPS,
        "min_steps": MIN_STEPS, "accumulate_grad_batches": ACCUMULATION,
        "gradient_clip_val": GRAD_CLIP,
    }),
    # Hugging Face TrainingArguments and TRL's configs derived from it (keyword-only).
    Signature(("transformers",), ("TrainingArguments", "Seq2SeqTrainingArguments"),
           _TRAINING_ARGS_SLOTS),
    Signature(("trl",), ("SFTConfig", "DPOConfig", "ORPOConfig", "KTOConfig", "CPOConfig",
                      "GRPOConfig", "PPOConfig", "RLOOConfig", "RewardConfig",
                      "OnlineDPOConfig", "BCOConfig", "GKDConfig", "NashMDConfig",
                      "XPOConfig", "PRMConfig"),
           _TRAINING_ARGS_SLOTS),
    # Stable-Baselines3 (and sb3-contrib): (policy, env, learning_rate, ...) then keywords.
    Signature(("stable_baselines3", "sb3_contrib"),
           ("PPO", "A2C", "DQN", "SAC", "TD3", "DDPG", "HER", "RecurrentPPO", "MaskablePPO",
            "TRPO", "TQC", "QRDQN", "CrossQ", "ARS"),
           _SB3_SLOTS, ("policy", "env", "learning_rate")),
)

# SB3's `model.learn(total_timesteps=...)`: the receiver is an instance, so the method
# is matched by name and keyword (positional only where the file imports SB3).
LEARN_ROOTS = ("stable_baselines3", "sb3_contrib")


def _by_name() -> dict[str, tuple[Signature, ...]]:
    table: dict[str, list[Signature]] = {}
    for signature in SIGNATURES:
        for name in signature.names:
            table.setdefault(name, []).append(signature)
    return {name: tuple(found) for name, found in table.items()}


BY_NAME = _by_name()  # final name -> the signatures that have it


def match_signature(qualname: str) -> Signature | None:
    """The family whose roots and final names match a resolved callee, if any."""
    final = qualname.rpartition(".")[2]
    for family in BY_NAME.get(final, ()):
        for root in family.roots:
            if qualname.startswith(root + "."):
                return family
    return None


