"""`mlready run [PROJECT_DIR]`: the click command; exit 0 pass, 1 fail, 2 error, 130 Ctrl-C.

Machine-readable output (``-o -``) is the only thing on stdout; the summary then goes to
stderr, as progress always does.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from mlready.config import ConfigError
from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.checks import IDS
from mlready.gpu_runner.progress import DEFAULT_INTERVAL_S, INTERVAL_ENV, MAX_INTERVAL_S
from mlready.gpu_runner.render import text
from mlready.gpu_runner.runner import execute


def _sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """CI cancels with SIGTERM: treat it like Ctrl-C so the command tree is killed."""
    try:
        previous = signal.signal(signal.SIGTERM, _sigterm)
    except ValueError:  # not the main thread (e.g. some test runners)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _is_console_script() -> bool:
    """True when this process is `mlready ...` or `python -m mlready ...` (not a test run)."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return argv0.name == "mlready" or argv0.parts[-2:] == ("mlready", "__main__.py")


_exit_code: list[int] = []  # the code the fast exit uses; the last caller's word wins


def _fast_exit() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code[-1])


def skip_torch_teardown(code: int) -> None:
    """Exit without torch's interpreter teardown (~1.3 s on a CPU) once results are written.

    The runner imported torch only to compare checkpoints; tearing it down would be the
    largest part of the runner's overhead. Registered last, this atexit handler runs
    first; everything the runner owns (results file, run directories) is already done.
    ``code`` must be the code the *process* exits with: a command that runs `run`
    inside itself (`mlready ci`) calls this again with its own code before it returns,
    or `run`'s code would leak out as the process's.
    """
    if "torch" in sys.modules and _is_console_script():
        if not _exit_code:
            atexit.register(_fast_exit)
        _exit_code.append(code)


def cancel_torch_teardown_skip() -> None:
    """Undo `skip_torch_teardown`: the process exits the ordinary way, with its own code."""
    if _exit_code:
        atexit.unregister(_fast_exit)
        _exit_code.clear()


def _only(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in IDS]
    if unknown:
        raise click.BadParameter(f"unknown check {unknown[0]!r} (known: {', '.join(IDS)})",
                                 param_hint="--only")
    return chosen


@click.command("run")
@click.argument("project_dir", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="pyproject.toml (or TOML file) holding [tool.mlready.runner].")
@click.option("--output", "-o", default="mlready-run.json", show_default=True,
              help="Where to write the JSON results ('-' for stdout only).")
@click.option("--only", help=f"Comma-separated checks to run ({', '.join(IDS)}).")
@click.option("--steps", type=int, help="Override `steps` (N).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Override `device`.")
@click.option("--timeout", type=float, help="Override `timeout` (seconds per command).")
@click.option("--nproc", type=int, help="Override `nproc` (>1 runs train under torchrun).")
@click.option("--keep-run-dirs", is_flag=True, help="Keep the temporary run directories.")
@click.option("--progress/--no-progress", default=None,
              help="Per-run progress lines on stderr (default: when stderr is a terminal; "
                   "elsewhere a line every --progress-interval seconds while a run goes).")
@click.option("--progress-interval",  # at most a day: the wait under it takes a time_t
              type=click.FloatRange(min=0, min_open=True, max=MAX_INTERVAL_S),
              default=DEFAULT_INTERVAL_S, show_default=True, envvar=INTERVAL_ENV,
              show_envvar=True,
              help="Seconds between progress lines while a run goes, when stderr is not a "
                   "terminal (CI logs).")
def run(project_dir: Path, config_path: Path | None, output: str, only: str | None,
        steps: int | None, device: str | None, timeout: float | None, nproc: int | None,
        keep_run_dirs: bool, progress: bool | None, progress_interval: float) -> int:
    """Run the project's training, eval and tests briefly and prove smoke, reproducibility,
    resume, checkpoint contents, eval thresholds, seed spread, memory growth, distributed
    launch and the test suite with numbers."""
    selected = _only(only)
    try:
        cfg = runner_config.load(project_dir, config_path).with_overrides(
            steps=steps, device=device, timeout=timeout, nproc=nproc)
    except ConfigError as exc:
        click.echo(f"mlready run: {exc}", err=True)
        return 2
    with _sigterm_as_interrupt():
        report = execute(cfg, selected, keep_run_dirs=keep_run_dirs, progress=progress,
                         progress_interval=progress_interval)
    payload = json.dumps(report.to_json(), indent=2, allow_nan=False, default=str)
    written: str | None = None
    if output == "-":
        click.echo(payload)
    else:
        try:
            Path(output).write_text(payload + "\n", encoding="utf-8")
            written = output
        except OSError as exc:
            click.echo(f"mlready run: cannot write {output}: {exc.strerror or exc}", err=True)
            click.echo(text(report), err=True)
            return 2
    click.echo(text(report, written), err=output == "-")
    skip_torch_teardown(report.exit_code)
    return report.exit_code
