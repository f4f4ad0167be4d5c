"""`[tool.mlready.runner]`: the schema, its validation, and the frozen `RunnerConfig`.

Everything the runner will do is decided here, before any process starts: a typo in
a placeholder or a threshold should cost the user one line of output, not a
two-minute training run that ends in a traceback. The commands themselves are
`templates.Template`s (split before substitution, placeholders checked there).
"""

from __future__ import annotations

import math
import operator
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlready.config import ConfigError, Field, Table, find_pyproject, read_toml, section, validate
from mlready.gpu_runner.templates import (
    BASE_PLACEHOLDERS,
    CHECKPOINT_PLACEHOLDERS,
    EVAL_PLACEHOLDERS,
    PREFIX,
    Resume,
    Template,
    check_placeholders,
    parse_resume,
    parse_template,
)

if TYPE_CHECKING:
    from mlready.gpu_runner.checks._declaration import Option

Device = Literal["auto", "cpu", "cuda"]
Direction = Literal["minimize", "maximize"]

_THRESHOLD_RE = re.compile(
    r"^\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_UNIT_RE = re.compile(r"^[a-z][a-z_-]{0,23}$")

SCHEMA = Table(
    help="How `mlready run` trains, resumes and evaluates the project.",
    fields={
        "train": Field((str,), "train command template"),
        "resume": Field((str, dict), "resume command template, or {args = ...} / {env = {...}}"),
        "eval": Field((str,), "eval command template; writes a JSON object to {metrics_file}"),
        "eval-metrics": Field((str,), "a regex with named groups over the eval's output, "
                                      "instead of the {metrics_file} JSON"),
        "checkpoint": Field((str, bool), "glob for the checkpoint a run leaves; relative: "
                                         "to the folder the command ran in; false: "
                                         "training writes none"),
        "cwd": Field((str,), 'folder the commands run in, e.g. "{run_dir}"; relative: to '
                             "the project folder (the default)"),
        "step-unit": Field((str,), 'what {steps} counts, e.g. "epochs", "timesteps"'),
        "steps": Field((int,), "N: training steps of the short runs"),
        "seed": Field((int,), "seed of the reference runs"),
        "timeout": Field((int, float), "seconds allowed per command"),
        "nproc": Field((int,), "processes per run; >1 runs train under torchrun"),
        "device": Field((str,), "auto, cpu or cuda", choices=("auto", "cpu", "cuda")),
        "metrics": Field((str,), '"jsonl" or a regex with named groups over the output'),
        "objective": Field((str,), 'metric that must improve in the smoke run; "" for none'),
        "direction": Field((str,), "minimize or maximize", choices=("minimize", "maximize")),
        "compare": Field((list,), "metrics compared between runs", item_types=(str,)),
        "tolerance": Field((int, float), "relative tolerance of the non-bitwise tier"),
        "thresholds": Table(open_keys=Field((str,), 'e.g. "< 0.5"')),
        "env": Table(open_keys=Field((str,), "extra environment variable")),
    },
)


@dataclass(frozen=True)
class Threshold:
    """``metric op value``, e.g. ``val_loss < 0.5``."""

    metric: str
    op: str
    value: float

    def holds(self, measured: float) -> bool:
        """Whether ``measured`` meets the threshold; NaN and infinity never do."""
        return math.isfinite(measured) and _OPS[self.op](measured, self.value)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class RunnerConfig:
    """The validated, effective runner configuration (CLI overrides already applied)."""

    source: Path
    project_dir: Path
    train: Template
    resume: Resume | None = None
    eval: Template | None = None
    checkpoint: str = "{run_dir}/checkpoint*.pt"
    steps: int = 20
    seed: int = 0
    timeout: float = 600.0
    nproc: int = 1
    device: Device = "auto"
    metrics: str = "jsonl"
    objective: str = "loss"
    direction: Direction = "minimize"
    compare: tuple[str, ...] = ()
    tolerance: float = 1e-6
    thresholds: tuple[Threshold, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    python: str = field(default_factory=lambda: sys.executable)
    eval_metrics: str | None = None  # regex over the eval's output; None: the JSON file
    options: tuple[tuple[str, float | int | str], ...] = ()  # keys the checks declare
    # `checkpoint = false`: the training writes none, so checkpoint and resume are
    # not applicable and the results name that readiness gap.
    writes_checkpoint: bool = True
    step_unit: str = "steps"  # what {steps} counts; summaries use it, never "records"
    cwd: str | None = None  # template of the folder commands run in; None: project_dir

    @property
    def unit_plural(self) -> str:
        return self.step_unit

    @property
    def unit(self) -> str:
        """The singular of `step_unit`: "epoch" of "epochs", "batch" of "batches"."""
        return singular(self.step_unit)

    @property
    def metrics_regex(self) -> re.Pattern[str] | None:
        return None if self.metrics == "jsonl" else re.compile(self.metrics)

    @property
    def eval_metrics_regex(self) -> re.Pattern[str] | None:
        return None if self.eval_metrics is None else re.compile(self.eval_metrics)

    def option(self, key: str) -> float | int | str:
        """The value of a key a check declares in ``OPTIONS`` (its default when unset)."""
        for name, value in self.options:
            if name == key:
                return value
        return _declared_options()[key].default

    def with_overrides(self, *, steps: int | None = None, device: str | None = None,
                       timeout: float | None = None, nproc: int | None = None) -> RunnerConfig:
        """Apply CLI options, validated like the file's values."""
        updated = self
        if steps is not None:
            if steps < 2:
                raise ConfigError(self.source, f"--steps must be at least 2, got {steps}")
            updated = replace(updated, steps=steps)
        if device is not None:
            updated = replace(updated, device=_device(self.source, device))
        if timeout is not None:
            if not timeout > 0:  # nan too
                raise ConfigError(self.source, f"--timeout must be positive, got {timeout:g}")
            if math.isinf(timeout):
                raise ConfigError(self.source, "--timeout must be a number of seconds, not inf")
            updated = replace(updated, timeout=float(timeout))
        if nproc is not None:
            if nproc < 1:
                raise ConfigError(self.source, f"--nproc must be at least 1, got {nproc}")
            updated = replace(updated, nproc=nproc)
        return updated

    def to_json(self) -> dict[str, Any]:
        """The effective config as written to the results file (no environment values)."""
        resume: Any = None
        if self.resume is not None:
            if self.resume.template is not None:
                resume = self.resume.template.display()
            elif self.resume.extra_args:
                resume = {"args": " ".join(shlex.quote(a) for a in self.resume.extra_args)}
            else:
                resume = {"env": sorted(name for name, _ in self.resume.extra_env)}
        return {
            "source": str(self.source),
            "train": self.train.display(),
            "resume": resume,
            "eval": self.eval.display() if self.eval else None,
            "checkpoint": self.checkpoint if self.writes_checkpoint else False,
            "cwd": self.cwd,
            "step-unit": self.step_unit,
            "steps": self.steps,
            "seed": self.seed,
            "timeout": self.timeout,
            "nproc": self.nproc,
            "device": self.device,
            "metrics": self.metrics,
            "objective": self.objective,
            "direction": self.direction,
            "compare": list(self.compare),
            "tolerance": self.tolerance,
            "thresholds": {t.metric: f"{t.op} {t.value:g}" for t in self.thresholds},
            "env": sorted(name for name, _ in self.env),  # names only: values may be secrets
            "eval-metrics": self.eval_metrics,
            **{key: self.option(key) for key in _declared_options()},
        }


def _declared_options() -> Mapping[str, Option]:
    """The config keys the checks declare (``OPTIONS`` in a check module), by key.

    Imported here, not at the top: the checks import the session, which imports this
    module, so the registry can only be read once both are loaded.
    """
    from mlready.gpu_runner.checks import OPTIONS

    return OPTIONS


def _schema() -> Table:
    """`SCHEMA` plus the keys the checks declare."""
    declared = {key: Field((float, int) if opt.kind is float else (opt.kind,), opt.help)
                for key, opt in _declared_options().items()}
    return Table(help=SCHEMA.help, fields={**SCHEMA.fields, **declared})


def _options(table: Mapping[str, Any], source: Path) -> tuple[tuple[str, float | int | str],
                                                               ...]:
    out: list[tuple[str, float | int | str]] = []
    for key, opt in _declared_options().items():
        value = opt.kind(table.get(key, opt.default))
        if isinstance(value, float) and not math.isfinite(value):  # run.json is strict JSON
            raise ConfigError(source, f"`{PREFIX}.{key}` must be a finite number, got {value:g}")
        if opt.minimum is not None and isinstance(value, int | float) and value < opt.minimum:
            raise ConfigError(source, f"`{PREFIX}.{key}` must be >= {opt.minimum:g}, got "
                                      f"{value:g}")
        out.append((key, value))
    return tuple(out)


def _regex(source: Path, key: str, text: str) -> None:
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise ConfigError(source, f"`{PREFIX}.{key}` is not a valid regex ({exc}); "
                                  'use "jsonl" or e.g. "step (?P<step>\\d+) loss '
                                  '(?P<loss>\\S+)"') from None
    if not pattern.groupindex:
        raise ConfigError(source, f"`{PREFIX}.{key}` regex has no named groups; name "
                                  "each value, e.g. (?P<loss>\\S+)")
def singular(plural: str) -> str:
    """English singular of a plural unit name (a simple rule: units are regular nouns)."""
    if plural.endswith(("ches", "shes", "xes", "sses")):
        return plural[:-2]
    return plural[:-1] if plural.endswith("s") and not plural.endswith("ss") else plural


def _step_unit(path: Path, value: str) -> str:
    text = value.strip()
    if not _UNIT_RE.match(text):
        raise ConfigError(path, f"`{PREFIX}.step-unit` must be a lower-case plural noun such "
                                f'as "epochs" or "timesteps", got {value!r}')
    return text if text.endswith("s") else text + "s"


def _device(path: Path, value: str) -> Device:
    if value == "auto":
        return "auto"
    if value == "cpu":
        return "cpu"
    if value == "cuda":
        return "cuda"
    raise ConfigError(path, f"`{PREFIX}.device` must be one of 'auto', 'cpu', 'cuda', "
                            f"got {value!r}")


def parse_threshold(path: Path, metric: str, text: str) -> Threshold:
    match = _THRESHOLD_RE.match(text)
    if match is None:
        raise ConfigError(path, f"`{PREFIX}.thresholds.{metric}` must read like \"< 0.5\" or "
                                f"\">= 0.7\", got {text!r}")
    return Threshold(metric=metric, op=match.group(1), value=float(match.group(2)))


def from_table(table: Mapping[str, Any], source: Path, project_dir: Path) -> RunnerConfig:
    """Validate ``[tool.mlready.runner]`` and build the config; raises `ConfigError`."""
    validate(table, _schema(), source, PREFIX)
    if "train" not in table:
        raise ConfigError(source, f"`{PREFIX}.train` is required: the command that trains, "
                                  'e.g. train = "{python} train.py --max-steps {steps} '
                                  '--seed {seed} --out {run_dir}"')
    train = parse_template(source, "train", table["train"], BASE_PLACEHOLDERS)
    resume = parse_resume(source, table["resume"]) if "resume" in table else None
    evaluate = (parse_template(source, "eval", table["eval"], EVAL_PLACEHOLDERS)
                if table.get("eval") else None)
    raw_checkpoint = table.get("checkpoint", RunnerConfig.checkpoint)
    writes_checkpoint = raw_checkpoint is not False
    if raw_checkpoint is True:
        raise ConfigError(source, f"`{PREFIX}.checkpoint = true` says nothing; give the glob "
                                  'a run leaves, e.g. "{run_dir}/checkpoint*.pt", or false '
                                  "when training writes no checkpoint")
    checkpoint = str(raw_checkpoint) if writes_checkpoint else RunnerConfig.checkpoint
    check_placeholders(source, f"{PREFIX}.checkpoint", checkpoint, BASE_PLACEHOLDERS)
    if not writes_checkpoint:
        if "resume" in table:
            raise ConfigError(source, f"`{PREFIX}.resume` needs a checkpoint to resume from, "
                                      f"but `{PREFIX}.checkpoint = false`; remove one of them")
        used = sorted(evaluate.fields & set(CHECKPOINT_PLACEHOLDERS)) if evaluate else []
        if used:
            raise ConfigError(source, f"`{PREFIX}.eval` uses {{{used[0]}}}, but "
                                      f"`{PREFIX}.checkpoint = false`; remove one of them")
    cwd = table.get("cwd")
    if cwd is not None:
        if not cwd.strip():
            raise ConfigError(source, f"`{PREFIX}.cwd` is empty; remove it to run in the "
                                      'project folder, or give one, e.g. "{run_dir}"')
        check_placeholders(source, f"{PREFIX}.cwd", cwd, BASE_PLACEHOLDERS)
    steps = int(table.get("steps", RunnerConfig.steps))
    if steps < 2:
        raise ConfigError(source, f"`{PREFIX}.steps` must be at least 2, got {steps}")
    timeout = float(table.get("timeout", RunnerConfig.timeout))
    if not timeout > 0:  # nan too: every wait would raise
        raise ConfigError(source, f"`{PREFIX}.timeout` must be positive, got {timeout:g}")
    if math.isinf(timeout):  # the results file is strict JSON: no Infinity in it
        raise ConfigError(source, f"`{PREFIX}.timeout` must be a number of seconds, not inf")
    nproc = int(table.get("nproc", 1))
    if nproc < 1:
        raise ConfigError(source, f"`{PREFIX}.nproc` must be at least 1, got {nproc}")
    metrics = str(table.get("metrics", "jsonl"))
    if metrics != "jsonl":
        _regex(source, "metrics", metrics)
    eval_metrics = table.get("eval-metrics")
    if eval_metrics is not None:
        if evaluate is None:
            raise ConfigError(source, f"`{PREFIX}.eval-metrics` needs `{PREFIX}.eval`, the "
                                      "command whose output it reads")
        _regex(source, "eval-metrics", eval_metrics)
    tolerance = float(table.get("tolerance", RunnerConfig.tolerance))
    if not tolerance >= 0 or math.isinf(tolerance):  # nan and inf: no tolerance at all
        raise ConfigError(source, f"`{PREFIX}.tolerance` must be >= 0, got {tolerance:g}")
    thresholds = tuple(parse_threshold(source, k, v)
                       for k, v in table.get("thresholds", {}).items())
    if thresholds and evaluate is None:
        raise ConfigError(source, f"`{PREFIX}.thresholds` needs `{PREFIX}.eval`, the command "
                                  "whose metrics they apply to")
    device_raw = str(table.get("device", "auto"))
    direction: Direction = "maximize" if table.get("direction") == "maximize" else "minimize"
    return RunnerConfig(
        source=source, project_dir=project_dir, train=train, resume=resume, eval=evaluate,
        checkpoint=checkpoint, steps=steps, seed=int(table.get("seed", 0)), timeout=timeout,
        nproc=nproc, device=_device(source, device_raw), metrics=metrics,
        objective=str(table.get("objective", "loss")), direction=direction,
        compare=tuple(table.get("compare", ())), tolerance=tolerance, thresholds=thresholds,
        env=tuple(sorted(table.get("env", {}).items())), eval_metrics=eval_metrics,
        options=_options(table, source),
        writes_checkpoint=writes_checkpoint,
        step_unit=_step_unit(source, str(table.get("step-unit", RunnerConfig.step_unit))),
        cwd=cwd,
    )


def load(project_dir: Path, config_path: Path | None = None) -> RunnerConfig:
    """Find and validate the runner config for ``project_dir`` (or the explicit file)."""
    project_dir = project_dir.resolve()
    if config_path is None:
        found = find_pyproject(project_dir)
        if found is None:
            raise ConfigError(project_dir, "no pyproject.toml here or above; add "
                                           "[tool.mlready.runner] or pass --config")
        config_path = found
    config_path = config_path.resolve()
    if not config_path.is_file():
        raise ConfigError(config_path, "config file not found; check --config")
    if config_path.name == "pyproject.toml":
        table = section(config_path, "runner")
    else:  # a standalone TOML holding [tool.mlready.runner] or a bare runner table
        data = read_toml(config_path)
        tool = data.get("tool", {})
        nested = tool.get("mlready", {}).get("runner") if isinstance(tool, dict) else None
        table = nested if isinstance(nested, dict) else data
    if not table:
        raise ConfigError(config_path, f"no [{PREFIX}] table; add one with at least `train`")
    return from_table(table, config_path, project_dir)
