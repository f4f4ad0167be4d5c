"""MLR302-MLR305 and MLR701-MLR704: what the fixtures cannot show (columns, fix texts,
defaults, the scorecard category of each code) and edge cases of the analyses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules import by_code
from mlready.hooks.rules.checkpoints import (
    checkpoint_without_optimizer_state,
    resume_without_rng_state,
    unsafe_deserialization,
    whole_module_torch_save,
)
from mlready.hooks.rules.training import (
    deprecated_amp_api,
    eval_without_no_grad,
    loss_accumulated_with_graph,
    step_without_zero_grad,
)
from mlready.scorecard.categories import category_for_rule

Check = Callable[[FileContext], Iterable[Diagnostic]]


def run(check: Check, source: str, path: str = "train.py") -> list[Diagnostic]:
    return list(check(FileContext.from_source(path, source)))


NEW = ("MLR302", "MLR303", "MLR304", "MLR305", "MLR701", "MLR702", "MLR703", "MLR704")


@pytest.mark.parametrize("code", NEW)
def test_each_new_rule_has_a_severity_and_its_category(code: str) -> None:
    rule = by_code()[code]
    assert rule.module.SEVERITY in ("error", "warning", "note")
    expected = "reproducibility" if code.startswith("MLR3") else "training"
    assert category_for_rule(code) == expected


def test_defaults_follow_the_corpus_judgement() -> None:
    # on: judged on real findings at >= 95%; off: no corpus finding to judge yet
    rules = by_code()
    assert {c for c in NEW if rules[c].default} == {"MLR302", "MLR303", "MLR304", "MLR702"}


def test_amp_fix_moves_a_positional_flag_to_enabled() -> None:
    found = run(deprecated_amp_api.check,
                "import torch\nwith torch.cuda.amp.autocast(flag):\n    pass\n")
    assert [(d.line, d.col, d.end_col) for d in found] == [(2, 6, 29)]
    assert found[0].fix is not None and "enabled=" in found[0].fix
    # the import line itself is not a use
    assert run(deprecated_amp_api.check, "from torch.cuda.amp import autocast\n") == []


def test_amp_ignores_an_unrelated_amp_module() -> None:
    assert run(deprecated_amp_api.check, "import apex\napex.amp.autocast()\n") == []


def test_unpickling_in_setstate_or_in_tests_is_left_alone() -> None:
    source = ("import pickle\nclass Box:\n    def __setstate__(self, data):\n"
              "        self.__dict__ = pickle.loads(data)\n")
    assert run(unsafe_deserialization.check, source) == []
    assert run(unsafe_deserialization.check, "import pickle\npickle.load(open(p, 'rb'))\n",
               path="tests/test_io.py") == []
    found = run(unsafe_deserialization.check, "import pickle\nx = pickle.load(open(p, 'rb'))\n")
    assert [(d.line, d.col) for d in found] == [(2, 5)]


def test_np_load_without_allow_pickle_is_safe() -> None:
    assert run(unsafe_deserialization.check,
               "import numpy as np\nnp.load(p, allow_pickle=False)\nnp.load(p)\n") == []


TRAIN = """\
import torch
def main(model, loader):
    optimizer = torch.optim.Adam(model.parameters())
    for batch in loader:
        optimizer.step()
    {save}
