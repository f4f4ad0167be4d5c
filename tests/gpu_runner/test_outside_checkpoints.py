"""Checkpoints written outside the run directory (a train command without ``{run_dir}``):
every run writes the same file, so each run's must be kept apart before the next run
overwrites it. Real training subprocesses with torch on CPU, through ``mlready run``.

Before `mlready.gpu_runner.outside`, a script whose final weights are not reproducible
at all read "resume ... matches the uninterrupted run: ... bitwise identical" (the
resumed and the uninterrupted run's checkpoint were one file, compared with itself) and
"seed 1 reproduced seed 0 exactly: the seed does not reach the randomness".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from mlready.cli import main
from mlready.gpu_runner import originals, outside

pytestmark = pytest.mark.slow

# Saves to out/ckpt.pt in the folder it runs in, whatever the run (or to --save-to, and
# links --link/ckpt.pt to it); RANDOM=1 makes its weights differ on every run, seed or
# not; NO_SAVE_ON_RESUME=1 makes a resume save nothing; --auto-resume resumes from
# out/ckpt.pt, as scripts that look for their last checkpoint do.
TRAIN = textwrap.dedent('''
    import argparse, os, torch
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--resume", default=None)
    p.add_argument("--auto-resume", action="store_true")
    p.add_argument("--save-to", default="out/ckpt.pt")
    p.add_argument("--link", default=None)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    w = torch.randn(4, 4)
    if os.environ.get("RANDOM") == "1":
        w = w + float(int.from_bytes(os.urandom(2), "little"))
    if a.auto_resume and os.path.exists("out/ckpt.pt"):
        a.resume = "out/ckpt.pt"
    if a.resume:
        w = torch.load(a.resume, weights_only=True)["model"]["w"]
        if os.environ.get("NO_SAVE_ON_RESUME") == "1":
            raise SystemExit(0)
    os.makedirs(os.path.dirname(a.save_to) or ".", exist_ok=True)
    if os.environ.get("EVERY") == "1":  # out/ckpt_<step>.pt at every step
        for step in range(1, a.steps + 1):
            torch.save({"model": {"w": w}, "step": step}, f"out/ckpt_{step}.pt")
    elif os.environ.get("ATOMIC") == "1":  # a temporary file renamed over the target
        torch.save({"model": {"w": w}, "step": a.steps}, a.save_to + ".tmp")
        os.replace(a.save_to + ".tmp", a.save_to)
    else:
        torch.save({"model": {"w": w}, "step": a.steps}, a.save_to)
    if a.link:
        os.symlink(os.path.abspath(a.save_to), os.path.join(a.link, "ckpt.pt"))
    if os.environ.get("SLEEP"):  # saved, then busy: time for a Ctrl-C
        open("saved", "w").close()
        import time; time.sleep(float(os.environ["SLEEP"]))
    if os.environ.get("CLOBBER") == "1":  # out/ removed, or replaced by a file
        import shutil; shutil.rmtree("out")
        if os.environ.get("FILE_IN_THE_WAY") == "1":
            open("out", "w").close()
''')


def _project(root: Path, *, train: str = "", resume: str = "--resume {checkpoint}",
             checkpoint: str = "out/ckpt.pt") -> Path:
    root.mkdir()
    (root / "train.py").write_text(TRAIN, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.mlready.runner]\n'
        f'train = "{{python}} train.py --steps {{steps}} --seed {{seed}} {train}"\n'
        f'resume = "{{python}} train.py --steps {{steps}} --seed {{seed}} {resume}"\n'
        f'checkpoint = "{checkpoint}"\nsteps = 4\ntimeout = 60\n', encoding="utf-8")
    return root


def _results(project: Path, capsys: pytest.CaptureFixture[str], *only: str
             ) -> dict[str, Any]:
    """`mlready run --only ONLY` on ``project``: the results JSON it printed."""
    main(["run", str(project), "--only", ",".join(only), "-o", "-"])
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _checks(project: Path, capsys: pytest.CaptureFixture[str], *only: str
            ) -> dict[str, dict[str, object]]:
    return {c["check"]: c for c in _results(project, capsys, *only)["checks"]}


def test_runs_that_share_one_file_are_compared_by_what_each_wrote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    monkeypatch.setenv("RANDOM", "1")
    checks = _checks(project, capsys, "reproducibility", "resume")
    repro, resume = checks["reproducibility"], checks["resume"]
    assert (repro["outcome"], repro["reason"]) == ("fail", "not_reproducible"), repro
    assert "no metric is logged by both runs" in str(repro["summary"])
    assert resume["outcome"] == "fail", resume
    assert "differs" in str(resume["summary"])
    # The user's file stays where the command wrote it.
    assert (project / "out" / "ckpt.pt").is_file()


def test_a_reproducible_script_that_shares_one_file_still_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checks = _checks(_project(tmp_path / "p"), capsys, "reproducibility", "resume")
    repro, resume = checks["reproducibility"], checks["resume"]
    assert repro["outcome"] == "pass", repro
    # Only the weights were compared, and the summary says so (no metric is logged).
    assert str(repro["summary"]).startswith("seed 0 twice: final weights bitwise identical")
    assert resume["outcome"] == "pass", resume
    assert "final model/optimizer bitwise identical" in str(resume["summary"])
    assert "metrics and" not in str(resume["summary"])


def test_a_resume_that_writes_nothing_is_not_given_an_earlier_runs_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NO_SAVE_ON_RESUME", "1")
    resume = _checks(_project(tmp_path / "p"), capsys, "resume")["resume"]
    assert (resume["outcome"], resume["reason"]) == ("fail", "nothing_to_compare"), resume
    assert "checkpoint_missing" in str(resume["summary"])


def test_a_stale_file_is_not_the_runs_checkpoint(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A checkpoint left by an earlier session, and a command that writes none now."""
    project = _project(tmp_path / "p")
    (project / "out").mkdir()
    (project / "out" / "ckpt.pt").write_bytes(b"from last week")
    (project / "train.py").write_text("print('trained, saved nothing')\n", encoding="utf-8")
    check = _checks(project, capsys, "checkpoint")["checkpoint"]
    assert (check["outcome"], check["reason"]) == ("fail", "checkpoint_missing"), check
    assert "which the run left as it was before it started" in str(check["summary"])
    assert (project / "out" / "ckpt.pt").read_bytes() == b"from last week"


