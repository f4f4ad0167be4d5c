"""One `mlready run`: starts the planned runs on demand, once each, and caches what they left.

Checks ask the session for runs by id (see `plan`); the first ask starts the process,
later asks get the cached `RunOutcome`. The two most recently loaded checkpoints are
cached (memory-mapped), so consecutive checks comparing the same files load them once.
The session owns the temporary work directory (one sub-directory per run, logs and
metrics files beside them) and every `RunRecord` for the results file.

A command runs in `cwd` (default: the project folder), and a relative checkpoint glob
is looked for there, where the command wrote, never where mlready was started. Of
several files the glob matches, the latest by the step it holds is the run's
checkpoint (`checkpoint_pick`), and the reason is kept for the checkpoint check to tell.
A checkpoint written outside the run's directory is copied into it when the run ends,
and one the run did not write is not its checkpoint (`outside`): runs that share one
output file are compared by what each of them wrote.
What a run's command, environment and folder are is `launch`'s job.
"""

from __future__ import annotations

import errno
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlready.gpu_runner import checkpoint as ckpt
from mlready.gpu_runner import launch, outside
from mlready.gpu_runner.checkpoint_pick import pick_checkpoint
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.failures import Problem, describe, last_line
from mlready.gpu_runner.metrics import RegexTooSlow, Trajectory, parse_jsonl, parse_regex
from mlready.gpu_runner.originals import CannotKeep, Originals
from mlready.gpu_runner.plan import RUNS, RunId, RunSpec
from mlready.gpu_runner.process import ProcessResult, run_command
from mlready.gpu_runner.progress import Progress, Watch
from mlready.gpu_runner.results import Outcome, RunRecord


class DiskFull(Exception):
    """The runner's own files could not be written (ENOSPC); ``during`` says at what."""

    def __init__(self, work_dir: str, during: str = "") -> None:
        self.work_dir = work_dir
        self.during = during
        super().__init__(work_dir)

    @property
    def summary(self) -> str:
        where = f"disk full {self.during} (in {self.work_dir})" if self.during else \
            f"no space left in the run directory {self.work_dir}"
        return f"{where}; free space or point TMPDIR at a larger disk"


class _NoSpace(Exception):
    """ENOSPC inside `shutil.copytree`, which would otherwise collect it and go on copying."""


