"""Which of a script's options take the runner's placeholders.

An option matches a role by its name with dashes, underscores and a dotted prefix
(``--max-steps``, ``--max_steps``, ``trainer.max_steps``) folded away. Each role lists
its names best first: a *total* step count (``--total-timesteps``, ``--num-env-steps``)
wins over ``--num-steps``, which in on-policy RL scripts is the rollout length. The
name also says what ``{steps}`` counts (`Mapping.unit`): epochs, timesteps, episodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlready.init.cli_reader import Interface, Option

# (normalised name, unit of {steps}), best first.
STEPS: tuple[tuple[str, str], ...] = (
    ("total_timesteps", "timesteps"), ("num_env_steps", "timesteps"),
    ("num_timesteps", "timesteps"), ("total_steps", "steps"), ("max_steps", "steps"),
    ("train_steps", "steps"), ("num_train_steps", "steps"), ("max_iters", "iterations"),
    ("max_iter", "iterations"), ("num_iterations", "iterations"), ("iterations", "iterations"),
    ("iters", "iterations"), ("n_iter", "iterations"), ("num_updates", "updates"),
    ("num_steps", "steps"), ("steps", "steps"), ("max_epochs", "epochs"),
    ("num_train_epochs", "epochs"), ("num_epochs", "epochs"), ("n_epochs", "epochs"),
    ("epochs", "epochs"), ("num_episodes", "episodes"), ("episodes", "episodes"),
)
SEED = ("seed", "random_seed", "rng_seed", "manual_seed")
RUN_DIR = ("output_dir", "out_dir", "outdir", "out", "output", "work_dir", "workdir",
           "run_dir", "save_dir", "checkpoint_dir", "ckpt_dir", "log_dir", "logdir",
           "exp_dir", "results_dir", "logs_dir")
RESUME = ("resume_from_checkpoint", "resume_from", "resume_path", "resume", "resume_ckpt",
          "checkpoint", "ckpt", "ckpt_path", "checkpoint_path", "load_checkpoint",
          "restore")
DEVICE = ("device",)
# A small first run of each unit: enough records to see a trend on a CPU.
DEFAULT_STEPS = {"steps": 20, "iterations": 20, "updates": 20, "epochs": 2,
                 "timesteps": 2048, "episodes": 5}


def normalise(flag: str) -> str:
    return flag.lstrip("-").rpartition(".")[2].replace("-", "_").lower()


@dataclass(frozen=True)
class Mapping:
    """The options chosen for each placeholder, and what {steps} counts."""

    steps: Option | None = None
    unit: str = "steps"
    seed: Option | None = None
    run_dir: Option | None = None
    resume: Option | None = None
    device: Option | None = None

    def missing(self) -> list[str]:
        return [name for name in ("steps", "seed", "run_dir")
                if getattr(self, name) is None]


def _pick(options: dict[str, Option], names: tuple[str, ...], *,
          value: bool = True) -> Option | None:
    for name in names:
        option = options.get(name)
        if option is not None and (option.takes_value or not value):
            return option
    return None


def choose(interface: Interface) -> Mapping:
    """The placeholders ``interface`` can take (first option of each spelling wins)."""
    options: dict[str, Option] = {}
    for option in interface.options:
        options.setdefault(normalise(option.flag), option)
    steps: Option | None = None
    unit = "steps"
    for name, name_unit in STEPS:
        found = options.get(name)
        if found is not None and found.takes_value:
            steps, unit = found, name_unit
            break
    resume = _pick(options, RESUME) or _pick(options, RESUME, value=False)
    return Mapping(steps=steps, unit=unit, seed=_pick(options, SEED),
                   run_dir=_pick(options, RUN_DIR), resume=resume,
                   device=_pick(options, DEVICE))


def _arg(interface: Interface, option: Option, placeholder: str) -> str:
    if interface.style == "overrides":
        return f"{option.flag}={placeholder}"
    return f"{option.flag} {placeholder}"


def train_args(interface: Interface, mapping: Mapping) -> list[str]:
    """The arguments after the script that fill the placeholders."""
    parts: list[str] = []
    for option, placeholder in ((mapping.steps, "{steps}"), (mapping.seed, "{seed}"),
                                (mapping.run_dir, "{run_dir}"),
                                (mapping.device, "{device}")):
        if option is not None:
            parts.append(_arg(interface, option, placeholder))
    if interface.style == "overrides":  # Hydra's own output folder (and working directory)
        parts.append("hydra.run.dir={run_dir}")
    return parts


def resume_args(interface: Interface, mapping: Mapping) -> str | None:
    """What resume appends to train: ``--resume {checkpoint}``, or a bare ``--resume``
    flag for scripts that resume from their output folder (the runner copies the
    reference run's folder in first)."""
    option = mapping.resume
    if option is None or (mapping.run_dir is None and interface.style != "overrides"):
        return None
    if not option.takes_value:
        return option.flag
    return _arg(interface, option, "{checkpoint}")
