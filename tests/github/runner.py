"""Just enough of the GitHub Actions runner to run a composite action's steps in a test.

It does what the runner does for ``run:`` steps: evaluate the ``${{ }}`` expressions the
action and the templates use (``inputs.*``, ``github.*``, ``steps.<id>.outputs.*``,
``env.*``, string literals, ``==``/``!=``/``&&``/``||``/``!``, ``contains(...)``,
``format(...)``, ``always()``, ``success()``, ``failure()``, ``cancelled()``), put the
step's ``env:`` in the environment, write the script to a file and run it with
``bash --noprofile --norc -eo pipefail {0}``, and parse ``$GITHUB_OUTPUT`` after each
step. A step whose ``if:`` is false is skipped; after a failure only steps whose ``if:``
calls ``always()`` or ``failure()`` run, as on GitHub. ``uses:`` steps are not run (the
test says which ones it skipped).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.\-\[\]']*)|(?P<num>\d+))")


def parse_output_file(text: str) -> dict[str, str]:
    """``$GITHUB_OUTPUT`` / ``$GITHUB_ENV`` format: ``k=v`` lines and ``k<<DELIM`` heredocs."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
                if i >= len(lines):
                    raise ValueError(f"unterminated heredoc for output {name!r}")
            i += 1
            values[name] = "\n".join(body)
        else:
            name, _, value = line.partition("=")
            values[name] = value
    return values