def test_sort_keeps_inside_copies_written_and_sets_aside_untouched(tmp_path: Path) -> None:
    run_dir, cwd = tmp_path / "work" / "ref", tmp_path / "project"
    (cwd / "out").mkdir(parents=True)
    run_dir.mkdir(parents=True)
    mine, stale, new = run_dir / "c.pt", cwd / "out" / "old.pt", cwd / "out" / "new.pt"
    for path in (mine, stale, new):
        path.write_bytes(b"x")
    before = outside.signatures([mine, stale, new], run_dir)
    assert set(before) == {stale, new}  # inside the run directory: never looked at
    new.write_bytes(b"xy")  # the run rewrites it
    gone = cwd / "out" / "gone.pt"
    result = outside.sort([mine, stale, new, gone], before, run_dir, cwd)
    copy = run_dir / outside.FOLDER / "out" / "new.pt"
    assert result == outside.Sorted([mine, copy], [(new, copy)], [stale])


def test_copy_to_never_leaves_the_run_directory(tmp_path: Path) -> None:
    run_dir, cwd = tmp_path / "w" / "ref", tmp_path / "p"
    folder = run_dir / outside.FOLDER
    assert outside.copy_to(cwd / "out" / "a.pt", run_dir, cwd) == folder / "out" / "a.pt"
    assert outside.copy_to(Path("/data/ckpt/a.pt"), run_dir, cwd) == \
        folder / "data" / "ckpt" / "a.pt"
    climbing = outside.copy_to(cwd / ".." / "x" / "a.pt", run_dir, cwd)
    assert ".." not in climbing.parts and outside.inside(climbing, folder)


def test_a_path_that_climbs_out_of_the_run_directory_is_outside_it(tmp_path: Path) -> None:
    run_dir = tmp_path / "work" / "ref"
    assert outside.inside(run_dir / "sub" / "c.pt", run_dir)
    assert not outside.inside(run_dir / ".." / "shared" / "c.pt", run_dir)
    assert not outside.inside(tmp_path / "work" / "ref2" / "c.pt", run_dir)