def _copy_or_stop(src: str, dst: str) -> object:
    try:
        return shutil.copy2(src, dst)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _NoSpace from None
        raise


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: its process, what it logged and which checkpoint it left."""

    spec: RunSpec
    run_dir: Path
    steps: int
    seed: int
    process: ProcessResult | None = None
    problem: Problem | None = None  # set when the run failed or could not start
    trajectory: Trajectory = field(default_factory=Trajectory)
    checkpoints: tuple[Path, ...] = ()
    output_file: Path | None = None  # eval: the {metrics_file} it was asked to write
    log_path: Path | None = None  # everything the command printed (stdout and stderr)
    cwd: Path | None = None  # the folder it ran in: a relative checkpoint glob's base
    untouched: tuple[Path, ...] = ()  # matches outside run_dir that the run left as they were

    @property
    def ok(self) -> bool:
        return self.problem is None


class Session:
    """Lazily started, cached runs of one project under one config."""

    def __init__(self, config: RunnerConfig, device: str, work_dir: Path,
                 progress: Progress, *, runs: Mapping[RunId, RunSpec] = RUNS,
                 smoke_selected: bool = True, needs_torch: bool = True) -> None:
        self.config = config
        self.device = device
        self.work_dir = work_dir
        self.progress = progress
        self.runs = runs  # the plan's runs and those the checks declare
        # When the smoke check runs too it reports a failed `ref` run in full, and the
        # other checks only point there (`checks._common.prerequisite`).
        self.smoke_selected = smoke_selected
        self.records: list[RunRecord] = []
        self._runs: dict[RunId, RunOutcome] = {}
        self._picked: dict[RunId, tuple[Path, str]] = {}  # several matches: which, and why
        self._loaded: dict[Path, Any] = {}
        self.originals = Originals(work_dir)  # the user's files the runs would overwrite
        self._prewarm: threading.Thread | None = None
        if needs_torch:
            # Import torch while the first training run works, not after it: the import
            # costs ~1-2 s that would otherwise count as runner overhead.
            self._prewarm = threading.Thread(target=ckpt.prewarm, name="mlready-torch",
                                             daemon=True)
            self._prewarm.start()

    # -- runs -----------------------------------------------------------------------------

    def run(self, run_id: RunId) -> RunOutcome:
        """The outcome of ``run_id``, starting it first if no check has asked before."""
        if run_id not in self._runs:
            self._runs[run_id] = self._start(self.runs[run_id])
        return self._runs[run_id]

    def run_extra(self, spec: RunSpec, *, planned: bool = True) -> RunOutcome:
        """`run` for a run a check derives from the config (one per extra seed) rather than
        declares in ``RUNS``; cached by its id like the others. ``planned=False``: a run no
        plan could count (memory-growth's burn-in), so the progress total grows by one."""
        if spec.id not in self._runs:
            if not planned:
                self.progress.grow()
            self._runs[spec.id] = self._start(spec)
        return self._runs[spec.id]

    def cached(self, run_id: RunId) -> RunOutcome | None:
        return self._runs.get(run_id)

    def finished(self) -> tuple[RunOutcome, ...]:
        """Every run started so far, extra ones included, in the order they started."""
        return tuple(self._runs.values())

    @property
    def commands_wall_s(self) -> float:
        return sum(r.wall_s for r in self.records)

    def resume_step(self, source: RunOutcome, path: Path) -> int:
        """The step ``path`` (left by ``source``) was written at, for ``{resume_step}``.

        Its own step counter when it holds a readable one (`checkpoint.step_counter`,
        helped by what the run logged), else the last step the run logged, else the
        steps it was asked for. Only computed when a template uses it: it loads the file.
        """
        logged = source.trajectory.last_step
        try:
            counter = ckpt.step_counter(self.load(path), logged)
        except ckpt.CheckpointError:
            counter = None
        if counter is not None:
            return int(counter[1])
        return logged if logged is not None else source.steps

    def _start(self, spec: RunSpec) -> RunOutcome:
        steps = spec.steps if spec.steps is not None else self.config.steps * spec.steps_factor
        timeout = spec.timeout_s if spec.timeout_s is not None else self.config.timeout
        seed = self.config.seed + spec.seed_offset
        run_dir = self.work_dir / spec.id
        metrics_file = self.work_dir / f"{spec.id}.metrics.jsonl"
        log_path = self.work_dir / f"{spec.id}.log"
        base = RunOutcome(spec, run_dir, steps, seed)
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
            checkpoint: Path | None = None
            copied: Path | None = None
            resume_step = ""  # {resume_step}: read from the source checkpoint when used
            if spec.resume_from is not None or (spec.is_eval and self.config.writes_checkpoint):
                source = self.run(spec.resume_from or "ref")
                found = self.single_checkpoint(source)
                if isinstance(found, Problem):
                    return _with_problem(base, Problem(
                        Outcome.SKIPPED, "prerequisite_failed",
                        f"needs the smoke run's checkpoint: {found.summary}"))
                checkpoint = found
                if "resume_step" in launch.template_of(self.config, spec).fields:
                    resume_step = str(self.resume_step(source, found))
                if spec.resume_from is not None:
                    copy = self._copy_run_dir(source.run_dir, found, run_dir)
                    if isinstance(copy, Problem):
                        return _with_problem(base, copy)
                    checkpoint = copied = copy
            values = launch.placeholder_values(self.config, self.device, run_dir, steps, seed,
                                                metrics_file, checkpoint)
            if resume_step:
                values["resume_step"] = resume_step
            output_file: Path | None = None
            if spec.is_eval:  # named after the run: two evals must not share one file
                output_file = self.work_dir / f"{spec.id}-metrics.json"
                values["metrics_file"] = str(output_file)
            argv, extra_env, key = launch.command(self.config, spec, values)
            wrapped = argv if spec.is_eval else launch.under_torchrun(self.config, argv)
            if isinstance(wrapped, Problem):
                return _with_problem(base, wrapped)
            env = launch.environment(self.config, self.device, values, metrics_file)
            env.update(extra_env)
            cwd = launch.folder(self.config, values)
            if not cwd.is_dir():
                return _with_problem(base, Problem(
                    Outcome.ERROR, "cwd_missing",
                    f"`tool.mlready.runner.cwd` = `{self.config.cwd}` is {cwd}, which is not "
                    "a folder when the command starts; point it at one that exists, e.g. "
                    '"{run_dir}"'))
            # What the glob finds outside the run directory before the run: afterwards,
            # a file still as it was is not this run's checkpoint (`outside`).
            before = {} if spec.is_eval else outside.signatures(
                self._matches(values, skip=None, cwd=cwd), run_dir)
            # The project's own files any run could overwrite: kept, put back at the end
            # (`originals`). ENOSPC goes to the disk-full handler below.
            users = outside.signatures(
                self._matches(values, skip=None, cwd=cwd, any_run=True), self.work_dir)
            try:
                self.originals.keep(users, cwd)
            except CannotKeep as exc:
                return _with_problem(base, Problem(Outcome.ERROR, "checkpoint_not_kept",
                                                   f"{exc}; nothing was run"))
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise DiskFull(str(self.work_dir), "while copying aside the project's "
                                   "files the checkpoint glob matches (nothing was run; or "
                                   "write checkpoints under {run_dir})") from None
                raise
            # A resume may save over the copy it was given (`--save-to {checkpoint}`).
            given = outside.signature(copied) if copied is not None else None
            jsonl = self.config.metrics_regex is None and not spec.is_eval
            self.progress.start(launch.label(spec, steps, seed), Watch(
                metrics_file=metrics_file if jsonl else None, log=None if jsonl else log_path,
                objective="" if spec.is_eval else self.config.objective))
            try:
                proc = run_command(wrapped, cwd=cwd, env=env,
                                   timeout=timeout, log_path=log_path,
                                   watch=(metrics_file,))
            except BaseException:  # Ctrl-C, a full disk: no progress after the report
                self.progress.abort()
                raise
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFull(str(self.work_dir)) from None
            raise
        self.progress.end(proc.status.value, proc.wall_s)
        self.records.append(RunRecord(
            id=spec.id, purpose=spec.purpose, argv=list(proc.argv), status=proc.status.value,
            exit_code=proc.exit_code, wall_s=round(proc.wall_s, 4),
            peak_rss_bytes=proc.memory.rss_bytes, peak_gpu_bytes=proc.memory.gpu_bytes))
        what = "eval" if spec.is_eval else ("resume run" if spec.resume_from else "train run")
        label = f"{what} `{launch.short(proc.argv)}`"
        problem = describe(proc, label, key, timeout, self.config.project_dir)
        if not run_dir.is_dir():
            failed = f"; it then failed: {last_line(proc.tail)}" if problem is not None else ""
            problem = Problem(Outcome.ERROR, "run_dir_vanished",
                              f"the run directory {run_dir} vanished during the {label} "
                              f"(deleted by the command or a temp-file cleaner?): nothing it "
                              f"wrote can be checked{failed}", proc.tail)
        regex = self.config.metrics_regex
        trajectory = Trajectory()
        if spec.is_eval:
            pass
        elif regex is None:
            trajectory = parse_jsonl(metrics_file)
        else:
            budget = max(1.0, timeout - proc.wall_s)
            try:
                trajectory = parse_regex(log_path, regex, budget)
            except RegexTooSlow as exc:
                if problem is None:
                    problem = Problem(
                        Outcome.ERROR, "metrics_regex_too_slow",
                        f"`tool.mlready.runner.metrics` took over {exc.budget_s:.3g}s on the "
                        f"{what}'s output (stopped at line {exc.line_no}; catastrophic "
                        "backtracking?): simplify the regex, e.g. no nested quantifiers "
                        "like (a+)+", proc.tail)
        checkpoints: tuple[Path, ...] = ()
        untouched: tuple[Path, ...] = ()
        self.originals.created(  # an eval's files too: none of them is the user's
            path for path in self._matches(values, skip=None, cwd=cwd, any_run=True)
            if path not in users and not outside.inside(path, self.work_dir))
        if not spec.is_eval:
            matched = outside.sort(self._matches(values, skip=copied, cwd=cwd), before,
                                   run_dir, cwd)
            failed_copy = self._keep_outside(matched.to_copy)
            if failed_copy is not None and problem is None:
                problem = failed_copy
            own = [path for path in matched.own if path != copied]
            left = list(matched.untouched)
            now = outside.signature(copied) if copied is not None else None
            if copied is not None and now is not None:
                # Saved over (its checkpoint), or left as it was given (an earlier run's).
                (own if now != given else left).append(copied)
            checkpoints, untouched = tuple(own), tuple(left)
        return RunOutcome(spec, run_dir, steps, seed, proc, problem, trajectory, checkpoints,
                          output_file, log_path, cwd, untouched)

    def _keep_outside(self, to_copy: list[tuple[Path, Path]]) -> Problem | None:
        """Copy the checkpoints a run wrote outside its directory into it (`outside`),
        before the next run overwrites them; a full disk stops the runner (`DiskFull`)."""
        for source, target in to_copy:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_or_stop(str(source), str(target))
            except (_NoSpace, OSError) as exc:
                if isinstance(exc, _NoSpace) or exc.errno == errno.ENOSPC:
                    raise DiskFull(str(self.work_dir), "while keeping a checkpoint written "
                                                       "outside the run directory") from None
                return Problem(Outcome.ERROR, "checkpoint_copy_failed",
                               f"cannot keep the checkpoint {source}, which the run wrote "
                               f"outside its run directory: {exc.strerror or exc}")
        return None

    def _copy_run_dir(self, source_dir: Path, found: Path, run_dir: Path) -> Path | Problem:
        """Resume in a copy of the smoke run's directory, leaving the original intact.

        Returns the checkpoint to resume from: the copy, or ``found`` itself when the
        run wrote it outside ``{run_dir}``. A full disk stops the copy at once (and
        removes the partial copy); any other file that cannot be copied is a `Problem`.
        """
        try:
            shutil.copytree(source_dir, run_dir, dirs_exist_ok=True,
                            copy_function=_copy_or_stop)
        except (_NoSpace, OSError) as exc:
            if isinstance(exc, _NoSpace) or exc.errno == errno.ENOSPC \
                    or "No space left" in str(exc):
                shutil.rmtree(run_dir, ignore_errors=True)
                raise DiskFull(str(self.work_dir), "while copying the checkpoint for resume") \
                    from None
            why = str(exc)
            if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) \
                    and exc.args[0] and len(exc.args[0][0]) == 3:
                src, _, reason = exc.args[0][0]
                why = f"{src}: {reason}"
            return Problem(Outcome.ERROR, "resume_copy_failed",
                           f"cannot copy the smoke run's directory for the resume run: "
                           f"{why[:200]}")
        try:
            return run_dir / found.relative_to(source_dir)
        except ValueError:
            return found

    def _matches(self, values: dict[str, str], skip: Path | None, cwd: Path,
                 *, any_run: bool = False) -> list[Path]:
        """The files the checkpoint glob matches for a run; ``any_run``: for any seed,
        step count, device or process count (those placeholders read as ``*``)."""
        escaped = {k: _glob_escape(v) for k, v in values.items()}
        if any_run:
            escaped.update(dict.fromkeys(_RUN_VARYING, "*"))
        pattern = self.config.checkpoint.format_map(escaped)
        if not Path(pattern).is_absolute():  # where the command wrote it, not where we are
            pattern = str(Path(_glob_escape(str(cwd))) / pattern)
        found = ckpt.find(pattern)
        if skip is not None and len(found) > 1:
            # The resumed run's directory holds the copied input checkpoint; when the run
            # wrote a new file beside it (e.g. checkpoint_40.pt), the copy is not its output.
            newer = [p for p in found if p != skip]
            if newer:
                found = sorted(newer, key=lambda p: p.stat().st_mtime)[-1:]
        return found

    def single_checkpoint(self, run: RunOutcome) -> Path | Problem:
        """The checkpoint ``run`` left, or the problem (the run failed, nothing matched).

        Of several matches, the latest (`pick_checkpoint`); `picked_because` says why.
        """
        if run.problem is not None:
            return run.problem
        pattern = self.config.checkpoint
        if not run.checkpoints:
            where = "" if Path(pattern).is_absolute() or run.cwd is None else \
                f", relative to the folder it ran in, {run.cwd}"
            if run.untouched:
                shown = ", ".join(str(p) for p in run.untouched[:3])
                return Problem(Outcome.FAIL, "checkpoint_missing",
                               f"the {run.spec.id} run wrote no checkpoint: "
                               f"`tool.mlready.runner.checkpoint` = `{pattern}`{where} "
                               f"matches only {shown}, which the run left as it was before "
                               "it started (an earlier run's file)")
            present = sorted(p.name for p in run.run_dir.rglob("*") if p.is_file())[:8]
            listing = ", ".join(present) if present else "it is empty"
            return Problem(Outcome.FAIL, "checkpoint_missing",
                           f"no file matches `tool.mlready.runner.checkpoint` = `{pattern}`"
                           f"{where} after the {run.spec.id} run (run dir holds: {listing})")
        if len(run.checkpoints) == 1:
            return run.checkpoints[0]
        if run.spec.id not in self._picked:
            self._picked[run.spec.id] = pick_checkpoint(
                run.checkpoints, lambda path: self._held_step(path, run.trajectory.last_step))
        return self._picked[run.spec.id][0]

    def picked_because(self, run: RunOutcome) -> str | None:
        """Why `single_checkpoint` chose its file among several matches; None for one match."""
        picked = self._picked.get(run.spec.id)
        return picked[1] if picked is not None else None

    def _held_step(self, path: Path, logged_step: int | None) -> tuple[str, float] | None:
        try:
            return ckpt.step_counter(self.load(path), logged_step)
        except ckpt.CheckpointError:
            return None

    # -- checkpoints ----------------------------------------------------------------------

    def load(self, path: Path) -> Any:
        """The checkpoint at ``path`` (cached); raises `checkpoint.CheckpointError`."""
        if self._prewarm is not None:
            self._prewarm.join()
        if path not in self._loaded:
            # Keep at most two checkpoints mapped: a comparison needs two, and memory must
            # stay within 2x the largest checkpoint however many runs left one.
            while len(self._loaded) >= 2:
                del self._loaded[next(iter(self._loaded))]
            try:
                self._loaded[path] = ckpt.load(path)
            except ckpt.CheckpointError as exc:
                self._loaded[path] = exc
        else:
            self._loaded[path] = self._loaded.pop(path)  # most recently used last
        value = self._loaded[path]
        if isinstance(value, ckpt.CheckpointError):
            raise value
        return value


# The placeholders whose values differ from run to run of one session, the run dir aside
# (what lies in a run dir is mlready's): a glob with them may match another run's file.
_RUN_VARYING = ("steps", "seed", "device", "nproc")


def _with_problem(base: RunOutcome, problem: Problem) -> RunOutcome:
    return RunOutcome(base.spec, base.run_dir, base.steps, base.seed, None, problem)


def _glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)