class _Expr:
    """A tiny recursive-descent evaluator for the expression subset above."""

    def __init__(self, text: str, context: Mapping[str, Any]) -> None:
        self.tokens: list[re.Match[str]] = []
        at = 0
        while text[at:].strip():
            match = _TOKEN.match(text, at)
            if match is None:
                raise ValueError(f"unsupported expression at {text[at:]!r}")
            self.tokens.append(match)
            at = match.end()
        self.pos = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.pos].group().strip() if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end of expression")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ValueError(f"trailing tokens at {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value or right
        return value

    def and_(self) -> Any:
        value = self.cmp()
        while self.peek() == "&&":
            self.take()
            right = self.cmp()
            value = value and right
        return value

    def cmp(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()
            right = self.unary()
            same = str(value).lower() == str(right).lower()  # Actions compares case-insensitively
            value = same if op == "==" else not same
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        if self.peek() == "(":
            self.take()
            value = self.or_()
            self.take()
            return value
        token = self.take()
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token.isdigit():
            return int(token)
        if token in ("true", "false"):
            return token == "true"
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.take()
            return self.call(token, args)
        return self.lookup(token)

    def call(self, name: str, args: list[Any]) -> Any:
        status = self.context.get("job_status", "success")
        if name == "always":
            return True
        if name == "success":
            return status == "success"
        if name == "failure":
            return status == "failure"
        if name == "cancelled":
            return status == "cancelled"
        if name == "format":
            template, *values = args
            return re.sub(r"\{(\d+)\}", lambda m: _text(values[int(m.group(1))]), str(template))
        if name == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(str(h).lower() == str(needle).lower() for h in haystack)
            return str(needle).lower() in str(haystack).lower()
        if name == "fromJSON":
            return json.loads(args[0])
        raise ValueError(f"unsupported function {name}()")

    def lookup(self, dotted: str) -> Any:
        value: Any = self.context
        for part in dotted.split("."):
            value = value.get(part, "") if isinstance(value, Mapping) else ""
        return value


def _text(value: Any) -> str:
    """A value as the runner turns it into a string (``true``, ``12``, ``''`` for null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    return _Expr(expression, context).parse()


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """Replace each ``${{ expr }}`` in ``text`` with its string value, as the runner does."""
    def value(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), context)
        if isinstance(result, bool):
            return "true" if result else "false"
        return str(result)
    return _EXPR.sub(value, text)


def condition(text: str | None, context: Mapping[str, Any]) -> bool:
    """A step's ``if:``: implicit ``success() &&`` unless it calls a status function."""
    if text is None or text == "":
        return bool(context.get("job_status", "success") == "success")
    inner = _EXPR.fullmatch(text.strip())
    expression = inner.group(1) if inner else text
    if not re.search(r"\b(always|failure|success|cancelled)\(", expression):
        expression = f"success() && ({expression})"
    return bool(evaluate(expression, context))


@dataclass
class StepRecord:
    name: str
    ran: bool
    returncode: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    duration: float = 0.0


@dataclass
class ActionRun:
    steps: list[StepRecord]
    outputs: dict[str, str]
    failed: bool


def run_composite(action: Mapping[str, Any], *, inputs: Mapping[str, str],
                  github: Mapping[str, Any], env: Mapping[str, str], workdir: Path,
                  skip_uses: bool = True, timeout: float = 300) -> ActionRun:
    """Run ``action``'s ``runs.steps`` the way the runner runs a composite action.

    ``inputs`` are merged over the action's declared defaults (with their expressions
    evaluated against ``github``); ``env`` is the process environment (it must hold
    ``GITHUB_OUTPUT``'s directory etc. as the caller wants); each step gets a fresh
    ``GITHUB_OUTPUT`` file, and ``GITHUB_STEP_SUMMARY`` is whatever ``env`` says.
    """
    context: dict[str, Any] = {"github": dict(github), "steps": {}, "env": dict(env),
                               "runner": {"os": "Linux",
                                          "temp": env.get("RUNNER_TEMP", str(workdir))},
                               "job_status": "success"}
    declared = action.get("inputs", {}) or {}
    resolved = {name: substitute(str(spec.get("default", "")), context)
                for name, spec in declared.items()}
    unknown = set(inputs) - set(declared)
    if unknown:
        raise ValueError(f"inputs not declared by the action: {sorted(unknown)}")
    resolved.update(inputs)
    context["inputs"] = resolved
    records: list[StepRecord] = []
    for index, step in enumerate(action["runs"]["steps"]):
        name = str(step.get("name") or step.get("id") or f"step {index}")
        if not condition(step.get("if"), context):
            records.append(StepRecord(name, ran=False))
            continue
        if "uses" in step:
            if not skip_uses:
                raise ValueError(f"cannot run `uses:` step {name}")
            records.append(StepRecord(f"{name} (uses: skipped)", ran=False))
            continue
        output_file = workdir / f"output_{index}"
        output_file.write_text("")
        step_env = dict(env)
        step_env.update({key: substitute(str(value), context)
                         for key, value in (step.get("env") or {}).items()})
        step_env["GITHUB_OUTPUT"] = str(output_file)
        script = workdir / f"step_{index}.sh"
        script.write_text(substitute(str(step["run"]), context))
        shell = step.get("shell")
        assert shell == "bash", f"step {name}: only `shell: bash` is emulated, got {shell!r}"
        cwd = Path(substitute(str(step.get("working-directory", ".")), context))
        started = time.monotonic()
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd if cwd.is_absolute() else workdir / cwd, env=step_env,
            capture_output=True, text=True, timeout=timeout, check=False)
        outputs = parse_output_file(output_file.read_text())
        if step.get("id"):
            context["steps"][step["id"]] = {
                "outputs": outputs,
                "outcome": "success" if proc.returncode == 0 else "failure"}
        records.append(StepRecord(name, True, proc.returncode, outputs, proc.stdout, proc.stderr,
                                  time.monotonic() - started))
        if proc.returncode != 0 and not step.get("continue-on-error"):
            context["job_status"] = "failure"
    action_outputs = {name: substitute(str(spec.get("value", "")), context)
                      for name, spec in (action.get("outputs") or {}).items()}
    return ActionRun(records, action_outputs, context["job_status"] == "failure")


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    """A clean environment like a runner's: PATH and HOME from here, nothing else leaked."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR")
           if key in os.environ}
    env["CI"] = "true"
    env["GITHUB_ACTIONS"] = "true"
    env.update(extra)
    return env