@pytest.mark.parametrize("random", ["0", "1"])
def test_a_resume_that_saves_over_the_checkpoint_it_was_given_is_compared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        random: str) -> None:
    """``--save-to {checkpoint}``: the resumed run's state lands in the copy it was
    given, which the glob (out/ckpt.pt) never sees."""
    monkeypatch.setenv("RANDOM", random)
    project = _project(tmp_path / "p", resume="--resume {checkpoint} --save-to {checkpoint}")
    resume = _checks(project, capsys, "resume")["resume"]
    assert "not compared" not in str(resume["summary"]), resume
    # The resumed run keeps the weights it loads; with RANDOM=1 the uninterrupted run
    # draws other ones, and the final states (now compared) differ.
    if random == "0":
        assert resume["outcome"] == "pass", resume
        assert "final model/optimizer bitwise identical" in str(resume["summary"])
    else:
        assert resume["outcome"] == "fail", resume
        assert "final state differs" in str(resume["summary"])


def test_a_resume_command_without_its_checkpoint_cannot_be_judged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It would resume from out/ckpt.pt, which by then holds the uninterrupted run's end."""
    project = _project(tmp_path / "p", resume="--auto-resume")
    resume = _checks(project, capsys, "resume")["resume"]
    assert (resume["outcome"], resume["reason"]) == ("error", "resume_input_shared"), resume
    assert "pass {checkpoint}" in str(resume["summary"])


def test_a_link_in_the_run_directory_to_a_shared_file_is_not_the_runs_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RANDOM", "1")
    project = _project(tmp_path / "p", train="--link {run_dir}",
                       checkpoint="{run_dir}/ckpt.pt")
    repro = _checks(project, capsys, "reproducibility")["reproducibility"]
    assert (repro["outcome"], repro["reason"]) == ("fail", "not_reproducible"), repro


