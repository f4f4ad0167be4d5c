"""What the seeding rules know about libraries: which calls seed which generator, which
calls draw from one, and which calls mark a training run.

Pure tables and small predicates over qualified names, so that the analysis in
`units` and `events` read as "classify each call" and the knowledge can be reviewed (and
extended) in one place. Generators are named by short keys:

- ``random``: Python's ``random`` module state;
- ``numpy``: NumPy's legacy global ``np.random`` state;
- ``torch``: torch's default CPU generator; ``cuda``: torch's CUDA generators;
- ``torch_init``: a draw of torch's generator for initial weights only (building a
  module, ``nn.init``), which a later checkpoint load makes irrelevant;
  ``torch_dropout``: a dropout layer, which draws only while training;
- ``env``: a Gym/Gymnasium environment's RNG; ``space``: its action/observation spaces;
- ``random_rng`` / ``numpy_rng``: a generator object created *without* a seed, which no
  global seeding can make reproducible.
"""

from __future__ import annotations

import builtins
import sys

GLOBAL = ("random", "numpy", "torch", "cuda")
EVERYTHING = (*GLOBAL, "env", "space")

# Libraries whose calls are never project calls: builtins, the stdlib and the ML stack.
_STDLIB = (frozenset(sys.stdlib_module_names) - {"test"}) | frozenset(dir(builtins))
EXTERNAL_ROOTS = _STDLIB | frozenset({
    "numpy", "torch", "torchvision", "torchaudio", "torchtext", "gym", "gymnasium",
    "lightning", "pytorch_lightning", "lightning_fabric", "transformers", "accelerate",
    "datasets", "stable_baselines3", "sb3_contrib", "hydra", "omegaconf", "click",
    "typer", "fire", "wandb", "mlflow", "tensorboard", "tqdm", "pandas", "sklearn",
    "scipy", "matplotlib", "seaborn", "PIL", "cv2", "jax", "flax", "optax",
    "tensorflow", "keras", "yaml", "einops", "timm", "peft", "trl", "deepspeed",
    "pydantic", "rich", "tyro", "jsonargparse", "absl", "pytest", "hypothesis",
    "functorch", "torchgen", "triton", "sympy", "networkx", "requests",
})

# Libraries that make a script a machine-learning run: Python's `random` in a script that
# imports none of them (a terminal demo, a load generator) is not a reproducibility bug.
ML_ROOTS = ("numpy", "torch", "jax", "tensorflow", "keras", "sklearn", "gym", "gymnasium",
            "lightning", "pytorch_lightning", "transformers", "accelerate", "datasets",
            "stable_baselines3", "sb3_contrib", "pandas", "scipy")

# Exact qualified names of seeding calls, and the generators each one seeds.
SEEDERS: dict[str, tuple[str, ...]] = {
    "random.seed": ("random",),
    "random.setstate": ("random",),
    "numpy.random.seed": ("numpy",),
    "numpy.random.set_state": ("numpy",),
    # Since torch 0.4 `manual_seed` seeds the CPU generator and every CUDA device.
    "torch.manual_seed": ("torch", "cuda"),
    "torch.random.manual_seed": ("torch", "cuda"),
    "torch.default_generator.manual_seed": ("torch",),
    "torch.random.default_generator.manual_seed": ("torch",),
    "torch.set_rng_state": ("torch",),
    "torch.random.set_rng_state": ("torch",),
    "torch.cuda.manual_seed": ("cuda",),
    "torch.cuda.manual_seed_all": ("cuda",),
    "torch.cuda.random.manual_seed": ("cuda",),
    "torch.cuda.random.manual_seed_all": ("cuda",),
    "torch.cuda.set_rng_state": ("cuda",),
    "torch.cuda.set_rng_state_all": ("cuda",),
    "transformers.set_seed": GLOBAL,
    "transformers.trainer_utils.set_seed": GLOBAL,
    "transformers.enable_full_determinism": GLOBAL,
    "transformers.trainer_utils.enable_full_determinism": GLOBAL,
    "accelerate.utils.set_seed": GLOBAL,
    "accelerate.utils.random.set_seed": GLOBAL,
    "stable_baselines3.common.utils.set_random_seed": GLOBAL,
}
# Seeders that do nothing reproducible without an argument (`random.seed()` reads the OS).
NEEDS_ARGUMENT = frozenset({"random.seed", "numpy.random.seed", "torch.manual_seed",
                            "torch.random.manual_seed"})
