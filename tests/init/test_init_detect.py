"""`mlready init`'s static half: which scripts train, how they rank, what their CLI takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlready.init import cli_reader, entrypoints, flags
from mlready.init.log_regex import derive
from mlready.init.proposal import propose, render

LOOP = """
for step in range(args.steps):
    loss = model(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

NO_GUARD = '''import argparse
import torch
p = argparse.ArgumentParser()
p.add_argument("--max_iters", type=int, default=100)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(8, 2)
''' + LOOP.replace("args.steps", "args.max_iters")

TYRO = '''from dataclasses import dataclass
import torch
import tyro

@dataclass
class Args:
    total_timesteps: int = 10000
    seed: int = 1
    exp_dir: str = "runs"
    cuda: bool = True

def main(args: Args) -> None:
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters())
    for update in range(args.total_timesteps):
        loss = model(torch.randn(4, 2)).sum()
        loss.backward()
        optimizer.step()

if __name__ == "__main__":
    main(tyro.cli(Args))
'''

ACCELERATE = '''import argparse
import torch
from accelerate import Accelerator

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--num_train_epochs", type=int, default=3)
    parser.add_argument("--output_dir", required=True)
    args = parser.parse_args()
    accelerator = Accelerator()
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.AdamW(model.parameters())
    model, optimizer = accelerator.prepare(model, optimizer)
    for epoch in range(args.num_train_epochs):
        loss = model(torch.randn(4, 2)).sum()
        accelerator.backward(loss)
        optimizer.step()

if __name__ == "__main__":
    main()
'''

GPU_ONLY = '''import argparse
import torch
assert torch.cuda.is_available(), "needs CUDA"
def train():
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int)
    a = p.parse_args()
    model = torch.nn.Linear(2, 1).cuda()
    opt = torch.optim.AdamW(model.parameters())
    for step in range(a.max_steps):
        loss = model(torch.randn(4, 2).cuda()).sum()
        loss.backward()
        opt.step()
if __name__ == "__main__":
    train()
'''


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_finds_no_guard_tyro_and_accelerate_scripts(tmp_path: Path) -> None:
    root = _write(tmp_path, {"gpt.py": NO_GUARD, "rl/ppo.py": TYRO, "sft.py": ACCELERATE,
                             "model.py": "import torch\nclass Net(torch.nn.Module): ...\n"})
    found, _ = entrypoints.find(root)
    by_path = {c.path: c for c in found}
    assert set(by_path) == {"gpt.py", "rl/ppo.py", "sft.py"}
    assert by_path["gpt.py"].guard is False


def test_a_cpu_train_script_beats_a_gpu_only_one_and_a_benchmark(tmp_path: Path) -> None:
    bench = NO_GUARD.replace("--max_iters", "--steps").replace("args.max_iters", "args.steps")
    root = _write(tmp_path, {"train_fp8.py": GPU_ONLY, "bench.py": bench,
                             "train_small.py": NO_GUARD})
    proposal = propose(root, {}, run_help=False)
    assert proposal.source == "train_small.py (argparse)"
    assert proposal.others == ("bench.py", "train_fp8.py")
    assert proposal.table["train"] == "{python} train_small.py --max_iters {steps} --seed {seed}"
    assert proposal.table["step-unit"] == "iterations"


def test_tyro_dataclass_fields_become_dashed_flags(tmp_path: Path) -> None:
    root = _write(tmp_path, {"ppo.py": TYRO})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["train"] == ("{python} ppo.py --total-timesteps {steps} --seed {seed} "
                                       "--exp-dir {run_dir}")
    assert proposal.table["step-unit"] == "timesteps"
    assert proposal.table["steps"] == flags.DEFAULT_STEPS["timesteps"]


def test_required_options_are_named_in_a_note(tmp_path: Path) -> None:
    root = _write(tmp_path, {"sft.py": ACCELERATE.replace('"--output_dir", required=True',
                                                          '"--data", required=True')})
    proposal = propose(root, {}, run_help=False)
    assert "The script requires --data: add a value to `train`." in proposal.notes


def _interface(tmp_path: Path, files: dict[str, str], script: str) -> cli_reader.Interface:
    root = _write(tmp_path, files)
    _, trees = entrypoints.find(root)
    return cli_reader.read(root, script, trees)


def test_argparse_in_an_imported_module_and_total_steps_over_rollout_length(
        tmp_path: Path) -> None:
    arguments = ('import argparse\ndef get_args():\n    p = argparse.ArgumentParser()\n'
                 '    p.add_argument("--num-steps", type=int, default=5)\n'
                 '    p.add_argument("--num-env-steps", type=int, default=10e6)\n'
                 '    p.add_argument("--save-dir", default="./trained_models/")\n'
                 '    p.add_argument("--resume", action="store_true")\n'
                 '    return p.parse_args()\n')
    main = "from pkg.arguments import get_args\nargs = get_args()\n"
    interface = _interface(tmp_path, {"pkg/__init__.py": "", "pkg/arguments.py": arguments,
                                      "main.py": main}, "main.py")
    mapping = flags.choose(interface)
    assert mapping.steps is not None and mapping.steps.flag == "--num-env-steps"
    assert mapping.unit == "timesteps"
    assert flags.train_args(interface, mapping) == ["--num-env-steps {steps}",
                                                    "--save-dir {run_dir}"]
    assert flags.resume_args(interface, mapping) == "--resume"  # a flag: resume in run_dir


@pytest.mark.parametrize(("source", "expected"), [
    ("import click\n@click.command()\n@click.option('--epochs', type=int)\n"
     "@click.option('--out', '-o')\n@click.option('--resume/--no-resume')\ndef main(epochs, "
     "out, resume): ...\n", ["--epochs {steps}", "--out {run_dir}"]),
    ("import fire\ndef train(max_steps=10, seed=0, device='cpu'): ...\n"
     "if __name__ == '__main__':\n    fire.Fire(train)\n",
     ["--max_steps {steps}", "--seed {seed}", "--device {device}"]),
    ("import typer\ndef main(steps: int = 10, seed: int = typer.Option(0),\n"
     "         output_dir: str = 'o') -> None: ...\ntyper.run(main)\n",
     ["--steps {steps}", "--seed {seed}", "--output-dir {run_dir}"]),
])
def test_click_fire_and_typer(tmp_path: Path, source: str, expected: list[str]) -> None:
    interface = _interface(tmp_path, {"train.py": source}, "train.py")
    assert flags.train_args(interface, flags.choose(interface)) == expected


def test_hydra_config_keys_become_overrides(tmp_path: Path) -> None:
    script = ('import hydra\n@hydra.main(version_base=None, config_path="conf", '
              'config_name="train")\ndef main(cfg): ...\n')
    conf = "seed: 0\ntrainer:\n  max_steps: 1000\n  lr: 0.1\nexp_name: ???\n"
    interface = _interface(tmp_path, {"train.py": script, "conf/train.yaml": conf}, "train.py")
    mapping = flags.choose(interface)
    assert flags.train_args(interface, mapping) == [
        "trainer.max_steps={steps}", "seed={seed}", "hydra.run.dir={run_dir}"]
    assert [o.flag for o in interface.options if o.required] == ["exp_name"]


HYDRA_TRAIN = """import hydra
import torch

@hydra.main(version_base=None, config_path="conf", config_name="train")
def main(cfg):
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    for batch in range(100):
        loss = model(torch.randn(cfg.batch_size, 2)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

if __name__ == "__main__":
    main()
"""
# Two ways to bound a run, each commented as the other's alternative (as DPO's config):
# an epoch of a real data set is hours, so the count of examples is the short-run knob.
HYDRA_CONF = """seed: 3
# samples in one optimizer step
batch_size: 8
# how many passes over the data; when null, n_examples bounds the run
n_epochs: 1
# the number of examples to train for; when null, n_epochs does
n_examples: null
# the number of examples to evaluate on
n_eval_examples: 128
lr: 0.01  # step size
"""


def test_hydra_comments_are_help_and_a_count_of_examples_beats_epochs(
        tmp_path: Path) -> None:
    root = _write(tmp_path, {"train.py": HYDRA_TRAIN, "conf/train.yaml": HYDRA_CONF})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["train"] == (
        "{python} train.py n_examples={steps} seed={seed} hydra.run.dir={run_dir}")
    assert (proposal.table["step-unit"], proposal.table["steps"]) == ("examples", 160)
    interface = _interface(tmp_path, {}, "train.py")
    assert interface.flag("lr") == cli_reader.Option("lr", default="0.01", help="step size")


@pytest.mark.parametrize("comment", [
    "the number of examples to evaluate on",  # what an evaluation reads
    "number of examples",  # perhaps the data set's size
    "",
])
def test_hydra_epochs_stay_when_no_count_of_examples_says_it_trains(
        tmp_path: Path, comment: str) -> None:
    conf = HYDRA_CONF.replace("# the number of examples to train for; when null, n_epochs does",
                              f"# {comment}" if comment else "")
    root = _write(tmp_path, {"train.py": HYDRA_TRAIN, "conf/train.yaml": conf})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["train"].startswith("{python} train.py n_epochs={steps} ")
    assert (proposal.table["step-unit"], proposal.table["steps"]) == ("epochs", 2)


# A library's base class with an optimizer wrapper nested in it (as tianshou's
# `Algorithm.Optimizer`): its `step` trains, but only when a script calls it.
NESTED_LIBRARY = """import torch

class Algorithm:
    class Optimizer:
        def __init__(self, optim):
            self._optim = optim

        def step(self, loss):
            self._optim.zero_grad()
            loss.backward()
            self._optim.step()

    def update(self, batch):
        return batch
"""


def test_a_method_of_a_nested_class_is_no_code_that_trains_at_import(tmp_path: Path) -> None:
    root = _write(tmp_path, {"lib/__init__.py": "", "lib/algorithm_base.py": NESTED_LIBRARY})
    assert entrypoints.find(root)[0] == []
    assert propose(root, {}, run_help=False).notes == ("No training entrypoint found.",)


# An RL script whose --steps is the length of one epoch (as spinningup's ppo.py): the
# function it calls says so by the keyword it takes the value as.
PER_EPOCH = """import argparse
import torch

def ppo(steps_per_epoch=4000, epochs=50, seed=0):
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.Adam(model.parameters())
    for epoch in range(epochs):
        for t in range(steps_per_epoch):
            loss = model(torch.randn(4, 2)).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()
    ppo(KEYWORD=args.steps, epochs=args.epochs, seed=args.seed)
"""


@pytest.mark.parametrize(("keyword", "train", "unit"), [
    ("steps_per_epoch", "{python} ppo.py --epochs {steps} --seed {seed}", "epochs"),
    ("total_steps", "{python} ppo.py --steps {steps} --seed {seed}", None),
])
def test_a_count_passed_on_as_one_epochs_length_is_not_the_runs(
        tmp_path: Path, keyword: str, train: str, unit: str | None) -> None:
    source = PER_EPOCH.replace("KEYWORD", keyword).replace(
        "steps_per_epoch=4000", f"{keyword}=4000").replace(
        "range(steps_per_epoch)", f"range({keyword})")
    proposal = propose(_write(tmp_path, {"ppo.py": source}), {}, run_help=False)
    assert proposal.table["train"] == train
    assert proposal.table.get("step-unit") == unit


def test_help_output_lists_flags() -> None:
    text = ("usage: train.py [-h] [--max-steps N] [--seed SEED] [--verbose]\n"
            "  --out-dir OUT_DIR  where to write\n")
    interface = cli_reader.from_help(text)
    assert [(o.flag, o.takes_value) for o in interface.options] == [
        ("--max-steps", True), ("--seed", True), ("--verbose", False), ("--out-dir", True)]


@pytest.mark.parametrize(("lines", "expected"), [
    (["number of parameters: 0.2M", "step 0 | loss 3.3012 | step time 12.00ms",
      "step 10 | loss 2.9012 | step time 11.00ms"], [("0", "3.3012"), ("10", "2.9012")]),
    (["iter 0: loss 4.2, time 10ms", "iter 1: loss -4.1e-1, time 10ms"],
     [("0", "4.2"), ("1", "-4.1e-1")]),
    (["Epoch [1/2], Step [100/600], Loss: 0.2345", "Epoch [1/2], Step [200/600], Loss: 0.1"],
     [("100", "0.2345"), ("200", "0.1")]),
    (["{'loss': 2.31, 'grad_norm': 1.2, 'epoch': 0.1}", "{'loss': 2.11, 'epoch': 0.2}"],
     [(None, "2.31"), (None, "2.11")]),
])
def test_metrics_regex_from_printed_lines(lines: list[str],
                                          expected: list[tuple[str | None, str]]) -> None:
    import re

    derived = derive(lines)
    assert derived is not None and derived.objective == "loss"
    pattern = re.compile(derived.regex)
    found = [m.groupdict() for line in lines if (m := pattern.search(line))]
    assert [(g.get("step"), g["loss"]) for g in found] == expected


def test_a_reward_is_maximised_and_nothing_metric_like_is_none() -> None:
    derived = derive(["Updates 10, num timesteps 1100, FPS 500",
                      "Last 10 training episodes: mean/median reward 9.5/9.0, min/max reward "
                      "8.0/12.0"])
    assert derived is not None
    assert (derived.objective, derived.direction) == ("mean_median_reward", "maximize")
    assert derive(["loading data", "done"]) is None


# A script that trains on the CPU unless torchrun started it: its NCCL, set_device and
# CUDA assert sit in the DDP branch only (the shape of many GPT trainers).
DDP_BRANCH = '''import argparse
import os
import torch
from torch.distributed import init_process_group
try:
    import flash_attn  # optional kernels
except ImportError:
    flash_attn = None

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--max-steps", type=int, default=10)
    p.add_argument("--device", default="")
    args = p.parse_args()
    # assert torch.cuda.is_available() was required before the CPU path existed
    if int(os.environ.get("RANK", -1)) != -1:
        assert torch.cuda.is_available(), "DDP needs CUDA"
        init_process_group(backend="nccl")
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
        device = "cuda"
    else:
        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model = torch.nn.Linear(2, 1).to(device)
    opt = torch.optim.AdamW(model.parameters())
    for step in range(args.max_steps):
        loss = model(torch.randn(4, 2, device=device)).sum()
        loss.backward()
        opt.step()

if __name__ == "__main__":
    main()
'''


def test_gpu_code_in_a_ddp_branch_does_not_make_a_script_gpu_only(tmp_path: Path) -> None:
    root = _write(tmp_path, {"train_gpt.py": DDP_BRANCH})
    proposal = propose(root, {}, run_help=False)
    assert not any("GPU-only" in note for note in proposal.notes), proposal.notes
    assert proposal.table["train"] == ("{python} train_gpt.py --max-steps {steps} "
                                       "--device {device}")


@pytest.mark.parametrize("change", [
    # The same assert on every path: in main() before the branch, or under the guard.
    ("    # assert torch.cuda.is_available() was required before the CPU path existed\n",
     "    assert torch.cuda.is_available()\n"),
    ('if __name__ == "__main__":\n', 'if __name__ == "__main__":\n'
     '    torch.cuda.set_device(0)\n'),
    # An import that is not optional: its ImportError is not caught.
    ("except ImportError:", "except KeyError:"),
])
def test_gpu_code_on_every_path_still_makes_it_gpu_only(tmp_path: Path,
                                                         change: tuple[str, str]) -> None:
    assert change[0] in DDP_BRANCH
    root = _write(tmp_path, {"train_gpt.py": DDP_BRANCH.replace(*change)})
    proposal = propose(root, {}, run_help=False)
    assert "train_gpt.py looks GPU-only: `mlready run` needs a GPU for it." in proposal.notes


def test_a_script_that_logs_to_wandb_gets_it_disabled_for_the_short_runs(
        tmp_path: Path) -> None:
    import tomllib

    from mlready.gpu_runner import config as runner_config
    from mlready.init.proposal import render

    tracked = NO_GUARD.replace("import torch\n", "import torch\nimport wandb\n", 1)
    root = _write(tmp_path, {"train.py": tracked})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["env"] == {"WANDB_MODE": "disabled"}
    assert any(note.startswith("The script uses wandb") for note in proposal.notes)
    # What init writes loads as the runner's env table, set for every command.
    text = render(proposal)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    assert tomllib.loads(text)["tool"]["mlready"]["runner"]["env"] == {"WANDB_MODE": "disabled"}
    assert dict(runner_config.load(root).env) == {"WANDB_MODE": "disabled"}
    # A script that only mentions wandb in a comment or a string is left alone.
    root2 = _write(tmp_path / "other", {"train.py": NO_GUARD.replace(
        "import torch\n", "import torch\n# import wandb to track runs\n", 1)})
    assert "env" not in propose(root2, {}, run_help=False).table


def _argparse_script(*arguments: str) -> str:
    """A script that trains a little, with the given ``add_argument`` argument lists."""
    adds = "".join(f"    p.add_argument({a})\n" for a in arguments)
    return ("import argparse\nimport torch\n\n\ndef main():\n    p = argparse.ArgumentParser()\n"
            f"{adds}    a = p.parse_args()\n    model = torch.nn.Linear(2, 1)\n"
            "    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
            "    loss = model(torch.randn(4, 2)).sum()\n    loss.backward()\n    opt.step()\n\n\n"
            'if __name__ == "__main__":\n    main()\n')


# Options many scripts share: a warm-up and an evaluation interval also counted in steps.
_WARMUP = "'--warmup', type=int, metavar='STEPS', help='Number of steps before learning'"
_EVERY = "'--eval-every', type=int, metavar='STEPS', help='Number of steps between evaluations'"
_SEED = "'--seed', type=int, default=1"


@pytest.mark.parametrize(("arguments", "expected", "unit"), [
    # The help says which STEPS option is the run's length.
    ((_WARMUP, "'--T-max', type=int, default=10**7, metavar='STEPS', help='Number of "
      "training steps (each is 4 frames)'", _EVERY, _SEED), "--T-max", "steps"),
    # A total named as such wins over a rollout length.
    (("'--num-steps', type=int, default=128", "'--max-iters', type=int", _SEED),
     "--max-iters", "iterations"),
    (("'--n-steps', type=int", "'--total-timesteps', type=int", _SEED), "--total-timesteps",
     "timesteps"),
    # A help that says "total number of timesteps" beats a rollout-length name.
    (("'--num-steps', type=int, help='number of forward steps per update'",
      "'--budget', type=int, help='Total number of timesteps.'", _SEED), "--budget",
     "timesteps"),
    # A lone step-count metavar (no help) is enough when nothing else counts steps.
    (("'--length', type=int, metavar='N_STEPS'", _SEED), "--length", "steps"),
    # ... and a warm-up's STEPS does not make it ambiguous.
    (("'--T-max', type=int, metavar='STEPS'", _WARMUP, _SEED), "--T-max", "steps"),
    (("'--num-training-steps', type=int", _SEED), "--num-training-steps", "steps"),
])
def test_more_spellings_of_the_step_count(tmp_path: Path, arguments: tuple[str, ...],
                                          expected: str, unit: str) -> None:
    root = _write(tmp_path, {"train.py": _argparse_script(*arguments)})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["train"] == f"{{python}} train.py {expected} {{steps}} --seed {{seed}}"
    assert proposal.table.get("step-unit", "steps") == unit
    assert "No option for the number of training steps" not in render(proposal)


@pytest.mark.parametrize(("arguments", "maybe"), [
    # Two STEPS options, neither described as the run's length: no guess.
    (("'--T-max', type=int, metavar='STEPS'", "'--horizon', type=int, metavar='STEPS'",
      _SEED), " (perhaps --T-max or --horizon?)"),
    # A scheduler's T_max is not the run's length; nor is an interval with a STEPS metavar.
    (("'--T_max', type=int, help='Maximum number of iterations of the cosine schedule'",
      _EVERY, _SEED), " (perhaps --T_max or --eval-every?)"),
    ((_SEED,), ""),
])
def test_no_step_option_is_said_in_one_line_with_what_to_do(
        tmp_path: Path, arguments: tuple[str, ...], maybe: str) -> None:
    root = _write(tmp_path, {"train.py": _argparse_script(*arguments)})
    proposal = propose(root, {}, run_help=False)
    assert proposal.table["train"] == "{python} train.py --seed {seed}"
    text = render(proposal)
    assert (f"# No option for the number of training steps found in train.py{maybe}: add "
            "`{steps}` to `train` in [tool.mlready.runner], or every run trains until "
            "`timeout` (300 s).\n") in text
    assert "{steps}, " not in text and "No option found for {steps}" not in text


def test_help_output_carries_metavars_and_descriptions() -> None:
    text = ("usage: main.py [-h] [--T-max STEPS] [--warmup STEPS]\n\noptions:\n"
            "  --T-max STEPS   Number of training steps (each is 4 frames)\n"
            "  --warmup STEPS  Number of steps before learning\n")
    interface = cli_reader.from_help(text)
    mapping = flags.choose(interface)
    assert mapping.steps is not None and mapping.steps.flag == "--T-max"
    assert mapping.steps.metavar == "STEPS"
