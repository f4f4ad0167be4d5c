"""Command templates of `[tool.mlready.runner]` (train, eval, resume): parsed and rendered.

A command is split with `shlex` *before* substitution, so a run directory or
checkpoint path holding spaces or quotes stays one argument and no shell ever sees
user values; a placeholder the runner does not fill is an error when the config is
read, not a `KeyError` two minutes into a training run. Kept apart from `config`,
which validates the rest of the table: the checks that add commands of their own
(`checks/tests.py`) parse them here too.
"""

from __future__ import annotations

import re
import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlready.config import ConfigError, Field, Table, validate

PREFIX = "tool.mlready.runner"  # the table the templates come from, for error messages

# Placeholders every command may use, and the extra ones that only make sense after a run.
# {project_dir}: the project folder, for script paths once `cwd` moves the command away.
BASE_PLACEHOLDERS = ("python", "steps", "seed", "run_dir", "device", "metrics_file", "nproc",
                     "project_dir")
# {checkpoint_dir}: the folder holding it (scripts that resume from a folder);
# {resume_step}: the step it was written at (epoch-based scripts need no arithmetic).
CHECKPOINT_PLACEHOLDERS = ("checkpoint", "checkpoint_dir", "resume_step")
RESUME_PLACEHOLDERS = (*BASE_PLACEHOLDERS, *CHECKPOINT_PLACEHOLDERS)
EVAL_PLACEHOLDERS = (*BASE_PLACEHOLDERS, *CHECKPOINT_PLACEHOLDERS)

_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Template:
    """A command as argv tokens with ``{placeholder}`` fields, plus leading ``VAR=value`` env.

    ``key`` is the config key it came from, so that rendering errors name it too.
    """

    key: str
    tokens: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()

    def render(self, values: Mapping[str, str]) -> list[str]:
        """The argv with every placeholder replaced by its value, one token per token."""
        return [tok.format_map(values) for tok in self.tokens]

    def render_env(self, values: Mapping[str, str]) -> dict[str, str]:
        return {name: val.format_map(values) for name, val in self.env}

    @property
    def fields(self) -> frozenset[str]:
        """The placeholders it uses (already checked: the split cannot fail here)."""
        return frozenset(f for tok in (*self.tokens, *(v for _, v in self.env))
                         for _, f, _, _ in string.Formatter().parse(tok) if f)

    def display(self) -> str:
        return " ".join(shlex.quote(t) for t in self.tokens)


@dataclass(frozen=True)
class Resume:
    """How to resume: a full template, extra args appended to train, or extra env for train."""

    template: Template | None = None
    extra_args: tuple[str, ...] = ()
    extra_env: tuple[tuple[str, str], ...] = ()


def parse_template(path: Path, key: str, text: str, allowed: tuple[str, ...]) -> Template:
    """Split ``text`` like a shell would, check its placeholders, peel leading VAR=value."""
    dotted = f"{PREFIX}.{key}"
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ConfigError(path, f"`{dotted}`: cannot split the command ({exc}); "
                                "check its quotes") from None
    env: list[tuple[str, str]] = []
    while tokens and "=" in tokens[0] and _ENV_NAME_RE.match(tokens[0].split("=", 1)[0]):
        name, value = tokens.pop(0).split("=", 1)
        env.append((name, value))
    if not tokens:
        raise ConfigError(path, f"`{dotted}` is empty; give the command to run, e.g. "
                                '"{python} train.py --max-steps {steps}"')
    for tok in (*tokens, *(v for _, v in env)):
        check_placeholders(path, dotted, tok, allowed)
    return Template(key=key, tokens=tuple(tokens), env=tuple(env))


def check_placeholders(path: Path, dotted: str, token: str, allowed: tuple[str, ...]) -> None:
    """Raise `ConfigError` naming ``dotted`` when ``token`` uses a placeholder not allowed."""
    try:
        fields = [f for _, f, spec, conv in string.Formatter().parse(token) if f is not None]
    except ValueError as exc:
        raise ConfigError(path, f"`{dotted}`: bad placeholder in {token!r} ({exc}); "
                                "write a literal brace as {{ or }}") from None
    for name in fields:
        if name not in allowed:
            known = ", ".join("{" + a + "}" for a in allowed)
            raise ConfigError(path, f"`{dotted}`: unknown placeholder {{{name}}} "
                                    f"(known here: {known})")


def parse_resume(path: Path, value: object) -> Resume:
    """A `resume` value: a whole command, or `{args = ...}` / `{env = {...}}` for train."""
    if isinstance(value, str):
        return Resume(template=parse_template(path, "resume", value, RESUME_PLACEHOLDERS))
    assert isinstance(value, dict)
    validate(value, Table(fields={"args": Field((str,)),
                                  "env": Table(open_keys=Field((str,)))}),
             path, f"{PREFIX}.resume")
    if ("args" in value) == ("env" in value):
        raise ConfigError(path, f"`{PREFIX}.resume` table needs exactly one of `args` "
                                "(appended to train) or `env` (added to train's environment)")
    if "args" in value:
        extra = parse_template(path, "resume.args", "X " + value["args"], RESUME_PLACEHOLDERS)
        return Resume(extra_args=extra.tokens[1:])
    env = value["env"]
    if not env:
        raise ConfigError(path, f"`{PREFIX}.resume.env` is empty; name the variable the "
                                'script reads, e.g. { RESUME_FROM = "{checkpoint}" }')
    for name, val in env.items():
        check_placeholders(path, f"{PREFIX}.resume.env.{name}", val, RESUME_PLACEHOLDERS)
    return Resume(extra_env=tuple(sorted(env.items())))
