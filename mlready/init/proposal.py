"""The `[tool.mlready.runner]` that `mlready init` proposes, and its TOML text.

`propose` picks the best-ranked training script (`entrypoints`), reads its command line
(`cli_reader`, else its ``--help``, only when the caller's ``run_help`` allows running
the user's code), fills the placeholders (`flags`) and says in comments what it could
not settle. A ``[project.scripts]`` entry named like ``train``
is the fallback when no script trains by itself. The table is validated with the
runner's own schema before anyone sees it, so what init proposes always loads.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.process import run_command
from mlready.init import cli_reader, entrypoints, flags, tests_command
from mlready.init.log_regex import NUMBER, SEPARATOR

HELP_TIMEOUT_S = 20.0
# Whether ``argv`` (the user's script with ``--help``) may run: asked per command.
MayRun = Callable[[Sequence[str]], bool]
# Before a probe has seen the output: a step counter, then a loss, in the common spellings.
GENERIC_METRICS = (r"(?i)\b(?:step|iter|iteration|it|epoch|update)" + SEPARATOR
                   + r"(?P<step>\d+).*?\bloss" + SEPARATOR + "(?P<loss>" + NUMBER + ")")
KEY_ORDER = ("train", "resume", "step-unit", "steps", "seed", "timeout", "metrics",
             "objective", "direction", "checkpoint", "tests", "env")
# A script that logs to Weights & Biases: without a login (CI, a fresh GPU runner) its
# `wandb.init` stops the run, and with one every smoke run lands in the user's project.
_WANDB = re.compile(r"^[ \t]*(?:import[ \t]+wandb\b|from[ \t]+wandb\b)", re.M)


@dataclass(frozen=True)
class Proposal:
    """A runner table, where its command came from, and what the user should know."""

    table: dict[str, Any]
    source: str | None  # "train.py (argparse)"; None: no entrypoint found
    notes: tuple[str, ...] = ()
    others: tuple[str, ...] = field(default=())  # the other candidates, best first
    script: str | None = None  # the training script's path from the project root
    steps_maybe: tuple[str, ...] = ()  # options that may count steps, when none was taken

    def with_settled(self, settled: Mapping[str, Any], notes: tuple[str, ...]) -> Proposal:
        return replace(self, table={**self.table, **settled}, notes=(*self.notes, *notes))


def _help_interface(root: Path, command: list[str]) -> cli_reader.Interface:
    """The flags ``command --help`` lists, run like the runner runs commands."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlready-init-help-") as work:
        log = Path(work) / "help.log"
        try:
            result = run_command([*command, "--help"], cwd=root, env={
                **_environ(), "PYTHONUNBUFFERED": "1"}, timeout=HELP_TIMEOUT_S,
                log_path=log, grace=1.0)
        except OSError:
            return cli_reader.Interface("none")
        text = log.read_text(encoding="utf-8", errors="replace") if result.ok else ""
    return cli_reader.from_help(text)


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def _script_candidate(pyproject: Mapping[str, Any]) -> str | None:
    project = pyproject.get("project")
    scripts = project.get("scripts") if isinstance(project, dict) else None
    if isinstance(scripts, dict):
        for name, target in scripts.items():
            if "train" in str(name).lower() and isinstance(target, str):
                return str(name)
    return None


def _module_of_script(root: Path, pyproject: Mapping[str, Any], name: str) -> str | None:
    project = pyproject.get("project", {})
    target = str(project.get("scripts", {}).get(name, "")).split(":")[0]
    for base in ("", "src/"):
        rel = base + target.replace(".", "/") + ".py"
        if (root / rel).is_file():
            return rel
    return None


def _table(command: str, interface: cli_reader.Interface, mapping: flags.Mapping,
           source: str) -> dict[str, Any]:
    train = " ".join([command, *flags.train_args(interface, mapping)])
    table: dict[str, Any] = {"train": train}
    resume = flags.resume_args(interface, mapping)
    if resume is not None:
        table["resume"] = {"args": resume}
    if mapping.unit != "steps":
        table["step-unit"] = mapping.unit
    table.update({"steps": flags.default_steps(interface, mapping), "seed": 0, "timeout": 300,
                  "metrics": "jsonl" if "log_metrics" in source else GENERIC_METRICS,
                  "objective": "loss", "direction": "minimize"})
    if _WANDB.search(source):
        table["env"] = {"WANDB_MODE": "disabled"}
    return table


def _notes(interface: cli_reader.Interface, mapping: flags.Mapping) -> list[str]:
    notes: list[str] = []
    missing = [m for m in mapping.missing() if m != "steps"]  # steps: `render` says it
    if missing:
        names = ", ".join("{" + m + "}" for m in missing)
        notes.append(f"No option found for {names}: add it if the script has one.")
    required = [o.flag for o in interface.options if o.required and o not in
                (mapping.steps, mapping.seed, mapping.run_dir)]
    if required or interface.positionals:
        needs = ", ".join([*required, *interface.positionals][:6])
        notes.append(f"The script requires {needs}: add a value to `train`.")
    if mapping.resume is None:
        notes.append("No resume option found: add `resume` if the script can resume.")
    return notes


def _may(run_help: bool | MayRun, argv: Sequence[str]) -> bool:
    return run_help(argv) if callable(run_help) else run_help


