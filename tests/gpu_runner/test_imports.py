"""The runner imports without torch; torch is loaded only to read checkpoints."""

from __future__ import annotations

import io
import subprocess
import sys

from mlready.gpu_runner.progress import Progress

CODE = """
import sys
sys.modules["torch"] = None  # as if torch were not installed
import mlready.gpu_runner.cli, mlready.gpu_runner.runner, mlready.gpu_runner.checks
from mlready.gpu_runner import checkpoint
try:
    checkpoint.load("x.pt")
except checkpoint.CheckpointError as exc:
    print(exc.reason)
"""


def test_runner_imports_without_torch() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "torch_missing"


def test_progress_lines() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, enabled=True)
    progress.start("train ref (seed 0, 6 steps)")
    progress.end("ok", 1.234)
    assert stream.getvalue() == "[1/2] train ref (seed 0, 6 steps) ... ok (1.2s)\n"
    quiet = io.StringIO()
    Progress(2, quiet, enabled=False).start("x")
    assert quiet.getvalue() == ""
