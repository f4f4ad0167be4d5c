"""MLR101-MLR106: messages, columns, options and the cases fixtures cannot express."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mlready.hooks.context import FileContext
from mlready.hooks.rules import all_rules
from mlready.hooks.rules.hparams import finder as _hparams
from mlready.hooks.rules.hparams import (
    hardcoded_batch_size,
    hardcoded_learning_rate,
    hardcoded_training_length,
    signatures,
)

HPARAM_CODES = ("MLR101", "MLR102", "MLR103", "MLR104", "MLR105", "MLR106")


def findings(source: str, path: str = "train.py", root: Path | None = None,
             options: dict[str, Any] | None = None) -> list[str]:
    """``line:col CODE message`` for every MLR101-MLR106 finding in ``source``."""
    ctx = FileContext.from_source(path, textwrap.dedent(source), options=options or {},
                                  root=root or Path("/project"))
    rules = [rule for rule in all_rules() if rule.code in HPARAM_CODES]
    found = [d for rule in rules if rule.check is not None for d in rule.check(ctx)]
    return [f"{d.line}:{d.col} {d.code} {d.message}" for d in sorted(found)]


def test_message_names_the_resolved_callee_keyword_and_literal_as_written() -> None:
    assert findings("""\
        import torch.optim as O
        opt = O.Adam(model.parameters(), lr=3e-4)
    """) == ["2:37 MLR101 `torch.optim.Adam(lr=3e-4)`: learning rate is a literal; "
             "read it from the config"]


def test_positional_arguments_are_read_with_the_constructor_signature() -> None:
    assert findings("""\
        from torch.optim import SGD
        SGD(params, 0.1, 0.9, 0, 5e-4)
    """) == [
        "2:13 MLR101 `torch.optim.SGD(..., 0.1)`: learning rate (positional `lr`) is a literal; "
        "read it from the config",
        "2:18 MLR104 `torch.optim.SGD(..., 0.9)`: momentum (positional `momentum`) is a "
        "literal; read it from the config",
        "2:26 MLR104 `torch.optim.SGD(..., 5e-4)`: weight decay (positional `weight_decay`) is "
        "a literal; read it from the config",
    ]


def test_a_name_bound_once_to_a_literal_is_followed_and_its_line_named() -> None:
    assert findings("""\
        import torch
        LR = 1e-3
        def main(model):
            torch.optim.Adam(model.parameters(), lr=LR)
    """) == ["4:45 MLR101 `torch.optim.Adam(lr=LR)`: learning rate is the literal `1e-3` bound "
             "to `LR` on line 2; read it from the config"]


@pytest.mark.parametrize("source", [
    # a parameter, even with a literal default
    "def make(p, lr=1e-3):\n    return torch.optim.Adam(p, lr=lr)\n",
    # rebound: no longer one literal
    "lr = 1e-3\nlr = lr * 2\ntorch.optim.Adam(p, lr=lr)\n",
    "lr = 1e-3\nlr *= 2\ntorch.optim.Adam(p, lr=lr)\n",
    # declared global in the function: whoever writes it decides
    "lr = 1e-3\ndef f():\n    global lr\n    torch.optim.Adam(p, lr=lr)\n",
    # a local of the function shadows the module constant, and is a parameter
    "lr = 1e-3\ndef f(lr):\n    torch.optim.Adam(p, lr=lr)\n",
    # computed from configuration
    "lr = cfg.lr * 2\ntorch.optim.Adam(p, lr=lr)\n",
    "torch.optim.Adam(p, lr=3e-4 * args.world_size)\n",
    "torch.optim.Adam(p, lr=float(os.environ['LR']))\n",
    # nanoGPT: module globals are overridden from the command line by exec()
    "lr = 6e-4\nexec(open('configurator.py').read())\ntorch.optim.AdamW(p, lr=lr)\n",
    "lr = 6e-4\nglobals().update(overrides)\ntorch.optim.AdamW(p, lr=lr)\n",
    # bound by a comprehension, not by the module's literal
    "lr = 1e-3\nopts = [torch.optim.Adam(p, lr=lr) for lr in grid]\n",
    # unpacked from a tuple: not a single literal binding
    "lr, wd = 1e-3, 0.1\ntorch.optim.AdamW(p, lr=lr, weight_decay=wd)\n",
    # neutral values
    "torch.optim.SGD(p, lr=0, momentum=0.0, weight_decay=-0.0)\n",
    "torch.utils.data.DataLoader(ds, batch_size=1)\n",
    "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.t, eta_min=0)\n",
    # a call through **kwargs or *args is not read
    "torch.optim.Adam(*args, **kwargs)\n",
])
def test_not_a_finding(source: str) -> None:
    assert findings("import os, torch\n" + source) == []


def test_a_project_function_named_like_an_optimizer_is_not_torch() -> None:
    assert findings("from mylib import Adam\nAdam(p, lr=1e-3)\n") == []
    assert findings("class Trainer:\n    pass\nTrainer(max_epochs=10)\n") == []


def test_transformers_trainer_is_not_lightnings() -> None:
    assert findings("from transformers import Trainer\nTrainer(max_epochs=10)\n") == []


def test_lightning_has_three_import_paths() -> None:
    source = """\
        import lightning
        import lightning.pytorch as lp
        import pytorch_lightning as pl
        lightning.Trainer(max_epochs=3)
        lp.Trainer(max_epochs=3)
        pl.Trainer(max_epochs=3)
    """
    assert [f.split(" ")[0] for f in findings(source)] == ["4:30", "5:23", "6:23"]


def test_literal_forms() -> None:
    source = """\
        import torch
        torch.optim.Adam(p, lr=-1e-3)
        torch.optim.Adam(p, lr=1 / 3e3)
        torch.optim.Adam(p, lr=10 ** -4)
        torch.utils.data.DataLoader(ds, batch_size=int(2 ** 6))
        torch.optim.Adam(p, betas=[0.9, 0.95])
    """
    assert [f.split(" ", 2)[1] for f in findings(source)] == [
        "MLR101", "MLR101", "MLR101", "MLR102", "MLR104"]
    assert "`torch.optim.Adam(lr=-1e-3)`" in findings(source)[0]


def test_tests_are_skipped_unless_the_option_says_so() -> None:
    source = "import torch\ntorch.optim.Adam(p, lr=1e-3)\n"
    for path in ("tests/test_train.py", "test_train.py", "pkg/train_test.py", "conftest.py",
                 "pkg/testing/helpers.py"):
        assert findings(source, path=path) == [], path
        assert len(findings(source, path=path, options={"include-tests": True})) == 1, path


def test_config_modules_are_the_configuration() -> None:
    source = "import torch\nopt = torch.optim.Adam(p, lr=1e-3)\n"
    for path in ("config.py", "pkg/settings.py", "hparams.py", "configs/small.py",
                 "conf/__init__.py", "pkg/model_config.py"):
        assert findings(source, path=path) == [], path
    assert len(findings(source, path="experiment.py")) == 1
    assert findings(source, path="experiment.py", options={"config-modules": ["experiment"]}) == []


def test_a_library_calling_its_own_api_is_not_a_user_choice() -> None:
    source = "import torch\nopt = torch.optim.SGD(p, lr=0.01)\n"
    assert findings(source, path="torch/_inductor/numeric_utils.py") == []
    assert findings(source, path="_inductor/numeric_utils.py", root=Path("/site/torch")) == []
    assert findings(source, path=".venv/lib/site-packages/torch/_inductor/numeric_utils.py") == []
    assert len(findings(source, path="mytool/numeric_utils.py")) == 1


def test_learn_needs_the_keyword_or_an_sb3_import() -> None:
    assert findings("agent.learn(10_000)\n") == []
    assert findings("agent.learn(total_timesteps=10_000)\n") == [
        "1:29 MLR103 `agent.learn(total_timesteps=10_000)`: number of environment timesteps "
        "is a literal; read it from the config"]
    assert len(findings("from stable_baselines3 import PPO\nPPO('MlpPolicy', env).learn(5e5)\n"
                        )) == 1


@pytest.mark.parametrize(("loop", "fires"), [
    ("for epoch in range(100):\n    train_one_epoch(m)\n", True),
    ("for it in range(10_000):\n    loss = m(x)\n    loss.backward()\n", True),
    ("for i in range(10):\n    loss = m(x)\n    loss.backward()\n", False),  # a gradient check
    ("for i in range(10):\n    opt.step()\n", True),
    ("for i in range(10):\n    self.optimizer.step()\n", True),
    ("for i in range(10):\n    scheduler.step()\n", False),  # not an update of the weights
    ("for i in range(10):\n    env.step(a)\n", False),  # an environment step
    ("for epoch in range(1):\n    opt.step()\n", False),  # one pass is not a choice
    ("for seed in range(3):\n    for epoch in range(cfg.epochs):\n        opt.step()\n", False),
    ("for epoch in range(90):\n    for step in range(len(loader)):\n        opt.step()\n", True),
    ("for i in range(10):\n    def closure():\n        opt.step()\n", False),
    ("for x in range(cfg.n):\n    opt.step()\n", False),
])
def test_training_loop_bounds(loop: str, fires: bool) -> None:
    result = findings("import torch\n" + loop)
    assert bool(result) is fires, result
    if fires:
        assert result[0].split(" ")[1] == "MLR103"
        assert "training-loop bound is a literal" in result[0] or "bound to" in result[0]


def test_the_loop_finding_points_at_the_bound() -> None:
    assert findings("for epoch in range(1, 101):\n    opt.step()\n") == [
        "1:23 MLR103 `range(1, 101)`: training-loop bound is a literal; read it from the config"]


def test_columns_count_characters_on_non_ascii_lines() -> None:
    source = ("import torch\ntorch.optim.Adam(p, lr=1e-3)  # é\n"
              "x = 'é'; torch.optim.Adam(p, lr=1e-3)\n")
    assert [f.split(" ")[0] for f in findings(source)] == ["2:24", "3:33"]
    assert "`torch.optim.Adam(lr=1e-3)`" in findings(source)[1]


def test_one_pass_is_shared_by_the_sibling_rules() -> None:
    ctx = FileContext.from_source("train.py", "import torch\ntorch.optim.SGD(p, lr=0.1)\n")
    assert list(hardcoded_batch_size.check(ctx)) == []
    assert _hparams.MEMO_KEY in ctx._memo
    ctx._memo[_hparams.MEMO_KEY] = ()
    assert list(hardcoded_learning_rate.check(ctx)) == []  # read from the memo, not recomputed


def test_files_without_training_words_are_not_walked() -> None:
    ctx = FileContext.from_source("util.py", "for i in range(10):\n    print(i)\n")
    assert list(hardcoded_training_length.check(ctx)) == []
    assert "_node_index" not in ctx.__dict__  # bailed out before the shared index was built


def test_every_signature_is_reachable_by_name() -> None:
    for signature in signatures.SIGNATURES:
        for name in signature.names:
            for root in signature.roots:
                # each (root, name) belongs to one family only, so the match is exact
                assert signatures.match_signature(f"{root}.{name}") is signature, \
                    f"{root}.{name}"
    assert signatures.match_signature("torch.optim.sgd.SGD") is not None
    assert signatures.match_signature("mylib.SGD") is None


def test_rule_docs_have_every_section() -> None:
    for rule in all_rules():
        if rule.code in HPARAM_CODES:
            for section in ("## What it does", "## Why is this bad?", "## Example",
                            "## Use instead", "## Options", "## References"):
                assert section in rule.doc, (rule.code, section)


def test_source_text_falls_back_to_unparse_for_multiline_literals() -> None:
    source = "import torch\ntorch.optim.Adam(p, betas=(0.9,\n    0.999))\n"
    assert "`torch.optim.Adam(betas=(0.9, 0.999))`" in findings(source)[0]
    ast.parse(source)


def test_functools_partial_is_the_same_call_made_later() -> None:
    assert findings("""\
        import functools, torch
        from functools import partial
        make = functools.partial(torch.optim.AdamW, lr=1e-3, weight_decay=0.05)
        make_sgd = partial(torch.optim.SGD, momentum=0.9)
        other = partial(print, lr=1e-3)
    """) == [
        "3:48 MLR101 `torch.optim.AdamW(lr=1e-3)`: learning rate is a literal; read it from "
        "the config",
        "3:67 MLR104 `torch.optim.AdamW(weight_decay=0.05)`: weight decay is a literal; read "
        "it from the config",
        "4:46 MLR104 `torch.optim.SGD(momentum=0.9)`: momentum is a literal; read it from the "
        "config",
    ]


def _notebook_findings(options: dict[str, Any]) -> list[str]:
    ctx = FileContext.from_source("tune.ipynb", "from trl import SFTConfig\n"
                                  "SFTConfig(learning_rate=2e-4)\n", options=options,
                                  root=Path("/project"), notebook=True)
    rules = [rule for rule in all_rules() if rule.code in HPARAM_CODES]
    return [d.code for rule in rules if rule.check is not None for d in rule.check(ctx)]


def test_notebooks_are_skipped_unless_include_notebooks_is_set() -> None:
    # A notebook's config cell is its configuration; the option turns the check back on.
    assert _notebook_findings({}) == []
    assert _notebook_findings({"include-notebooks": True}) == ["MLR101"]
