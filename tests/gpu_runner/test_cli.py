"""`mlready run` through the CLI: exit codes, the JSON file, Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlready.cli import main

from .helpers import project_toml

pytestmark = pytest.mark.slow


def test_config_error_exits_2_with_one_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlready.runner]\ntrain = "x {oops}"\n')
    assert main(["run", str(tmp_path), "-o", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"mlready run: {tmp_path / 'pyproject.toml'}: `tool.mlready.runner.train`: "
                   "unknown placeholder {oops} (known here: {python}, {steps}, {seed}, "
                   "{run_dir}, {device}, {metrics_file}, {nproc}, {project_dir})")


def test_failure_exits_1_and_writes_json(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(project_toml("nan"))
    out = tmp_path / "r.json"
    assert main(["run", str(tmp_path), "-o", str(out), "--only", "smoke", "--steps", "4"]) == 1
    data = json.loads(out.read_text())
    assert data["schema_version"] == 1 and data["kind"] == "run"
    assert [c["check"] for c in data["checks"]] == ["smoke"]
    assert data["checks"][0]["reason"] == "nonfinite_metric"
    assert data["config"]["steps"] == 4
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  FAIL  smoke  non-finite loss at step 3 (nan)")
    assert lines[-1] == f"results: {out}"


def test_unknown_check_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(project_toml())
    assert main(["run", str(tmp_path), "--only", "smok"]) == 2


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_kills_the_run_and_reports(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(project_toml("hang", timeout=120))
    out = tmp_path / "r.json"
    work = tmp_path / "tmp"
    work.mkdir()
    # A shell's background job inherits SIGINT *ignored*, and so would the run (Python
    # only turns SIGINT into KeyboardInterrupt when it starts at the default): give the
    # run the terminal's default, as a person pressing Ctrl-C has. PYTHONFAULTHANDLER:
    # should the run still not exit, SIGABRT prints every thread's stack.
    proc = subprocess.Popen([sys.executable, "-m", "mlready", "run", str(tmp_path), "-o",
                             str(out), "--keep-run-dirs"],
                            env={**os.environ, "TMPDIR": str(work), "PYTHONFAULTHANDLER": "1"},
                            preexec_fn=_default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    pid_file = None
    while time.monotonic() < deadline and pid_file is None:
        found = [p for p in work.glob("mlready-run-*/ref/grandchild.pid") if p.read_text()]
        pid_file = found[0] if found else None
        time.sleep(0.1)
    assert pid_file is not None
    grandchild = int(pid_file.read_text())
    proc.send_signal(signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # keep the evidence of where it hung
        proc.send_signal(signal.SIGABRT)
        stdout, stderr = proc.communicate(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.kill(grandchild, signal.SIGKILL)
        pytest.fail(f"mlready run did not exit within 20 s of Ctrl-C; stdout:\n{stdout}\n"
                    f"stderr (thread stacks):\n{stderr[-6000:]}")
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert "interrupted (Ctrl-C) before this check finished" in stdout
    data = json.loads(out.read_text())
    assert data["interrupted"] is True
    assert {c["reason"] for c in data["checks"]} == {"interrupted"}
    time.sleep(0.5)
    try:
        os.kill(grandchild, 0)
        with open(f"/proc/{grandchild}/stat") as handle:
            assert handle.read().split()[2] == "Z"
    except ProcessLookupError:
        pass


def test_cuda_without_a_gpu_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mlready.gpu_runner.memory import gpu_count

    if gpu_count():
        pytest.skip("a GPU is present")
    (tmp_path / "pyproject.toml").write_text(project_toml())
    out = tmp_path / "r.json"
    assert main(["run", str(tmp_path), "-o", str(out), "--device", "cuda"]) == 2
    assert {c["reason"] for c in json.loads(out.read_text())["checks"]} == {"no_gpu"}
    assert "nothing measured: `device = cuda` but no NVIDIA GPU is visible here" in \
        capsys.readouterr().out
