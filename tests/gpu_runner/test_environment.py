"""A training that cannot run here is `skipped` (reason `environment`) with the line that
decides quoted in the summary, never the user's training "failing"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlready.gpu_runner import config as runner_config
from mlready.gpu_runner.failures import describe, environment
from mlready.gpu_runner.memory import MemoryPeak
from mlready.gpu_runner.process import ProcessResult, Status
from mlready.gpu_runner.results import CheckResult, Outcome, RunReport
from mlready.gpu_runner.runner import execute

from .helpers import FIXTURES, MakeProject, by_id

TINY = FIXTURES / "tiny.py"


def failed(tail: str, code: int = 1) -> ProcessResult:
    return ProcessResult(("python", "train.py"), Status.EXIT, code, 1.0, Path("log"), tail,
                         MemoryPeak(None, None, 0, None, None))


@pytest.mark.parametrize(("tail", "kind", "line"), [
    ("Traceback (most recent call last):\n  File \"train.py\", line 3\n"
     "ModuleNotFoundError: No module named 'gymnasium'\n",
     "a module is missing", "ModuleNotFoundError: No module named 'gymnasium'"),
    ("RuntimeError: operator torchvision::nms does not exist\n",
     "an extension does not match the installed packages",
     "RuntimeError: operator torchvision::nms does not exist"),
    ("ImportError: libcudart.so.12: cannot open shared object file: No such file\n",
     "an extension does not match the installed packages",
     "ImportError: libcudart.so.12: cannot open shared object file: No such file"),
    ("ImportError: cannot import name 'x' from 'pkg' (/v/lib/python3.11/site-packages/pkg/"
     "__init__.py)\n", "an extension does not match the installed packages",
     "ImportError: cannot import name 'x' from 'pkg' (/v/lib/python3.11/site-packages/pkg/"
     "__init__.py)"),
    ("ValueError: FP8 training requires at least one GPU\n", "it needs a GPU",
     "ValueError: FP8 training requires at least one GPU"),
    ("AssertionError: Torch not compiled with CUDA enabled\n", "it needs a GPU",
     "AssertionError: Torch not compiled with CUDA enabled"),
    ("RuntimeError: No CUDA GPUs are available\n", "it needs a GPU",
     "RuntimeError: No CUDA GPUs are available"),
    ("  File \"t.py\", line 9, in <module>\n    assert torch.cuda.is_available()\n"
     "AssertionError\n", "it needs a GPU", "assert torch.cuda.is_available(): AssertionError"),
    ("stty: 'standard input': Inappropriate ioctl for device\nTraceback (most recent call "
     "last):\nValueError: not enough values to unpack (expected 2, got 0)\n",
     "it needs a terminal", "stty: 'standard input': Inappropriate ioctl for device"),
    ("EOFError: EOF when reading a line\n", "it needs a terminal",
     "EOFError: EOF when reading a line"),
    # A tokenizer or weights fetched at start-up, on a machine without the network.
    ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='tok.example', "
     "port=443): Max retries exceeded (Caused by NameResolutionError(...))\n",
     "it needs the network", "requests.exceptions.ConnectionError: HTTPSConnectionPool("
     "host='tok.example', port=443): Max retries exceeded (Caused by NameResolutionError("
     "...))"),
    ("urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name "
     "resolution>\n", "it needs the network", "urllib.error.URLError: <urlopen error "
     "[Errno -3] Temporary failure in name resolution>"),
    ("OSError: We couldn't connect to 'https://hub.example' to load the files\n",
     "it needs the network",
     "OSError: We couldn't connect to 'https://hub.example' to load the files"),
    # The missing module is the cause of the exception the run ended with.
    ("Traceback (most recent call last):\n  File \"envs.py\", line 2, in <module>\n"
     "ModuleNotFoundError: No module named 'sim_pkg'\n\nThe above exception was the direct "
     "cause of the following exception:\n\nTraceback (most recent call last):\n  File "
     "\"train.py\", line 5, in <module>\nImportError: train.py needs sim_pkg: pip install "
     "sim_pkg\n", "a module is missing", "ModuleNotFoundError: No module named 'sim_pkg'"),
    # gym / gymnasium naming the package an environment id needs (their own messages).
    ("Traceback (most recent call last):\n  File \"train.py\", line 8, in <module>\n"
     "gymnasium.error.NamespaceNotFound: Namespace ALE not found. Have you installed the "
     "proper package for ALE?\n", "a package is missing",
     "gymnasium.error.NamespaceNotFound: Namespace ALE not found. Have you installed the "
     "proper package for ALE?"),
    ("gym.error.UnregisteredEnv: Namespace `ALE` does not exist, have you installed the "
     "proper package for `ALE`?\n", "a package is missing",
     "gym.error.UnregisteredEnv: Namespace `ALE` does not exist, have you installed the "
     "proper package for `ALE`?"),
    ("gym.error.NameNotFound: The environment `Pong` has been moved out of Gym to the "
     "package `ale_py`. Please install the package via `pip install ale_py`.\n",
     "a package is missing", "gym.error.NameNotFound: The environment `Pong` has been moved "
     "out of Gym to the package `ale_py`. Please install the package via `pip install "
     "ale_py`."),
    ("gymnasium.error.DependencyNotInstalled: MuJoCo is not installed, run `pip install "
     "\"gymnasium[mujoco]\"`\n", "a package is missing",
     "gymnasium.error.DependencyNotInstalled: MuJoCo is not installed, run `pip install "
     "\"gymnasium[mujoco]\"`"),
    ("gym.error.DependencyNotInstalled: No module named 'mujoco'. (HINT: you need to "
     "install mujoco)\n", "a package is missing", "gym.error.DependencyNotInstalled: No "
     "module named 'mujoco'. (HINT: you need to install mujoco)"),
])
def test_environment_lines(tail: str, kind: str, line: str) -> None:
    found = environment(tail)
    assert found is not None and found[:2] == (kind, line)


@pytest.mark.parametrize("tail", [
    "ImportError: cannot import name 'GPTT' from 'model' (/project/model.py)\n",
    "AssertionError: loss is nan\n",
    "  File \"t.py\", line 3\n    assert batch.shape[0] == 32\nAssertionError\n",
    "RuntimeError: Expected all tensors to be on the same device\n",
    "RuntimeError: dataset not found at /nope\n",
    # A server of the project's own that did not start is its bug, not a missing network.
    "ConnectionRefusedError: [Errno 111] Connection refused\n",
    # The network was missed and the library carried on (a warning, then its cache); the
    # run then failed on a bug of its own: that bug is the verdict, not the warning.
    "We couldn't connect to 'https://huggingface.co' to load this file, trying to find it "
    "in the cached files instead.\nTraceback (most recent call last):\n  File \"train.py\", "
    "line 9, in <module>\nRuntimeError: mat1 and mat2 shapes cannot be multiplied\n",
    "wandb: Network error (ConnectionError), entering retry loop. Name or service not "
    "known\nTraceback (most recent call last):\n  File \"train.py\", line 4, in <module>\n"
    "KeyError: 'lr'\n",
    # An optional import tried, its failure logged, and the run went on: the bug it then
    # died of is the verdict, whether the import's note is a line or a whole traceback.
    "optional: ModuleNotFoundError: No module named 'apex' (using torch.amp)\n"
    "Traceback (most recent call last):\n  File \"train.py\", line 30, in <module>\n"
    "KeyError: 'lr'\n",
    "Traceback (most recent call last):\n  File \"fused.py\", line 1, in <module>\n"
    "ModuleNotFoundError: No module named 'flash_attn'\nfalling back to plain attention\n"
    "step 0 loss 2.31\nTraceback (most recent call last):\n  File \"train.py\", line 41, in "
    "<module>\nRuntimeError: shape '[8, 64]' is invalid for input of size 500\n",
    # An unknown environment id may be a typo: gym and gymnasium say no more than that,
    # with a suggestion or without, and a namespace they can suggest is a misspelling.
    "gym.error.NameNotFound: Environment PongNoFrameskip doesn't exist. \n",
    "gymnasium.error.NameNotFound: Environment `CartPol` doesn't exist. Did you mean: "
    "`CartPole`?\n",
    "gymnasium.error.NamespaceNotFound: Namespace AEL not found. Did you mean: `ALE`?\n",
    # The id was moved, its package is installed: the user must spell the new id.
    "gym.error.NameNotFound: The environment `Pong` has been moved out of Gym to the "
    "package `ale_py`. You can instantiate the new namespaced environment as `ALE/Pong`.\n",
    # A script that tries an optional plugin, notes it is absent, then dies of its own bug.
    "gym.error.DependencyNotInstalled: No module named 'mujoco'. (HINT: ...) -- skipping\n"
    "Traceback (most recent call last):\n  File \"train.py\", line 12, in <module>\n"
    "KeyError: 'lr'\n",
])
def test_the_users_own_bugs_stay_failures(tail: str) -> None:
    assert environment(tail) is None
    problem = describe(failed(tail), "train run `python train.py`", "train", 60)
    assert problem is not None and (problem.outcome, problem.reason) == (Outcome.FAIL,
                                                                         "nonzero_exit")


def test_describe_quotes_the_line_and_says_what_to_do() -> None:
    tail = "loading\nModuleNotFoundError: No module named 'gymnasium'\n"
    problem = describe(failed(tail), "train run `python train.py`", "train", 60)
    assert problem is not None and (problem.outcome, problem.reason) == (Outcome.SKIPPED,
                                                                         "environment")
    assert problem.summary == ("train run `python train.py` cannot run in this environment "
                               "(a module is missing): ModuleNotFoundError: No module named "
                               "'gymnasium'; install it in the environment mlready runs the "
                               "command in")
    # A signal is never the environment's: killed stays killed.
    killed = describe(failed(tail, code=-9), "train run", "train", 60)
    assert killed is not None and killed.reason == "killed"


def test_exit_code_of_a_run_that_could_not_run_here_is_2() -> None:
    skipped = CheckResult("smoke", Outcome.SKIPPED, "cannot run here", reason="environment")
    report = RunReport(checks=(skipped,))
    assert report.cannot_run_here and report.exit_code == 2
    plain = RunReport(checks=(CheckResult("smoke", Outcome.SKIPPED, "x", reason="other"),))
    assert plain.exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "line"), [
    ("no-module", "ModuleNotFoundError: No module named 'mlready_fixture_missing_pkg'"),
    ("stty", "stty: 'standard input': Inappropriate ioctl for device"),
    ("cuda-assert", "assert torch.cuda.is_available(): AssertionError"),
    ("fetch", "socket.gaierror: [Errno -"),
    # The worker's exception, not the parent's pipe error, and in it the missing package.
    ("worker-no-plugin", "(a package is missing): NamespaceNotFound: Namespace ALE not "
                         "found. Have you installed the proper package for ALE?; install"),
])
def test_training_that_cannot_run_here(make_project: MakeProject, mode: str,
                                       line: str) -> None:
    cfg = make_project(train=f'"{{python}} {TINY} --steps {{steps}} --out {{run_dir}} '
                             f'--mode {mode}"', eval_mode=None)
    report = execute(cfg, ("smoke", "checkpoint"), progress=False)
    smoke, checkpoint = by_id(report)["smoke"], by_id(report)["checkpoint"]
    assert (smoke.outcome, smoke.reason) == (Outcome.SKIPPED, "environment"), smoke.summary
    assert line in smoke.summary and "\n" not in smoke.summary
    assert smoke.summary.startswith(f"train run `{Path(sys.executable).name} {TINY} --steps")
    # Every check that needed the run says the same: nothing was measured here.
    assert (checkpoint.outcome, checkpoint.reason) == (Outcome.SKIPPED, "environment")
    assert report.exit_code == 2


@pytest.mark.slow
def test_a_missing_module_that_is_the_projects_own_package_says_so(tmp_path: Path) -> None:
    # `python pkg/scripts/train.py` puts pkg/scripts on the import path, not the project:
    # its `import pkg` fails until the project is installed (spinningup's ppo.py).
    (tmp_path / "pkg" / "scripts").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "model.py").write_text("WIDTH = 4\n")
    (tmp_path / "pkg" / "scripts" / "train.py").write_text(
        "import pkg.model\nprint('step 1 loss 1.0')\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlready.runner]\ntrain = "{python} pkg/scripts/train.py"\n'
        "steps = 2\ntimeout = 60\n")
    report = execute(runner_config.load(tmp_path), ("smoke",), progress=False)
    smoke = by_id(report)["smoke"]
    assert (smoke.outcome, smoke.reason) == (Outcome.SKIPPED, "environment"), smoke.summary
    assert smoke.summary.endswith(
        "(a module is missing): ModuleNotFoundError: No module named 'pkg'; `pkg` is this "
        "project's own package: install the project (`pip install -e .`) in the environment "
        "mlready runs the command in, or run the script as a module (`{python} -m ...`)")


def test_a_missing_module_of_the_same_name_elsewhere_is_not_the_projects(
        tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()  # a folder of data, no package: the module is a dependency
    (tmp_path / "pkg" / "weights.txt").write_text("1 2 3\n")
    tail = "ModuleNotFoundError: No module named 'pkg'\n"
    problem = describe(failed(tail), "train run", "train", 60, tmp_path)
    assert problem is not None and problem.summary.endswith(
        "; install it in the environment mlready runs the command in")
