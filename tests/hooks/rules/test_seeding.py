"""Cross-file resolution and pre-commit behaviour of the reproducibility rules (MLR0xx).

Rules are called directly: each file's ``collect`` (after a JSON round trip, as the
engine's cache would store it) feeds one ``ProjectContext`` per rule, as the engine
builds it.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import Rule, by_code
from mlready.hooks.rules.seeds.apis import builds_optimizer, fit_name

SEED_CODES = [f"MLR00{i}" for i in range(1, 9)]

HELPER = """
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
"""

TRAIN = """
import torch

from utils.seed import seed_everything


def main() -> None:
    seed_everything(0)
    x = torch.randn(3)
    print(x)


if __name__ == "__main__":
    main()
"""


def _rule(code: str) -> Rule:
    return by_code()[code]


def check(files: dict[str, str], targets: set[str] | None = None,
          codes: list[str] | None = None) -> list[Diagnostic]:
    """Every finding of ``codes`` (default: all seeding rules) over a mini project."""
    found: list[Diagnostic] = []
    for code in codes or SEED_CODES:
        rule = _rule(code)
        assert rule.collect is not None and rule.finalize is not None
        facts = {}
        for path, source in files.items():
            ctx = FileContext.from_source(path, textwrap.dedent(source),
                                          notebook=path.endswith(".ipynb"))
            facts[path] = json.loads(json.dumps(rule.collect(ctx)))
        project = ProjectContext(root=Path(), files=tuple(files),
                                 targets=frozenset(targets if targets is not None else files),
                                 facts=facts)
        found.extend(rule.finalize(project))
    return sorted(found)


def lines(found: list[Diagnostic]) -> list[str]:
    return [f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}" for d in found]


# --- cross-file resolution -------------------------------------------------------------


def test_helper_in_another_module_seeds_the_entrypoint() -> None:
    assert check({"utils/__init__.py": "", "utils/seed.py": HELPER, "train.py": TRAIN}) == []


def test_unseeded_message_names_library_entrypoint_and_fix() -> None:
    source = TRAIN.replace("    seed_everything(0)\n", "")
    found = check({"utils/seed.py": HELPER, "train.py": source})
    assert lines(found) == [
        "train.py:8:9: MLR003 `torch.randn` used in entrypoint `train.py` but `torch` is never "
        "seeded; call `torch.manual_seed(seed)` first",
    ]
    assert found[0].fix is not None and "torch.manual_seed(seed)" in found[0].fix
    assert (found[0].end_line, found[0].end_col) == (8, 23)


def test_seeding_after_use_is_reported_with_the_seed_line() -> None:
    source = """
    import torch as T

    if __name__ == "__main__":
        model = T.nn.Linear(2, 2)
        T.manual_seed(0)
    """
    assert lines(check({"train.py": source})) == [
        "train.py:5:13: MLR003 `torch.nn.Linear` used in entrypoint `train.py` before "
        "`torch` is seeded (line 6); seed at the start of the run",
    ]


def test_transitive_helpers_through_modules_without_rng_imports() -> None:
    files = {
        "utils/seed.py": HELPER,
        "setup/__init__.py": "",
        "setup/run.py": "from utils.seed import seed_everything\n\n"
                        "def configure(cfg):\n    seed_everything(cfg.seed)\n",
        "train.py": "import torch\nfrom setup.run import configure\n\n"
                    "if __name__ == '__main__':\n    configure(None)\n    torch.rand(2)\n",
    }
    assert check(files) == []


@pytest.mark.parametrize("entry", [
    # relative import from a package's own helper
    ("pkg/train.py", "import torch\nfrom .seeding import seed_everything\n\n"
                     "if __name__ == '__main__':\n    seed_everything(1)\n    torch.rand(2)\n"),
    # module alias
    ("pkg/train.py", "import torch\nimport pkg.seeding as s\n\n"
                     "if __name__ == '__main__':\n    s.seed_everything(1)\n    torch.rand(2)\n"),
    # re-export through the package's __init__
    ("train.py", "import torch\nfrom pkg import seed_everything\n\n"
                 "if __name__ == '__main__':\n    seed_everything(1)\n    torch.rand(2)\n"),
])
def test_helper_found_through_relative_alias_and_reexport(entry: tuple[str, str]) -> None:
    files = {"pkg/__init__.py": "from .seeding import seed_everything\n",
             "pkg/seeding.py": HELPER, entry[0]: entry[1]}
    assert check(files) == []


def test_scripts_importing_siblings_by_bare_name() -> None:
    files = {"scripts/helpers.py": HELPER,
             "scripts/train.py": "import torch\nfrom helpers import seed_everything\n\n"
                                 "if __name__ == '__main__':\n    seed_everything(0)\n"
                                 "    torch.rand(2)\n"}
    assert check(files) == []


def test_class_init_and_methods_are_followed() -> None:
    trainer = """
    import torch
    from utils.seed import seed_everything


    class Trainer:
        def __init__(self, seed):
            SEED_LINE
            self.model = torch.nn.Linear(2, 2)

        def fit(self):
            self.model(torch.randn(2))
    """
    train = "from trainer import Trainer\n\nif __name__ == '__main__':\n" \
            "    t = Trainer(0)\n    t.fit()\n"
    ok = {"utils/seed.py": HELPER, "trainer.py": trainer.replace("SEED_LINE",
                                                                 "seed_everything(seed)"),
          "train.py": train}
    assert check(ok) == []
    bad = {**ok, "trainer.py": trainer.replace("SEED_LINE", "pass")}
    assert lines(check(bad)) == [
        "train.py:4:9: MLR003 `torch.nn.Linear` (via `Trainer.__init__`) used in entrypoint "
        "`train.py` but `torch` is never seeded; call `torch.manual_seed(seed)` first",
    ]


def test_unknown_library_seeder_counts_as_seeding() -> None:
    source = ("import torch\nfrom mylab.utils import set_global_seed\n\n"
              "if __name__ == '__main__':\n    set_global_seed(3)\n    torch.rand(1)\n")
    assert check({"train.py": source}) == []


# --- pre-commit: only changed files are targets ----------------------------------------


def test_precommit_entry_only_target_uses_helper_facts() -> None:
    files = {"utils/seed.py": HELPER, "train.py": TRAIN}
    assert check(files, targets={"train.py"}) == []


def test_precommit_helper_no_longer_seeding_torch_is_a_finding() -> None:
    helper = HELPER.replace("    torch.manual_seed(seed)\n", "")
    files = {"utils/seed.py": helper, "train.py": TRAIN}
    found = check(files, targets={"train.py"})
    assert [(d.path, d.line, d.code) for d in found] == [("train.py", 9, "MLR003")]


def test_findings_only_in_targets() -> None:
    helper = HELPER.replace("    torch.manual_seed(seed)\n", "")
    files = {"utils/seed.py": helper, "train.py": TRAIN}
    assert check(files, targets={"utils/seed.py"}) == []


# --- what is and is not an entrypoint --------------------------------------------------


def test_library_modules_and_tests_never_get_findings() -> None:
    library = "import torch\nW = torch.randn(3)\n\ndef f():\n    return torch.rand(2)\n"
    test = "import torch\n\ndef test_x():\n    torch.rand(2)\n\n" \
           "if __name__ == '__main__':\n    test_x()\n"
    assert check({"lib/model.py": library, "tests/test_model.py": test}) == []


def test_notebook_is_an_entrypoint_when_it_trains() -> None:
    """A notebook that trains is a run; one that only shows an API (dummy data, no
    training, no loaded weights) is a tutorial page, whatever it draws."""
    demo = "import numpy as np\nx = np.random.rand(3)\n"
    assert check({"explore.ipynb": demo}) == []
    run = demo + ("import torch\nnet = torch.nn.Linear(3, 1)\n"
                  "opt = torch.optim.SGD(net.parameters())\nfor _ in range(3):\n"
                  "    net(torch.ones(3)).sum().backward()\n    opt.step()\n")
    assert lines(check({"explore.ipynb": run}, codes=["MLR002"])) == [
        "explore.ipynb:2:5: MLR002 `numpy.random.rand` used in entrypoint `explore.ipynb` "
        "but `numpy.random` is never seeded; call `np.random.seed(seed)` first",
    ]


def test_training_function_called_by_an_entrypoint_is_not_its_own_entrypoint() -> None:
    loop = ("import torch\n\ndef fit(model, loader, opt):\n    for b in loader:\n"
            "        model(b.cuda()).sum().backward()\n        opt.step()\n")
    train = ("import torch\nfrom loop import fit\n\nif __name__ == '__main__':\n"
             "    torch.manual_seed(0)\n    torch.use_deterministic_algorithms(True)\n"
             "    fit(torch.nn.Linear(1, 1), [], None)\n")
    assert check({"loop.py": loop, "train.py": train}) == []
    found = check({"loop.py": loop})
    assert [(d.path, d.line, d.code) for d in found] == [("loop.py", 5, "MLR006")]


def test_seed_in_nested_function_is_not_a_use_but_counts_as_seed() -> None:
    source = """
    import random

    def main():
        def worker(i):
            random.seed(i)
            return random.random()
        return worker
    if __name__ == "__main__":
        main()
    """
    assert check({"train.py": source}) == []


# --- the shared pass -------------------------------------------------------------------


def test_all_rules_share_one_memoized_pass() -> None:
    ctx = FileContext.from_source("train.py", TRAIN)
    first = _rule("MLR001").collect
    second = _rule("MLR003").collect
    assert first is not None and second is not None
    assert first(ctx) is second(ctx)


def test_facts_of_a_file_without_imports_are_empty() -> None:
    ctx = FileContext.from_source("plain.py", "def f():\n    return 1\n")
    collect = _rule("MLR001").collect
    assert collect is not None
    assert collect(ctx)["units"] == {}


@pytest.mark.parametrize("code", SEED_CODES)
def test_rule_docstrings_have_the_required_sections(code: str) -> None:
    rule = _rule(code)
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                    "## References"):
        assert section in rule.doc, f"{code}: missing {section}"
    assert rule.kinds == frozenset({"python"})
    assert rule.name.startswith(("unseeded-", "nondeterministic-", "cudnn-"))


# --- precision guards found by the sweeps ------------------------------------------------


def test_library_self_check_block_is_not_a_run() -> None:
    model = ("import torch\n\nclass Net(torch.nn.Module):\n    pass\n\n"
             "if __name__ == '__main__':\n    print(torch.randn(2))\n")
    train = ("import torch\nfrom model import Net\n\nif __name__ == '__main__':\n"
             "    torch.manual_seed(0)\n    Net()\n")
    assert check({"model.py": model, "train.py": train}) == []
    # Not imported by anything, it is still a model module: its block is a self-check.
    assert check({"model.py": model}) == []


def test_python_random_alone_in_a_non_ml_script_is_not_a_finding() -> None:
    demo = "import random\n\nif __name__ == '__main__':\n    print(random.random())\n"
    assert check({"demo.py": demo}) == []
    ml = "import numpy as np\n" + demo
    assert [d.code for d in check({"demo.py": ml})] == ["MLR001"]


def test_evaluation_that_loads_weights_needs_no_seed_for_initialisation() -> None:
    source = ("import torch\n\nif __name__ == '__main__':\n"
              "    model = torch.nn.Linear(2, 2)\n"
              "    model.load_state_dict(torch.load('m.pt', weights_only=True))\n")
    assert check({"evaluate.py": source}) == []


def test_cuda_only_seeding_is_named_in_the_message() -> None:
    source = ("import torch\n\nif __name__ == '__main__':\n"
              "    torch.cuda.manual_seed_all(0)\n    torch.rand(2)\n")
    assert lines(check({"train.py": source})) == [
        "train.py:5:5: MLR003 `torch.rand` used in entrypoint `train.py` but `torch` is never "
        "seeded (only the CUDA generators are seeded); call `torch.manual_seed(seed)` first",
    ]


def test_cpu_only_seed_with_cuda_is_mlr004_not_mlr003() -> None:
    source = ("import torch\n\nif __name__ == '__main__':\n"
              "    torch.set_rng_state(torch.load('rng.pt'))\n"
              "    x = torch.rand(2, device='cuda')\n")
    assert lines(check({"train.py": source})) == [
        "train.py:5:9: MLR004 `torch.rand` used with CUDA in entrypoint `train.py` but only the "
        "CPU generator is seeded (`torch.set_rng_state`); call "
        "`torch.cuda.manual_seed_all(seed)`",
    ]


def test_benchmark_and_determinism_in_different_helpers() -> None:
    helpers = ("import torch\n\ndef fast():\n    torch.backends.cudnn.benchmark = True\n\n"
               "def exact():\n    torch.use_deterministic_algorithms(True)\n")
    train = ("from helpers import exact, fast\n\nif __name__ == '__main__':\n"
             "    exact()\n    fast()\n")
    found = check({"helpers.py": helpers, "train.py": train}, codes=["MLR007"])
    assert lines(found) == [
        "train.py:5:5: MLR007 `torch.backends.cudnn.benchmark = True` (via `fast`) in "
        "entrypoint `train.py`, which asks for determinism (line 4); benchmark mode picks "
        "kernels by timing",
    ]


def test_star_import_of_a_seeding_helper() -> None:
    helper = "import torch\n\ndef setup(seed):\n    torch.manual_seed(seed)\n"
    train = ("import torch\nfrom common.setup import *\n\nif __name__ == '__main__':\n"
             "    setup(0)\n    torch.rand(2)\n")
    assert check({"common/setup.py": helper, "train.py": train}) == []
    helper_without = "import torch\n\ndef setup(seed):\n    print(seed)\n"
    found = check({"common/setup.py": helper_without, "train.py": train})
    assert [(d.line, d.code) for d in found] == [(6, "MLR003")]


def test_drawing_the_seed_itself_is_not_an_unseeded_draw() -> None:
    source = ("import random\nimport numpy as np\n\nif __name__ == '__main__':\n"
              "    seed = None\n    if seed is None:\n"
              "        seed = random.randint(1, 10000)\n    random.seed(seed)\n"
              "    print(random.random())\n")
    assert check({"train.py": source}) == []


def test_facts_of_another_layout_are_ignored_not_fatal() -> None:
    rule = _rule("MLR003")
    assert rule.finalize is not None
    stale = {"v": 1, "m": "train", "guard": True,
             "units": {"__main__": {"ev": [["u", 1, 1, 1, 5, "torch.rand", "torch"]]}}}
    project = ProjectContext(root=Path(), files=("train.py",),
                             targets=frozenset({"train.py"}), facts={"train.py": stale})
    assert list(rule.finalize(project)) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("run_training", True), ("fit", True), ("train_one_epoch", True), ("_train_step", True),
    ("learn", True), ("train_test_split", False), ("train_loader", False),
    ("train_transforms", False), ("make_train_env", False), ("trainer", False),
    ("set_eps_training", False),
])
def test_fit_name_says_where_a_run_trains_not_what_it_trains_on(name: str,
                                                                 expected: bool) -> None:
    assert fit_name(name) is expected


@pytest.mark.parametrize(("qualname", "expected"), [
    ("torch.optim.Adam", True), ("torch.optim.adamw.AdamW", True), ("torch.optim.SGD", True),
    ("torch.optim.Optimizer", False), ("torch.optim.lr_scheduler.StepLR", False),
    ("torch.optim.swa_utils.AveragedModel", False), ("mylib.optim.Adam", False),
])
def test_builds_optimizer_knows_torch_optimizers_only(qualname: str, expected: bool) -> None:
    assert builds_optimizer(qualname) is expected
