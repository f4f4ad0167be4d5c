"""Which of a script's options take the runner's placeholders.

An option matches a role by its name with dashes, underscores and a dotted prefix
(``--max-steps``, ``--max_steps``, ``trainer.max_steps``) folded away. Each role lists
its names best first: a *total* step count (``--total-timesteps``, ``--num-env-steps``)
wins over ``--num-steps``, which in on-policy RL scripts is the rollout length. The
name also says what ``{steps}`` counts (`Mapping.unit`): epochs, timesteps, episodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlready.init.cli_reader import Interface, Option

# (normalised name, unit of {steps}), best first. The names before `_TOTALS_END` always
# mean the whole run's length; the later ones (``--num-steps``, ``--n-steps``: the
# rollout length of on-policy RL scripts; bare ``--steps``, epochs) yield to an option
# whose help says it is the number of training steps.
STEPS: tuple[tuple[str, str], ...] = (
    ("total_timesteps", "timesteps"), ("num_env_steps", "timesteps"),
    ("num_timesteps", "timesteps"), ("total_steps", "steps"), ("max_steps", "steps"),
    ("max_train_steps", "steps"), ("train_steps", "steps"), ("num_train_steps", "steps"),
    ("num_training_steps", "steps"), ("training_steps", "steps"),
    ("max_iters", "iterations"), ("max_iter", "iterations"),
    ("max_iterations", "iterations"), ("num_iterations", "iterations"),
    ("num_iters", "iterations"), ("n_iters", "iterations"), ("total_iters", "iterations"),
    ("iterations", "iterations"), ("iters", "iterations"), ("n_iter", "iterations"),
    ("num_updates", "updates"), ("max_updates", "updates"),
    ("num_steps", "steps"), ("n_steps", "steps"), ("steps", "steps"),
    ("max_epochs", "epochs"), ("num_train_epochs", "epochs"), ("num_epochs", "epochs"),
    ("n_epochs", "epochs"), ("epochs", "epochs"), ("num_episodes", "episodes"),
    ("episodes", "episodes"),
)
_TOTALS_END = STEPS.index(("num_steps", "steps"))
# A help text that *is* the run's length: "Number of training steps (4x frames)", not
# "Number of steps between evaluations" nor "number of forward steps in A2C".
_COUNT_HELP = re.compile(
    r"(?i)^\s*(?:the\s+)?(?:total\s+)?(?:number|num\.?|no\.?)\s+of\s+(?:total\s+)?"
    r"(?:training\s+|train\s+|optimi[sz]ation\s+|gradient\s+)?"
    r"(steps|iterations|iters|timesteps|updates)(?:\s+to\s+train(?:\s+for)?)?\s*(?:$|[.,;:(])")
_HELP_UNITS = {"steps": "steps", "iterations": "iterations", "iters": "iterations",
               "timesteps": "timesteps", "updates": "updates", "examples": "examples",
               "samples": "examples"}
# A count of examples is the run's length only when its help says they are trained on
# ("the number of examples to train for", DPO's Hydra `n_examples`); "number of
# examples" alone may be a data set's size, or what an evaluation reads.
_EXAMPLES_HELP = re.compile(
    r"(?i)^\s*(?:the\s+)?(?:total\s+)?(?:number|num\.?|no\.?)\s+of\s+(?:training\s+|train\s+)?"
    r"(examples|samples)\s+to\s+train(?:\s+(?:for|on))?\s*(?:$|[.,;:(])")
# argparse metavars that say the value counts steps; alone they are weak (a script may
# give STEPS to its warm-up and evaluation interval too), so only a single such option,
# not named or described as an interval, is taken.
_COUNT_METAVARS = {"STEPS": "steps", "N_STEPS": "steps", "NUM_STEPS": "steps",
                   "ITERS": "iterations", "N_ITERS": "iterations",
                   "ITERATIONS": "iterations", "TIMESTEPS": "timesteps"}
_NOT_A_TOTAL = re.compile(r"(?i)interval|freq|every|warm|start|log|save|eval|print|"
                          r"target|between|before|after|\bper\b|\beach\b")
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
                 "timesteps": 2048, "episodes": 5, "examples": 80}


def default_steps(interface: Interface, mapping: Mapping) -> int:
    """The first run's {steps}: `DEFAULT_STEPS` of the unit, except that a count of
    examples is 20 batches of the script's own default ``batch_size`` when it has one
    (DPO: 4 a batch, 80 examples), so the trend rests on as many records as in steps."""
    if mapping.unit == "examples":
        batch = next((o.default for o in interface.options
                      if normalise(o.flag) == "batch_size"), None)
        if batch is not None and batch.isdigit() and int(batch) > 0:
            return 20 * int(batch)
    return DEFAULT_STEPS[mapping.unit]


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


# A keyword the script passes an option's value as that makes it a count *within* a
# unit of the run, not the run's length (spinningup's ``--steps`` is
# ``ppo(steps_per_epoch=args.steps)``, beside ``--epochs``).
_PER_UNIT = re.compile(r"(?i)_per_(?:epoch|rollout|iter|iteration|update|episode|env|batch)s?$")


def _per_unit(option: Option) -> bool:
    return any(_PER_UNIT.search(name) for name in option.passed_as)


def _by_name(options: dict[str, Option],
             names: tuple[tuple[str, str], ...]) -> tuple[Option, str] | None:
    for name, unit in names:
        found = options.get(name)
        if found is not None and found.takes_value and not _per_unit(found):
            return found, unit
    return None


def _described(options: dict[str, Option]) -> tuple[Option, str] | None:
    """The one option whose help says it is the number of training steps."""
    found = [(o, _HELP_UNITS[m.group(1).lower()]) for o in options.values()
             if o.takes_value and o.help and not _per_unit(o)
             and (m := _COUNT_HELP.match(o.help) or _EXAMPLES_HELP.match(o.help))]
    return found[0] if len(found) == 1 else None


def _by_metavar(options: dict[str, Option]) -> tuple[Option, str] | None:
    """The one option with a step-count metavar that is not an interval or a warm-up."""
    found = [(o, _COUNT_METAVARS[o.metavar.upper()]) for o in options.values()
             if o.takes_value and o.metavar and o.metavar.upper() in _COUNT_METAVARS
             and not _per_unit(o)]
    found = [(o, unit) for o, unit in found
             if not _NOT_A_TOTAL.search(f"{normalise(o.flag)} {o.help or ''}")]
    return found[0] if len(found) == 1 else None


def _steps(options: dict[str, Option]) -> tuple[Option | None, str]:
    """The option for {steps}, precision first (a wrong one trains the wrong thing; none
    is said in a note): a total's name, else the one option described as the number of
    steps, else a weaker name, else the one option with a STEPS-like metavar."""
    for found in (_by_name(options, STEPS[:_TOTALS_END]), _described(options),
                  _by_name(options, STEPS[_TOTALS_END:]), _by_metavar(options)):
        if found is not None:
            return found
    return None, "steps"


def choose(interface: Interface) -> Mapping:
    """The placeholders ``interface`` can take (first option of each spelling wins)."""
    options: dict[str, Option] = {}
    for option in interface.options:
        options.setdefault(normalise(option.flag), option)
    steps, unit = _steps(options)
    resume = _pick(options, RESUME) or _pick(options, RESUME, value=False)
    return Mapping(steps=steps, unit=unit, seed=_pick(options, SEED),
                   run_dir=_pick(options, RUN_DIR), resume=resume,
                   device=_pick(options, DEVICE))


def step_candidates(interface: Interface, limit: int = 3) -> tuple[str, ...]:
    """Options that may set the run's length but were not sure enough to take (a
    STEPS metavar shared with a warm-up, ``--T-max``): named in the note, never used."""
    found = [o.flag for o in interface.options if o.takes_value and (
        (o.metavar or "").upper() in _COUNT_METAVARS
        or re.search(r"step|iter|^t_max$", normalise(o.flag)))]
    return tuple(found[:limit])


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