def test_the_users_own_checkpoint_is_put_back_after_the_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """out/ckpt.pt holds last week's real training: the short runs overwrite it, and it
    must be there, unchanged, when `mlready run` ends; files the runs created stay."""
    project = _project(tmp_path / "p")
    (project / "out").mkdir()
    original = project / "out" / "ckpt.pt"
    original.write_bytes(b"weeks of training")
    os.utime(original, ns=(1_000_000_000, 1_000_000_000))
    main(["run", str(project), "--only", "reproducibility,resume", "-o", "-"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    checks = {c["check"]: c for c in data["checks"]}
    assert checks["reproducibility"]["outcome"] == "pass", checks
    assert original.read_bytes() == b"weeks of training"
    assert original.stat().st_mtime_ns == 1_000_000_000
    assert data["restored"] == [str(original)]
    assert f"put back {original}: the runs had changed or removed it" in captured.err


def test_a_file_that_cannot_be_kept_aside_stops_the_run_before_it_overwrites_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The copy aside fails (a permission error, which root never meets: simulated): the
    run must not start, or it would overwrite the only copy."""
    project = _project(tmp_path / "p")
    (project / "out").mkdir()
    original = project / "out" / "ckpt.pt"
    original.write_bytes(b"weeks of training")

    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(originals.shutil, "copy2", refuse)  # session.py copies otherwise
    smoke = _checks(project, capsys, "smoke")["smoke"]
    assert (smoke["outcome"], smoke["reason"]) == ("error", "checkpoint_not_kept"), smoke
    assert "nothing was run" in str(smoke["summary"])
    assert original.read_bytes() == b"weeks of training"


def _users_file(project: Path, name: str = "ckpt.pt") -> Path:
    (project / "out").mkdir(exist_ok=True)
    original = project / "out" / name
    original.write_bytes(b"weeks of training")
    os.utime(original, ns=(1_000_000_000, 1_000_000_000))
    return original


def _as_it_was(path: Path) -> bool:
    return path.read_bytes() == b"weeks of training" and path.stat().st_mtime_ns == 10**9


def test_one_file_spelled_through_each_run_directory_is_kept_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``{run_dir}/../../../p/out/ckpt.pt`` names the user's file differently for every run:
    kept under each spelling, the second run's output was 'put back' over the original."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the work folder's
    project = _project(tmp_path / "p")
    (project / "pyproject.toml").write_text(
        '[tool.mlready.runner]\n'
        'train = "{python} {project_dir}/train.py --steps {steps} --seed {seed} '
        '--save-to ../../../p/out/ckpt.pt"\n'
        'checkpoint = "{run_dir}/../../../p/out/ckpt.pt"\ncwd = "{run_dir}"\n'
        'steps = 4\ntimeout = 60\n', encoding="utf-8")
    original = _users_file(project)
    data = _results(project, capsys, "reproducibility")
    assert data["checks"][0]["outcome"] == "pass", data["checks"]
    assert _as_it_was(original)
    assert len(data["restored"]) == 1


def test_every_file_the_glob_can_match_is_kept_and_what_the_runs_created_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``out/ckpt_{steps}.pt`` matches ckpt_4.pt for a 4-step run, but the runs write every
    step's file: the user's ckpt_2.pt is overwritten by a match of no run's own glob."""
    monkeypatch.setenv("EVERY", "1")
    project = _project(tmp_path / "p", checkpoint="out/ckpt_{steps}.pt")
    original = _users_file(project, "ckpt_2.pt")
    data = _results(project, capsys, "smoke")
    assert _as_it_was(original)
    assert data["restored"] == [str(original)]
    assert (project / "out" / "ckpt_3.pt").is_file()  # a run's: left where it was written


def test_a_link_an_atomic_save_replaced_is_a_link_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ATOMIC", "1")
    project = _project(tmp_path / "p")
    real = _users_file(project, "real.pt")
    link = project / "out" / "ckpt.pt"
    link.symlink_to("real.pt")
    data = _results(project, capsys, "smoke")
    assert link.is_symlink() and str(link.readlink()) == "real.pt"
    assert _as_it_was(real)
    assert data["restored"] == [str(link)]


def test_a_removed_folder_is_made_again_to_put_the_file_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLOBBER", "1")
    project = _project(tmp_path / "p")
    original = _users_file(project)
    data = _results(project, capsys, "smoke")
    assert _as_it_was(original)
    assert data["restored"] == [str(original)]


def test_a_file_that_cannot_be_put_back_keeps_its_original_and_says_where(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLOBBER", "1")
    monkeypatch.setenv("FILE_IN_THE_WAY", "1")  # `out` is now a file: no folder there
    project = _project(tmp_path / "p")
    original = _users_file(project)
    data = _results(project, capsys, "smoke")
    (why,) = data["not_restored"]
    assert why.startswith(f"cannot put back {original} (")
    backup = Path(why.rsplit("its original is ", 1)[1])
    assert backup.read_bytes() == b"weeks of training"
    assert data["environment"]["work_dir"] in str(backup)  # the work folder was kept
    import shutil

    shutil.rmtree(data["environment"]["work_dir"])


def test_ctrl_c_puts_the_users_file_back(tmp_path: Path) -> None:
    """The real interrupt: SIGINT to `mlready run` while its first run sleeps after saving."""
    project = _project(tmp_path / "p")
    original = _users_file(project)
    env = {**os.environ, "SLEEP": "60"}
    process = subprocess.Popen([sys.executable, "-m", "mlready", "run", str(project),
                                "--only", "smoke", "-o", str(tmp_path / "run.json")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not (project / "saved").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert original.read_bytes() != b"weeks of training"  # the run has overwritten it
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert _as_it_was(original)
    assert json.loads((tmp_path / "run.json").read_text())["restored"] == [str(original)]


def test_every_link_to_the_users_file_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """out/latest.pt -> ckpt.pt beside out/ckpt.pt: one content, two names; the runs save
    atomically to latest.pt, replacing the link by a file."""
    monkeypatch.setenv("ATOMIC", "1")
    project = _project(tmp_path / "p", train="--save-to out/latest.pt",
                       checkpoint="out/*.pt")
    original = _users_file(project)
    latest = project / "out" / "latest.pt"
    latest.symlink_to("ckpt.pt")
    data = _results(project, capsys, "smoke")
    assert latest.is_symlink() and str(latest.readlink()) == "ckpt.pt"
    assert _as_it_was(original)
    assert str(latest) in data["restored"]


def test_a_hard_linked_file_is_put_back_under_every_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """keep/best.pt is another name of out/ckpt.pt: a copy renamed over out/ckpt.pt would
    leave best.pt holding the run's bytes."""
    project = _project(tmp_path / "p")
    original = _users_file(project)
    (project / "keep").mkdir()
    best = project / "keep" / "best.pt"
    os.link(original, best)
    data = _results(project, capsys, "smoke")
    assert _as_it_was(original) and best.read_bytes() == b"weeks of training"
    assert data["restored"] == [str(original)]


def test_a_link_whose_folder_the_runs_removed_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLOBBER", "1")
    project = _project(tmp_path / "p")
    (project / "data").mkdir()
    real = project / "data" / "real.pt"
    real.write_bytes(b"weeks of training")
    (project / "out").mkdir()
    link = project / "out" / "ckpt.pt"
    link.symlink_to(real)
    data = _results(project, capsys, "smoke")
    assert link.is_symlink() and link.read_bytes() == b"weeks of training"
    assert "not_restored" not in data and str(link) in data["restored"]