def propose(root: Path, pyproject: Mapping[str, Any], *,
            run_help: bool | MayRun = False) -> Proposal:
    """The best runner table we can write for the project at ``root`` without running
    its training. ``run_help`` says whether ``script --help`` may run for a script whose
    options the tree does not show: a bool, or a function asked with the command (the
    CLI asks the user); it runs the user's code, so the default is no."""
    found, trees = entrypoints.find(root)
    sources = {c.path: (root / c.path).read_text(encoding="utf-8", errors="replace")
               for c in found}
    interfaces = {c.path: cli_reader.read(root, c.path, trees) for c in found}
    ranked = sorted(found, key=lambda c: c.rank(
        flags.choose(interfaces[c.path]).steps is not None,
        entrypoints.cpu_capable(c, sources[c.path])))
    if ranked:
        best = ranked[0]
        interface = interfaces[best.path]
        command = f"{{python}} {shlex.quote(best.path)}"
        argv = [sys.executable, best.path, "--help"]
        if not interface.options and best.guard and _may(run_help, argv):
            interface = _help_interface(root, argv[:-1])
        where = f"{best.path} ({interface.framework})"
        script: str | None = best.path
        source = sources[best.path]
        notes = []
        if best.gpu_only or not entrypoints.cpu_capable(best, sources[best.path]):
            notes.append(f"{best.path} looks GPU-only: `mlready run` needs a GPU for it.")
        if not best.guard:
            notes.append(f"{best.path} has no `if __name__ == \"__main__\":` block; it "
                         "trains at import.")
    else:
        name = _script_candidate(pyproject)
        if name is None:
            return _with_tests(root, pyproject, Proposal({}, None,
                                                         ("No training entrypoint found.",)))
        rel = _module_of_script(root, pyproject, name)
        interface = cli_reader.read(root, rel, trees) if rel else cli_reader.Interface("none")
        # A [project.scripts] name runs whatever PATH finds under it: ask with that path.
        found_on_path = shutil.which(name)
        if not interface.options and found_on_path is not None \
                and _may(run_help, [found_on_path, "--help"]):
            interface = _help_interface(root, [name])
        command, where, notes = name, f"[project.scripts] {name}", []
        script = rel
        source = (root / rel).read_text(encoding="utf-8", errors="replace") if rel else ""
    mapping = flags.choose(interface)
    table = _table(command, interface, mapping, source)
    notes += _notes(interface, mapping)
    if "env" in table:
        notes.append("The script uses wandb: WANDB_MODE = \"disabled\" keeps the short runs "
                     "out of your wandb project and lets them run without a login.")
    others = tuple(c.path for c in ranked[1:6])
    proposal = _with_tests(root, pyproject, Proposal(
        table, where, tuple(notes), others, script,
        flags.step_candidates(interface) if mapping.steps is None else ()))
    validate(root, proposal.table)
    return proposal


def _with_tests(root: Path, pyproject: Mapping[str, Any], proposal: Proposal) -> Proposal:
    """``proposal`` with the `tests` command the tree shows, and its reason as a note;
    also without a train command, so the user who sets `train` has the rest ready."""
    found = tests_command.propose(root, pyproject)
    if found is None:
        return proposal
    return proposal.with_settled({"tests": found.command}, (f"tests: {found.why}",))


def validate(root: Path, table: Mapping[str, Any]) -> None:
    """Raise `ConfigError` when the runner would refuse ``table`` (a bug of ours)."""
    runner_config.from_table(dict(table), root / "pyproject.toml", root)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    text = str(value)
    if "\\" in text and "\n" not in text:  # a TOML literal string: a regex reads as written
        if "'" not in text:
            return f"'{text}'"
        if "'''" not in text and not text.endswith("'"):
            return "'''" + text + "'''"
    return json.dumps(text)  # JSON escapes are valid TOML basic-string escapes


def render_keys(table: Mapping[str, Any]) -> list[str]:
    """``key = value`` TOML lines of ``table``, in the order `render` writes them."""
    return [f"{key} = {_value(table[key])}" for key in KEY_ORDER if key in table]


def _steps_note(proposal: Proposal) -> tuple[str, ...]:
    """Without ``{steps}`` in `train` every short run trains the script's full length
    until the timeout kills it (3-5 runs of it): said first, with what to do, and with
    the timeout of the table as rendered (a probe may have changed it)."""
    train = str(proposal.table.get("train", ""))
    if not train or "{steps}" in train:
        return ()
    where = proposal.script or proposal.source
    maybe = (f" (perhaps {' or '.join(proposal.steps_maybe)}?)"
             if proposal.steps_maybe else "")
    timeout = proposal.table.get("timeout", runner_config.RunnerConfig.timeout)
    return (f"No option for the number of training steps found in {where}{maybe}: add "
            "`{steps}` to `train` in [tool.mlready.runner], or every run trains until "
            f"`timeout` ({timeout:g} s).",)


def render(proposal: Proposal) -> str:
    """The ``[tool.mlready.runner]`` table as TOML, with the notes as comments."""
    lines = ["[tool.mlready.runner]",
             "# How `mlready run` trains the project briefly (docs/runner-contract.md)."]
    if proposal.source is None:
        lines += ["# No training entrypoint found: set the command that trains, e.g.",
                  '# train = "{python} train.py --max-steps {steps} --seed {seed} '
                  '--out {run_dir}"',
                  "steps = 20", "seed = 0", "timeout = 300"]
        if "tests" in proposal.table:
            lines += [f"# {note}" for note in proposal.notes if note.startswith("tests: ")]
            lines.append(f"tests = {_value(proposal.table['tests'])}")
        return "\n".join(lines) + "\n"
    lines.append(f"# Found {proposal.source}.")
    if proposal.others:
        lines.append(f"# Other candidates: {', '.join(proposal.others)}.")
    lines += [f"# {note}" for note in (*_steps_note(proposal), *proposal.notes)]
    for key in KEY_ORDER:
        if key in proposal.table:
            lines.append(f"{key} = {_value(proposal.table[key])}")
    return "\n".join(lines) + "\n"