LIGHTNING_ROOTS = frozenset({"lightning", "pytorch_lightning", "lightning_fabric"})
HF_TRAINERS = frozenset({"transformers.Trainer", "transformers.Seq2SeqTrainer"})
FULL_DETERMINISM = frozenset({"transformers.enable_full_determinism",
                              "transformers.trainer_utils.enable_full_determinism"})

SB3_ROOTS = frozenset({"stable_baselines3", "sb3_contrib"})
SB3_ALGOS = frozenset({"PPO", "A2C", "DQN", "SAC", "TD3", "DDPG", "TQC", "TRPO", "ARS",
                       "QRDQN", "RecurrentPPO", "MaskablePPO", "CrossQ"})

RANDOM_FUNCS = frozenset({
    "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
    "gauss", "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate",
    "gammavariate", "betavariate", "paretovariate", "weibullvariate", "triangular",
    "getrandbits", "randbytes", "binomialvariate",
})
# `numpy.random.<name>` that are not draws from the legacy global state.
NUMPY_NOT_DRAWS = frozenset({
    "seed", "get_state", "set_state", "default_rng", "Generator", "RandomState",
    "SeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64",
    "get_bit_generator", "set_bit_generator",
})
TORCH_FUNCS = frozenset({
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
    "bernoulli", "multinomial", "normal", "poisson", "dropout", "alpha_dropout",
    "feature_dropout", "feature_alpha_dropout", "rrelu", "rrelu_",
})
TORCH_FUNCTIONAL = frozenset({
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
    "feature_alpha_dropout", "gumbel_softmax", "rrelu", "rrelu_",
})
TORCH_INIT = frozenset({
    "uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
    "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_", "uniform", "normal",
    "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
    "sparse",
})
# Modules whose construction draws random initial weights (or whose forward draws).
TORCH_MODULES = frozenset({
    "Linear", "Bilinear", "LazyLinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
    "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
    "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "Embedding",
    "EmbeddingBag", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "MultiheadAttention", "Transformer", "TransformerEncoderLayer",
    "TransformerDecoderLayer", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
    "AlphaDropout", "FeatureAlphaDropout", "RReLU",
})
TORCH_DROPOUT_MODULES = frozenset({"Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                   "AlphaDropout", "FeatureAlphaDropout", "RReLU"})
# Loading weights overwrites random initial weights: an evaluation script that builds a
# model and loads a checkpoint needs no seed for the initialisation.
CHECKPOINT_LOADERS = frozenset({"safetensors.torch.load_model"})  # not `torch.load`: data too
CHECKPOINT_METHODS = frozenset({"load_state_dict", "load_from_checkpoint", "from_pretrained"})
TENSOR_RANDOM_METHODS = frozenset({
    "normal_", "uniform_", "bernoulli_", "random_", "exponential_", "geometric_",
    "cauchy_", "log_normal_", "multinomial", "bernoulli",
})
TORCH_SAMPLERS = frozenset({"RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
                            "random_split"})
# `torch.optim`'s optimizers: building one says the run means to train (MLR006), even
# when the loop that steps it is in a library we cannot follow.
TORCH_OPTIMIZERS = frozenset({"ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW",
                              "Adamax", "LBFGS", "Muon", "NAdam", "RAdam", "RMSprop",
                              "Rprop", "SGD", "SparseAdam"})
TORCHVISION_NOT_MODELS = frozenset({"get_model_weights", "get_weight", "list_models",
                                    "get_model_builder"})

ENTRY_DECORATORS = frozenset({"click.command", "click.group", "hydra.main",
                              "hydra.main.main"})
ENV_MAKERS = frozenset({"make", "make_vec", "SyncVectorEnv", "AsyncVectorEnv",
                        "DummyVecEnv", "SubprocVecEnv", "VecNormalize", "make_vec_env",
                        "make_atari_env"})
ENV_ROOTS = frozenset({"gym", "gymnasium", "stable_baselines3", "sb3_contrib"})
# Libraries whose env factories take the seed of the envs they build (`seed=`).
VEC_ENV_ROOTS = frozenset({"gym", "gymnasium", "envpool"})
# Libraries whose drawing calls only decide how a figure looks.
PLOT_ROOTS = ("matplotlib", "seaborn", "plotly", "bokeh")
# Base classes that make a module a reusable component (a model, a dataset, an env):
# its `__main__` block is a self-check unless it trains or loads weights.
COMPONENT_ROOTS = frozenset({"torch", "gym", "gymnasium", "lightning", "pytorch_lightning",
                             "transformers", "stable_baselines3", "sb3_contrib"})
ENV_TOKENS = frozenset({"env", "envs", "environment", "venv", "vecenv"})
SPACE_NAMES = frozenset({"action_space", "observation_space", "single_action_space",
                         "single_observation_space"})
SEEDER_GETTERS = ("get_", "initial_", "_get", "manual_seed", "seed_sequence")

# Every final name that can make a call interesting without a project-call base, for
# a cheap set-membership prefilter before any qualified-name resolution.
INTERESTING_NAMES = (
    frozenset(q.rpartition(".")[2] for q in SEEDERS)
    | RANDOM_FUNCS | TORCH_FUNCS | TORCH_FUNCTIONAL | TORCH_INIT | TORCH_MODULES
    | TENSOR_RANDOM_METHODS | TORCH_SAMPLERS | TORCH_OPTIMIZERS | SB3_ALGOS | ENV_MAKERS
    | CHECKPOINT_METHODS
    | frozenset(name for name in NUMPY_NOT_DRAWS if name[0].islower())
    | frozenset({
        "seed", "seed_everything", "set_seed", "reset", "sample", "backward", "step",
        "fit", "learn", "train", "cuda", "to", "device", "DataLoader", "Trainer", "Fabric",
        "train_test_split", "current_accelerator", "current_device_index", "set_device_index",
        "synchronize", "init_process_group",
        "Seq2SeqTrainer", "TrainingArguments", "use_deterministic_algorithms", "flags",
        "is_available", "set_device", "device_count", "current_device", "Random",
        "RandomState", "default_rng", "get_model", "load_model",
    })
)


def is_external(qualname: str) -> bool:
    """Whether a dotted name belongs to the stdlib or the ML stack (never a project call)."""
    return qualname.partition(".")[0] in EXTERNAL_ROOTS


def looks_like_seeder(name: str) -> bool:
    """A callable named like a seeding helper (``set_seed``, ``seed_all``, ``fix_seeds``).

    Used only for calls that resolve to nothing known, so that an unknown library's
    ``seed_everything`` counts as seeding rather than producing a false positive.
    """
    lowered = name.lower()
    return "seed" in lowered and not lowered.startswith(SEEDER_GETTERS)


def seeded_libraries(qualname: str) -> tuple[str, ...] | None:
    """The generators a known seeding call seeds, or None when it is not one."""
    known = SEEDERS.get(qualname)
    if known is not None:
        return known
    root, _, rest = qualname.partition(".")
    if root in LIGHTNING_ROOTS and rest.rpartition(".")[2] == "seed_everything":
        return GLOBAL
    return None


def is_env_name(dotted: str) -> bool:
    """``env``, ``self.train_env``, ``vec_env``: a receiver named like an environment."""
    last = dotted.rpartition(".")[2].lower()
    return bool(ENV_TOKENS.intersection(last.split("_"))) or last.endswith("env")


def is_space_name(dotted: str) -> bool:
    """``env.action_space``, ``self.observation_space``."""
    return dotted.rpartition(".")[2] in SPACE_NAMES


def builds_optimizer(qualname: str) -> bool:
    """``torch.optim.Adam``, ``torch.optim.adamw.AdamW``: a torch optimizer's class (not
    ``torch.optim.Optimizer`` itself, nor a scheduler from ``torch.optim.lr_scheduler``)."""
    parts = qualname.split(".")
    return parts[:2] == ["torch", "optim"] and len(parts) in (3, 4) \
        and parts[-1] in TORCH_OPTIMIZERS


# `nn.Module`'s own methods named like training: `model.train()` sets a mode.
MODULE_MODES = frozenset({"train"})
_FIT_NAMES = frozenset({"fit", "learn", "train", "training", "train_model", "run_training",
                        "start_training", "train_loop", "training_loop"})


# `train_loader()`, `train_test_split()`, `train_transforms()`: what a run trains on.
_DATA_WORDS = frozenset({"args", "batch", "batches", "cfg", "config", "data", "dataset",
                         "datasets", "env", "envs", "iter", "loader", "loaders", "sampler",
                         "set", "split", "test", "transform", "transforms"})


def fit_name(name: str) -> bool:
    """A function or method named like a training run (``run_training``, ``fit``,
    ``train_one_epoch``), not like a helper of one (``train_test_split``, ``make_train_env``,
    ``train_loader``). Only says where a run trains, never whether it does."""
    name = name.lstrip("_").lower()
    if name in _FIT_NAMES:
        return True
    return name.startswith(("train_", "run_train", "fit_")) \
        and not _DATA_WORDS.intersection(name.split("_"))
