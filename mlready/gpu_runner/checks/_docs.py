"""The docs' check tables, generated from the check declarations (never hand-copied).

Each block sits in a docs file between ``<!-- checks:NAME:start -->`` and
``<!-- checks:NAME:end -->``; `render` rewrites every block of every file, and the
test suite asserts the files are current, so a new check shows up in docs/run-json.md,
docs/runner-contract.md and docs/scorecard.md by running ``python -m mlready.dev
generate`` (which runs this with everything else derived) or
``python -m mlready.gpu_runner.checks --write``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from mlready.gpu_runner.checks import REGISTRY, RUNS, Check
from mlready.gpu_runner.checks._declaration import Reason
from mlready.gpu_runner.results import Outcome
from mlready.scorecard.categories import BY_KEY

DOCS = Path(__file__).resolve().parents[3] / "docs"

# Reasons the session and the runner give any check (a failed command, a harness problem).
COMMAND_REASONS = (
    "`environment` (skipped: the output says the command cannot run here: a missing module, "
    "a binary-incompatible extension, no GPU, no terminal; the summary quotes that line; "
    "`mlready run` exits 2), `command_not_found`, `cannot_start` (error); `timeout`, "
    "`nonzero_exit`, `killed` (fail); "
    "`disk_full` (error: the output says so, or under 1 MiB was left after a failed run, or "
    "the copy for resume filled the disk); `run_dir_vanished` (error: the run directory was "
    "deleted while the command ran); `cwd_missing` (error: `cwd` is no folder when the command "
    "starts); `metrics_regex_too_slow` (error: the `metrics` regex ran "
    "out of its time budget); `resume_copy_failed` (error); `checkpoint_copy_failed` (error: "
    "a checkpoint the run wrote outside `{run_dir}` could not be kept); `checkpoint_not_kept` "
    "(error: a file of the project at the checkpoint glob could not be copied aside before "
    "the run would overwrite it; nothing was run); `prerequisite_failed` (skipped: "
    "the smoke run failed, see smoke); `cannot_launch_distributed` (error)")
RUNNER_REASONS = (
    "`no_gpu` (skipped: `device = cuda` without a GPU; `mlready run` exits 2), `interrupted` "
    "(skipped), `internal_error`, `work_dir` (error)")
_LABEL = {Outcome.NOT_APPLICABLE: "n/a", Outcome.SKIPPED: "skipped",
          Outcome.NOT_MEASURED: "not measured", Outcome.ERROR: "error"}


def _reason(code: str, reason: Reason) -> str:
    label = _LABEL.get(reason.outcome, "")
    note = ": ".join(part for part in (label, reason.meaning) if part)
    return f"`{code}` ({note})" if note else f"`{code}`"


def reasons_table(checks: tuple[Check, ...] = REGISTRY) -> str:
    rows = ["| check | reasons |", "| --- | --- |",
            f"| any check whose command failed | {COMMAND_REASONS} |"]
    rows += [f"| {c.id} | " + ", ".join(_reason(k, r) for k, r in c.reasons.items()) + " |"
             for c in checks]
    rows.append(f"| all | {RUNNER_REASONS} |")
    return "\n".join(rows)


def metrics_list(checks: tuple[Check, ...] = REGISTRY) -> str:
    def item(name: str, note: str) -> str:
        shown = name if name.startswith("(") else f"`{name}`"
        return f"{shown} ({note})" if note else shown

    return "\n".join(f"- {c.id}: " + ", ".join(item(k, v) for k, v in c.metrics.items()) + "."
                     for c in checks)


def run_plan(checks: tuple[Check, ...] = REGISTRY) -> str:
    used: dict[str, list[str]] = {}
    for check in checks:
        for run in check.needs:
            used.setdefault(run, []).append(check.id)
    rows = ["| run | seed, steps | purpose | read by |", "| --- | --- | --- | --- |"]
    rows += [f"| `{run}` | {RUNS[run].seed_steps} | {RUNS[run].purpose} | "
             + ", ".join(ids) + " |" for run, ids in used.items()]
    derived = [(c.id, c.derived) for c in checks if c.derived is not None]
    rows += [f"| {d.ids} | {d.seed_steps} | {d.purpose} | {check_id} |"
             for check_id, d in derived]
    training = sum(1 for run in used if not RUNS[run].is_eval)
    evals = len(used) - training
    more = "".join(f", and {d.count} ({check_id})" for check_id, d in derived)
    rows += ["", f"Full run: **{training} training processes + {evals} eval"
                 f"{'s' if evals != 1 else ''}**{more}."]
    return "\n".join(rows)


def verdicts(checks: tuple[Check, ...] = REGISTRY) -> str:
    return "\n".join(f"- **{c.id}**: {c.verdict}" for c in checks)


def _toml(value: object) -> str:
    """A default as the user writes it in pyproject.toml (``true``, not ``True``)."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def options_table(checks: tuple[Check, ...] = REGISTRY) -> str:
    rows = ["| key | default | check | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| `{key}` | `{_toml(opt.default)}` | {c.id} | {opt.help} |"
             for c in checks for key, opt in c.options.items()]
    if len(rows) == 2:
        return "No check declares keys of its own."
    return "\n".join(rows)


def categories_table(checks: tuple[Check, ...] = REGISTRY) -> str:
    rows = ["| Check | Category | A pass shows |", "| --- | --- | --- |"]
    rows += [f"| `{c.id}` | {BY_KEY[c.category].name} | {c.title} |" for c in checks]
    return "\n".join(rows)


BLOCKS: Mapping[str, Mapping[str, Callable[[], str]]] = {
    "run-json.md": {"reasons": reasons_table, "metrics": metrics_list},
    "runner-contract.md": {"run-plan": run_plan, "verdicts": verdicts,
                           "options": options_table},
    "scorecard.md": {"categories": categories_table},
}


def _replace(text: str, name: str, body: str, path: Path) -> str:
    start, end = f"<!-- checks:{name}:start -->", f"<!-- checks:{name}:end -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{path}: no {start} ... {end} block")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)


def render(docs: Path = DOCS) -> dict[Path, tuple[str, str]]:
    """Every docs file with generated blocks: path -> (current text, generated text)."""
    out: dict[Path, tuple[str, str]] = {}
    for name, blocks in BLOCKS.items():
        path = docs / name
        current = path.read_text(encoding="utf-8")
        text = current
        for block, make in blocks.items():
            text = _replace(text, block, make(), path)
        out[path] = (current, text)
    return out
