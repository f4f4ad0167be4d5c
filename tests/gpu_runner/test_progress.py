"""Progress while a run goes: elapsed time and the last metric, on stderr only.

`last_metric` and `Progress` on real files written by the test; then `mlready run` as a
real subprocess whose stderr is a pipe (a CI log), with a training script of our own
that runs a few seconds and the interval shortened through MLREADY_PROGRESS_INTERVAL.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.gpu_runner.progress import INTERVAL_ENV, Progress, Watch, last_metric


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_last_metric_from_jsonl_and_from_output(tmp_path: Path) -> None:
    jsonl = tmp_path / "m.jsonl"
    assert last_metric(Watch(metrics_file=jsonl, objective="loss")) is None  # not yet written
    jsonl.write_text('{"step": 1, "lr": 0.1, "loss": 2.5}\n{"step": 2, "lr": 0.1, "loss": 1.25}'
                     '\n{"step": 3, "lo')  # the last line is still being written
    assert last_metric(Watch(metrics_file=jsonl, objective="loss")) == "step 2: loss 1.25, lr 0.1"
    log = tmp_path / "out.log"
    log.write_text("step 1 loss 0.9\nstep 2 loss 0.7\nsaving checkpoint\n")
    assert last_metric(Watch(log=log, objective="loss")) == "last line: step 2 loss 0.7"
    assert last_metric(Watch(log=log)) == "last line: saving checkpoint"


def test_terminal_line_updates_in_place(tmp_path: Path) -> None:
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text('{"step": 3, "loss": 0.25}\n')
    stream = _Terminal()
    progress = Progress(1, stream, interval=0.05)
    progress.start("train ref (seed 0, 6 steps)", Watch(metrics_file=jsonl, objective="loss"))
    time.sleep(0.3)
    progress.end("ok", 1.0)
    text = stream.getvalue()
    assert text.startswith("[1/1] train ref (seed 0, 6 steps) ... \r\x1b[K[1/1] train ref "
                           "(seed 0, 6 steps) ... running 0.")
    assert "s; step 3: loss 0.25" in text and "\n" not in text[:-1]
    assert text.endswith("\r\x1b[K[1/1] train ref (seed 0, 6 steps) ... ok (1.0s)\n")


def test_log_lines_only_while_a_run_goes_on(tmp_path: Path) -> None:
    quick = io.StringIO()
    progress = Progress(2, quick, interval=0.2)
    progress.start("train ref", Watch())
    progress.end("ok", 0.01)
    assert quick.getvalue() == ""  # a run that ends before the interval prints nothing
    slow = io.StringIO()
    progress = Progress(2, slow, interval=0.05)
    progress.start("train ref", Watch(log=tmp_path / "none.log"))
    time.sleep(0.2)
    progress.end("ok", 0.2)
    lines = slow.getvalue().splitlines()
    assert len(lines) >= 2 and all(
        re.fullmatch(r"mlready run: \[1/2\] train ref: running \d+\.\ds; nothing reported "
                     r"yet", line) for line in lines), lines
    silent = io.StringIO()
    progress = Progress(2, silent, enabled=False, interval=0.01)
    progress.start("train ref", Watch())
    time.sleep(0.05)
    progress.end("ok", 0.05)
    assert silent.getvalue() == ""


SLOW_TRAIN = textwrap.dedent('''
    import os, sys, time
    for step in range(1, int(sys.argv[1]) + 1):
        print(f"step {step} loss {1.0 / step:.4f}", flush=True)
        time.sleep(0.25)
    open(os.path.join(sys.argv[2], "checkpoint.pt"), "w").write("x")
''')


@pytest.mark.slow
def test_a_ci_log_shows_progress_and_stdout_stays_json(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SLOW_TRAIN)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlready.runner]\ntrain = "{python} train.py {steps} {run_dir}"\n'
        "metrics = 'step (?P<step>\\d+) loss (?P<loss>\\S+)'\nsteps = 12\ntimeout = 60\n")
    env = {**os.environ, INTERVAL_ENV: "0.5"}
    done = subprocess.run([sys.executable, "-m", "mlready", "run", str(tmp_path), "--only",
                           "smoke", "-o", "-"], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["checks"][0]["outcome"] == "pass"  # nothing else on stdout
    ticks = re.findall(r"^mlready run: \[1/1\] train ref \(seed 0, 12 steps\): running "
                       r"(\d+\.\d)s; last line: step (\d+) loss \S+$", done.stderr, re.M)
    assert len(ticks) >= 3, done.stderr
    steps = [int(step) for _, step in ticks]
    assert steps == sorted(steps) and steps[-1] > steps[0]  # it moved while it went
    elapsed = [float(s) for s, _ in ticks]
    assert elapsed == sorted(elapsed) and elapsed[1] - elapsed[0] >= 0.4


def test_progress_interval_must_be_positive(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tmp_path), "--progress-interval", "0"]) == 2
    assert "Invalid value for '--progress-interval'" in capsys.readouterr().err
    # inf (or 1e30) overflowed the progress thread's wait: a traceback mid-run
    assert main(["run", str(tmp_path), "--progress-interval", "inf"]) == 2
    assert "Invalid value for '--progress-interval'" in capsys.readouterr().err


def test_the_commands_text_is_escaped_in_progress_and_in_the_summary(tmp_path: Path) -> None:
    """A JSONL key with a newline, or an escape sequence in the output, would otherwise
    start a line of our stderr (read as a workflow command in CI) or rewrite the
    terminal; both are the training command's text."""
    from mlready.gpu_runner.render import text
    from mlready.gpu_runner.results import CheckResult, Outcome, RunReport

    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(json.dumps({"step": 1, "loss\n::error::x": 0.5}) + "\n")
    assert last_metric(Watch(metrics_file=jsonl)) == "step 1: loss\\n::error::x 0.5"
    log = tmp_path / "out.log"
    log.write_text("step 1 \x1b[2Jloss 0.9\r::warning::y\n")
    assert last_metric(Watch(log=log)) == "last line: step 1 \\x1b[2Jloss 0.9\\r::warning::y"
    report = RunReport(checks=(CheckResult("smoke", Outcome.FAIL, "exited 1: \n::error::z"),))
    assert text(report).splitlines()[1:] == ["  FAIL  smoke  exited 1: \\n::error::z"]
