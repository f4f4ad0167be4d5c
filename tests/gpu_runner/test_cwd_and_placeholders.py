"""`cwd`, relative checkpoint globs and the `{checkpoint_dir}` / `{resume_step}` placeholders,
with training and eval scripts of our own run as real subprocesses.

A relative `checkpoint` glob names where the command wrote, so it resolves against the
folder the command ran in: before, it resolved against mlready's own working directory,
and ``cd /tmp && mlready run /path/to/project`` failed where ``mlready run .`` passed.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from mlready.cli import main
from mlready.config import ConfigError
from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.progress import Progress
from mlready.gpu_runner.session import Session

from .helpers import FIXTURES

pytestmark = pytest.mark.slow

# Torch-free: writes its "checkpoint" to a path relative to the folder it runs in.
TRAIN = textwrap.dedent('''
    import json, os, sys
    steps, save_dir = int(sys.argv[1]), sys.argv[2]
    for step in range(1, steps + 1):
        print(f"step {step} loss {1.0 / step}", flush=True)
    os.makedirs(save_dir, exist_ok=True)
    with open(os.path.join(save_dir, "model.pt"), "w") as f:
        f.write("weights")
''')
# Prints what it was given, as an eval script never written for mlready does.
EVAL = textwrap.dedent('''
    import os, sys
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    print(f"found {int(os.path.isfile(args['--checkpoint']))}")
    if "--step" in args:
        names = sorted(os.listdir(args["--dir"]))
        print(f"resume_step {args['--step']} files_in_dir {len(names)}")
''')


def _project(root: Path, extra: str = "", save_dir: str = "ckpts", at: str = "") -> Path:
    project = root / "project"
    project.mkdir()
    (project / "train.py").write_text(TRAIN)
    (project / "evaluate.py").write_text(EVAL)
    (project / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {at}train.py {{steps}} {save_dir}"\n'
        f'eval = "{{python}} {at}evaluate.py --checkpoint {{checkpoint}}"\n'
        "eval-metrics = 'found (?P<found>\\d+)'\n"
        "metrics = 'step (?P<step>\\d+) loss (?P<loss>\\S+)'\n"
        'checkpoint = "ckpts/*.pt"\nsteps = 3\ntimeout = 60\n' + extra)
    return project


def test_relative_glob_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cd /tmp && mlready run /path/to/project
    assert main(["run", str(project), "--only", "eval", "-o", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    (result,) = data["checks"]
    assert (result["outcome"], result["metrics"]["found"]) == ("pass", 1), result["summary"]
    assert not (elsewhere / "ckpts").exists()


def test_cwd_template_checkpoint_dir_and_resume_step(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) \
        -> None:
    project = _project(tmp_path, save_dir=".", extra='cwd = "{run_dir}"\n',
                       at="{project_dir}/")
    text = (project / "pyproject.toml").read_text()
    text = text.replace('checkpoint = "ckpts/*.pt"', 'checkpoint = "model.pt"').replace(
        'evaluate.py --checkpoint {checkpoint}"',
        'evaluate.py --checkpoint {checkpoint} --dir {checkpoint_dir} --step {resume_step}"')
    text = text.replace("eval-metrics = 'found (?P<found>\\d+)'",
                        "eval-metrics = '(found (?P<found>\\d+)|resume_step (?P<resume_step>"
                        "\\d+) files_in_dir (?P<files>\\d+))'")
    (project / "pyproject.toml").write_text(text)
    assert main(["run", str(project), "--only", "eval", "-o", "-"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["checks"]
    assert result["outcome"] == "pass", result["summary"]
    # The script wrote model.pt into its own run directory (its cwd), and the glob found
    # it there; {checkpoint_dir} is that directory; the plain-text file holds no step
    # counter, so {resume_step} is the last step the run logged.
    assert result["metrics"] == {"found": 1, "resume_step": 3, "files": 1,
                                 "wall_s": result["metrics"]["wall_s"]}
    assert not (project / "model.pt").exists()


@pytest.mark.parametrize(("key", "line", "message"), [
    ("train", 'train = "{python} t.py --from {resume_step}"',
     "`tool.mlready.runner.train`: unknown placeholder {resume_step} (known here: {python}, "
     "{steps}, {seed}, {run_dir}, {device}, {metrics_file}, {nproc}, {project_dir})"),
    ("cwd", 'train = "{python} t.py"\ncwd = "{checkpoint_dir}"',
     "`tool.mlready.runner.cwd`: unknown placeholder {checkpoint_dir} (known here: {python}, "
     "{steps}, {seed}, {run_dir}, {device}, {metrics_file}, {nproc}, {project_dir})"),
    ("cwd", 'train = "{python} t.py"\ncwd = " "',
     '`tool.mlready.runner.cwd` is empty; remove it to run in the project folder, or give '
     'one, e.g. "{run_dir}"'),
    ("eval", 'train = "{python} t.py"\ncheckpoint = false\n'
             'eval = "{python} e.py --from {checkpoint_dir}"',
     "`tool.mlready.runner.eval` uses {checkpoint_dir}, but "
     "`tool.mlready.runner.checkpoint = false`; remove one of them"),
])
def test_placeholder_errors_name_the_key(tmp_path: Path, key: str, line: str,
                                         message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.mlready.runner]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        runner_config.load(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'pyproject.toml'}: {message}"


def test_resume_and_eval_accept_the_new_placeholders(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlready.runner]\ntrain = "{python} t.py"\n'
        'resume = { args = "--resume-dir {checkpoint_dir} --start-epoch {resume_step}" }\n'
        'eval = "{python} e.py {checkpoint_dir}"\n')
    cfg = runner_config.load(tmp_path)
    assert cfg.resume is not None
    assert cfg.resume.extra_args == ("--resume-dir", "{checkpoint_dir}", "--start-epoch",
                                     "{resume_step}")


def test_a_cwd_that_is_not_a_folder_is_named_before_anything_starts(tmp_path: Path) -> None:
    project = _project(tmp_path, extra='cwd = "{run_dir}/work"\n')
    work = tmp_path / "work"
    work.mkdir()
    session = Session(runner_config.load(project), "cpu", work,
                      Progress(1, io.StringIO(), enabled=False), needs_torch=False)
    ref = session.run("ref")
    assert ref.problem is not None and ref.problem.reason == "cwd_missing"
    assert ref.problem.summary == (
        f"`tool.mlready.runner.cwd` = `{{run_dir}}/work` is {work / 'ref' / 'work'}, which is "
        'not a folder when the command starts; point it at one that exists, e.g. "{run_dir}"')
    assert session.records == []  # no process was started


def test_resume_gets_the_copied_folder_and_the_step(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mlready.runner]\n"
        f'train = "{{python}} {FIXTURES / "tiny.py"} --steps {{steps}} --out {{run_dir}}"\n'
        'resume = { args = "--resume {checkpoint_dir}:{resume_step}" }\nsteps = 3\n'
        "timeout = 30\n")
    work = tmp_path / "work"
    work.mkdir()
    session = Session(runner_config.load(tmp_path), "cpu", work,
                      Progress(2, io.StringIO(), enabled=False), needs_torch=False)
    assert session.run("resumed").ok
    # The resumed run works in a copy of the smoke run's folder; tiny.py's plain-text
    # checkpoint holds no counter, so the step is the last the smoke run logged.
    assert session.records[-1].argv[-2:] == ["--resume", f"{work / 'resumed'}:3"]