"""


@pytest.mark.parametrize(("save", "reported"), [
    ("torch.save(model.state_dict(), 'w.pt')", True),
    ("torch.save({'model': model.state_dict()}, 'w.pt')", True),
    ("torch.save({'model': model.state_dict(), 'optim': optimizer.state_dict(), 'epoch': 3},"
     " 'c.pt')", False),
    # the optimizer without a step/epoch counter: a resume restarts the schedule's count
    ("torch.save({'model': model.state_dict(), 'optim': optimizer.state_dict()}, 'c.pt')", True),
    ("torch.save([model.state_dict(), optimizer.state_dict()], f'c{step}.pt')", False),
    ("trainer.save_checkpoint('c.ckpt'); torch.save(model.state_dict(), 'w.pt')", False),
    ("accelerator.save_state('ckpt'); accelerator.save(model.state_dict(), 'w.pt')", False),
    ("torch.save(make_state(model), 'c.pt')", False),  # cannot see into it
])
def test_optimizer_state_decisions(save: str, reported: bool) -> None:
    found = run(checkpoint_without_optimizer_state.check, TRAIN.format(save=save))
    assert bool(found) is reported, found


def test_a_file_without_an_optimizer_step_is_not_a_training_file() -> None:
    source = TRAIN.replace("        optimizer.step()\n", "        pass\n")
    assert run(checkpoint_without_optimizer_state.check,
               source.format(save="torch.save(model.state_dict(), 'w.pt')")) == []


def test_whole_module_through_a_method_helper_is_reported_at_the_call() -> None:
    source = ("import torch\nfrom torch import nn\nclass Saver:\n"
              "    def dump(self, obj, where):\n        torch.save(obj, where)\n"
              "    def run(self):\n        net = nn.Linear(2, 2)\n        self.dump(net, 'n.pt')\n")
    found = run(whole_module_torch_save.check, source)
    assert [d.line for d in found] == [8]


def test_fabric_save_of_a_module_is_not_a_pickled_module() -> None:
    source = ("import torch\nfrom torch import nn\ndef f(fabric):\n    net = nn.Linear(2, 2)\n"
              "    fabric.save('c.pt', {'model': net})\n")
    assert run(whole_module_torch_save.check, source) == []


def test_eval_called_only_under_no_grad_elsewhere_in_the_file_is_fine() -> None:
    source = ("import torch\ndef evaluate(model, x):\n    return model(x)\n"
              "def main(model, x):\n    with torch.no_grad():\n        evaluate(model, x)\n")
    assert run(eval_without_no_grad.check, source) == []
    also_plain = source + "    evaluate(model, x)\n"
    assert [d.line for d in run(eval_without_no_grad.check, also_plain)] == [3]


def test_inference_mode_false_does_not_turn_gradients_off() -> None:
    source = ("import torch\n@torch.inference_mode(False)\ndef evaluate(model, x):\n"
              "    return model(x)\n")
    assert [d.line for d in run(eval_without_no_grad.check, source)] == [4]


def test_accumulated_loss_report_spans_the_statement() -> None:
    source = ("import torch\ndef fit(model, loader):\n    total = 0.0\n    for x in loader:\n"
              "        loss = model(x).mean()\n        total += loss\n    return total.item()\n")
    found = run(loss_accumulated_with_graph.check, source)
    assert [(d.line, d.col, d.end_col) for d in found] == [(6, 9, 22)]


def test_step_with_zero_grad_in_an_outer_loop_only_is_reported() -> None:
    source = ("def fit(opt, epochs, loader):\n    for _ in range(epochs):\n"
              "        opt.zero_grad()\n        for batch in loader:\n"
              "            batch.backward()\n            opt.step()\n")
    found = run(step_without_zero_grad.check, source)
    assert [(d.line, d.col) for d in found] == [(6, 13)]
    wrapper = source.replace("opt.step()", "opt.step(batch)")  # clears itself
    assert run(step_without_zero_grad.check, wrapper) == []


def _resume_findings(sources: dict[str, str]) -> list[str]:
    rule = resume_without_rng_state
    facts = {path: found for path, text in sources.items()
             if (found := rule.collect(FileContext.from_source(path, text))) is not None}
    project = ProjectContext(root=Path(), files=tuple(sources), targets=frozenset(sources),
                             facts=facts)
    return [f"{d.path}:{d.line}:{d.col}" for d in rule.finalize(project)]


RESUME = "import torch\ndef load(opt, ckpt):\n    opt.load_state_dict(ckpt['optimizer'])\n"


def test_resume_is_reported_only_when_no_file_keeps_rng_state() -> None:
    draws = "import torch\nnoise = torch.randn(3)\n"
    assert _resume_findings({"train.py": RESUME, "noise.py": draws}) == ["train.py:3:5"]
    keeps = "import torch\nstate = torch.get_rng_state()\n"
    assert _resume_findings({"train.py": RESUME, "noise.py": draws, "rng.py": keeps}) == []
    assert _resume_findings({"train.py": RESUME}) == []  # nothing random is drawn
