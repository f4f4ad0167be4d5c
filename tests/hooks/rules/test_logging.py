"""MLR801-MLR804: training entrypoints followed through the project's calls and imports."""

from __future__ import annotations

from pathlib import Path

from project_files import write

from mlready.hooks.engine import check
from mlready.hooks.settings import Overrides

PYPROJECT = '[project]\nname = "demo"\nversion = "0"\n'
LOOP = ("import torch\n\n\ndef fit(steps):\n    opt = torch.optim.SGD([], lr=0.1)\n"
        "    for step in range(steps):\n        opt.step()\n        print(step)\n")


def findings(root: Path, select: str) -> list[str]:
    report = check([root], Overrides(select=[select], no_cache=True), jobs=1)
    assert report.errors == ()
    return [f"{d.path}:{d.line} {d.code}" for d in report.diagnostics]


def test_training_reached_through_main_and_a_helper(tmp_path: Path) -> None:
    """``__main__`` -> ``main()`` -> ``loop.fit()``: the script trains, at the call."""
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "loop.py": LOOP, "run.py": (
        "from loop import fit\n\n\ndef main():\n    fit(3)\n\n\n"
        "if __name__ == '__main__':\n    main()\n")})
    assert findings(root, "MLR802") == ["run.py:9 MLR802"]
    # the library module itself is never an entrypoint, and it is what prints
    assert findings(root, "MLR801") == []


def test_training_reached_through_a_long_chain_of_helpers(tmp_path: Path) -> None:
    """``main`` -> ``step0`` -> ... -> ``step29`` -> ``loop.fit``, each in its own module
    and the modules named against the chain's order: training is followed to the end."""
    files = {"pyproject.toml": PYPROJECT, "loop.py": LOOP}
    for n in range(30):
        callee = ("from loop import fit\n\n\ndef step29(steps):\n    fit(steps)\n" if n == 29
                  else f"from z{n + 1:02d} import step{n + 1}\n\n\n"
                       f"def step{n}(steps):\n    step{n + 1}(steps)\n")
        files[f"z{n:02d}.py"] = callee
    files["run.py"] = ("from z00 import step0\n\n\ndef main():\n    step0(3)\n\n\n"
                       "if __name__ == '__main__':\n    main()\n")
    root = write(tmp_path / "p", files)
    assert findings(root, "MLR802") == ["run.py:9 MLR802"]
    files["z29.py"] = "def step29(steps):\n    print(steps)\n"  # the chain no longer trains
    assert findings(write(tmp_path / "q", files), "MLR802") == []


def test_a_demo_main_block_that_does_not_train_is_not_a_training_run(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"pyproject.toml": PYPROJECT, "loop.py": LOOP + (
        "\n\nif __name__ == '__main__':\n    print('sampling demo')\n")})
    assert findings(root, "MLR802") == []


def test_a_tracker_in_an_imported_module_counts(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {
        "pyproject.toml": PYPROJECT, "loop.py": LOOP,
        "track.py": "from torch.utils.tensorboard import SummaryWriter\nW = SummaryWriter()\n",
        "run.py": "import track\nfrom loop import fit\n\nif __name__ == '__main__':\n    fit(3)\n"})
    assert findings(root, "MLR802") == []
    assert findings(root, "MLR803") == ["track.py:2 MLR803"]


AGENT = ("import torch\n\n\nclass Agent:\n    def __init__(self):\n"
         "        self.opt = torch.optim.SGD([], lr=0.1)\n\n"
         "    def learn(self, batch):\n        self.opt.step()\n")


def test_training_through_a_method_of_a_project_instance(tmp_path: Path) -> None:
    """``dqn = Agent(); dqn.learn(...)`` in a script without a main guard trains through
    ``Agent.learn``, as a function call would; a module imported by another is not run."""
    root = write(tmp_path / "p", {
        "pyproject.toml": PYPROJECT, "agent.py": AGENT, "main.py": (
            "from agent import Agent\n\ndqn = Agent()\nfor t in range(10):\n"
            "    dqn.learn(t)\n    print(t)\n")})
    assert findings(root, "MLR801") == ["main.py:6 MLR801"]
    (root / "other.py").write_text("import main\n")
    assert findings(root, "MLR801") == []


def test_a_method_of_a_class_a_package_re_exports(tmp_path: Path) -> None:
    """``algo.PPO`` re-exported from ``algo/ppo.py``: ``agent.update(...)`` reaches it."""
    root = write(tmp_path / "p", {
        "pyproject.toml": PYPROJECT, "algo/__init__.py": "from .ppo import PPO\n",
        "algo/ppo.py": AGENT.replace("Agent", "PPO").replace("learn", "update"),
        "main.py": ("from algo import PPO\n\n\ndef main():\n    agent = PPO()\n"
                    "    for t in range(10):\n        agent.update(t)\n        print(t)\n\n\n"
                    "if __name__ == '__main__':\n    main()\n")})
    assert findings(root, "MLR801") == ["main.py:8 MLR801"]
