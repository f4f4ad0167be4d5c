"""Mutation-test the modules that decide verdicts, with the tests that exercise them.

    python bench/mutation.py mlready/hooks/suppression.py tests/hooks/test_selection_and_noqa.py
    python bench/mutation.py --all               # every module in MODULES below
    python bench/mutation.py --all --show        # also print each surviving mutant's diff
    python bench/mutation.py --sample 150 mlready/scorecard/scoring.py  # a fixed random 150

A test suite that passes proves little unless a wrong verdict would make it fail.
mutmut (3.x) changes one thing at a time in the module (an operator, a constant, a
`continue` into a `break`) and runs the named tests against each change; a mutant the
tests do not notice "survived". Some mutants cannot change behaviour (an equivalent
mutant, e.g. a default argument that every caller passes); those are listed with a
reason in ``bench/mutation_equivalent.yaml`` and set aside, so

    score = killed / (tried - equivalent)

mutmut numbers a function's mutants in order, so an edit of the module renumbers them
and a listed name can come to denote another mutant. An equivalent mutant can never be
killed: a listed one that was is reported (on stderr) as stale, to be renamed.

The run happens in a temporary copy of the tracked files (mutmut writes a ``mutants/``
folder beside its configuration), so this checkout is never touched.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EQUIVALENT = REPO / "bench" / "mutation_equivalent.yaml"

# The modules that decide what users are told, with the tests that exercise them.
MODULES: dict[str, tuple[str, ...]] = {
    "mlready/hooks/suppression.py": ("tests/hooks/test_selection_and_noqa.py",
                                     "tests/hooks/test_suppression_mutants.py"),
    "mlready/hooks/selection.py": ("tests/hooks/test_selection_and_noqa.py",
                                   "tests/hooks/test_config_parsing.py",
                                   "tests/hooks/test_selection_mutants.py"),
    "mlready/hooks/rules/checkpoints/unsafe_torch_load.py": (
        "tests/hooks/test_rule_fixtures.py", "tests/hooks/rules/test_misc.py",
        "tests/hooks/rules/test_checkpoints_training.py", "tests/hooks/test_fix.py",
        "tests/hooks/rules/test_unsafe_torch_load_mutants.py",
        # installs the hook from a git checkout: the temporary copy is not one
        "--deselect=tests/hooks/test_fix.py::test_precommit_hook_fixes_then_the_next_run_passes"),
    "mlready/scorecard/scoring.py": ("tests/scorecard/",),
    "mlready/github/comment.py": (
        "tests/github/test_comment.py", "tests/github/test_api.py",
        "tests/github/test_comment_mutants.py",
        # two threads racing on the fake server: under a loaded machine the race it
        # needs does not always happen, which fails the clean run, not a mutant
        "--deselect=tests/github/test_comment.py::test_two_concurrent_runs_leave_one_comment"),
    # the fast synthetic tests only: the end-to-end runs in tests/gpu_runner/ train a
    # model per test, far too slow to repeat per mutant
    "mlready/gpu_runner/checks/resume.py": ("tests/gpu_runner/test_resume_verdicts.py",
                                            "tests/gpu_runner/test_resume_check_mutants.py"),
    "mlready/scorecard/proofs.py": ("tests/scorecard/test_proofs.py",
                                    "tests/scorecard/test_proofs_mutants.py"),
    "mlready/gpu_runner/growth.py": ("tests/gpu_runner/test_growth.py",
                                     "tests/gpu_runner/test_growth_mutants.py"),
    # the rest of test_seed_spread.py trains a model per seed
    "mlready/gpu_runner/spread.py": (
        "tests/gpu_runner/test_seed_spread.py::"
        "test_spread_is_mean_sample_std_and_a_deterministic_bootstrap_interval",
        "tests/gpu_runner/test_spread_mutants.py"),
    "mlready/gpu_runner/checkpoint_pick.py": (
        "tests/gpu_runner/test_checkpoint_pick.py",
        "tests/gpu_runner/test_checkpoint_pick_mutants.py"),
    # test_tests_check.py runs real pytest suites: the only tests of check()'s verdicts
    "mlready/gpu_runner/checks/tests.py": ("tests/gpu_runner/test_tests_check.py",
                                           "tests/gpu_runner/test_tests_mutants.py"),
    # the verdict wrappers: test_seed_spread.py and test_memory_growth.py train a stand-in
    # per test, so only their one synthetic test and the *_mutants.py unit tests run here
    "mlready/gpu_runner/checks/seed_spread.py": ("tests/gpu_runner/test_seed_spread_mutants.py",),
    "mlready/gpu_runner/checks/memory_growth.py": (
        "tests/gpu_runner/test_memory_growth.py::"
        "test_the_training_part_starts_at_the_first_metric_line_not_the_first_log_byte",
        "tests/gpu_runner/test_memory_growth_mutants.py"),
    "mlready/hooks/project_index.py": ("tests/hooks/test_memo.py",
                                    "tests/hooks/test_project_index_mutants.py"),
    "mlready/hooks/rules/unused_noqa.py": (
        "tests/hooks/test_unused_noqa.py",
        "tests/hooks/test_rule_fixtures.py::test_rule_matches_its_fixture[MLR900-unused-noqa]",
        "tests/hooks/test_unused_noqa_mutants.py"),
}


@dataclass(frozen=True)
class Result:
    module: str
    statuses: dict[str, str]  # mutant name -> killed | survived | timeout | ...
    equivalent: dict[str, str]  # mutant name -> why it cannot change behaviour

    def counts(self) -> Counter[str]:
        return Counter(self.statuses.values())

    def score(self) -> float | None:
        tried = len(self.statuses) - len(self.equivalent)
        killed = sum(1 for name, s in self.statuses.items()
                     if s in ("killed", "timeout") and name not in self.equivalent)
        return killed / tried if tried > 0 else None

    def stale(self) -> list[str]:
        """Listed as equivalent yet killed: no equivalent mutant can be, so the name now
        belongs to another mutant (an edit of the module renumbers them) and the list
        needs the new name."""
        return sorted(n for n in self.equivalent if self.statuses[n] in ("killed", "timeout"))

    def survivors(self) -> list[str]:
        """Not killed and not set aside: survived, or reached by no test at all."""
        return sorted(n for n, s in self.statuses.items()
                      if s not in ("killed", "timeout") and n not in self.equivalent)


def _copy_tracked(dest: Path) -> None:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                           check=True).stdout.split(b"\0")
    for raw in names:
        if not raw:
            continue
        rel = Path(raw.decode("utf-8", "surrogateescape"))
        source = REPO / rel
        if source.is_file() and not source.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)


def _configure(copy: Path, module: str, tests: tuple[str, ...]) -> None:
    table = (
        "\n[tool.mutmut]\n"
        'source_paths = ["mlready"]\n'
        f"only_mutate = [{module!r}]\n".replace("'", '"')
        + "pytest_add_cli_args_test_selection = ["
        + ", ".join(f'"{t}"' for t in tests) + "]\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-n", "0"]\n'
    )
    with (copy / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(table)


_LINE = re.compile(r"^\s*(\S+): (\w[\w ]*)$")
_MUTANT_DEF = re.compile(r"^\s*def (x\S*?__mutmut_\d+)\(", re.MULTILINE)
SEED = 16  # fixed, so a sampled run draws the same mutants every time


def _mutant_names(copy: Path, module: str) -> list[str]:
    """Every mutant mutmut generated for ``module``, by the names ``mutmut run`` takes."""
    mutated = (copy / "mutants" / module).read_text(encoding="utf-8")
    dotted = module.removesuffix(".py").replace("/", ".")
    return sorted(f"{dotted}.{name}" for name in _MUTANT_DEF.findall(mutated))


def sample(names: list[str], size: int) -> list[str]:
    """A deterministic draw of ``size`` names (all of them when there are fewer)."""
    if size >= len(names):
        return names
    return sorted(random.Random(SEED).sample(sorted(names), size))


def run(module: str, tests: tuple[str, ...], children: int, show: bool,
        size: int | None = None) -> Result:
    """mutmut over ``module`` with ``tests``, in a temporary copy of the checkout.

    With ``size``, only a fixed random sample of that many mutants is run: mutmut first
    generates every mutant (a run restricted to a name that matches none), then runs the
    sample by name. The score of a sample estimates the module's; the table says how many
    were tried."""
    equivalent_all = (yaml.safe_load(EQUIVALENT.read_text(encoding="utf-8")) or {}
                      if EQUIVALENT.is_file() else {})
    equivalent = {str(k): str(v) for k, v in (equivalent_all.get(module) or {}).items()}
    with tempfile.TemporaryDirectory(prefix="mlready-mutation-") as folder:
        copy = Path(folder)
        _copy_tracked(copy)
        _configure(copy, module, tests)
        mutmut = [sys.executable, "-m", "mutmut"]
        chosen: list[str] = []
        if size is not None:
            subprocess.run([*mutmut, "run", "--max-children", str(children),
                            "mlready.no_such_mutant"], cwd=copy, capture_output=True,
                           check=False)
            every = _mutant_names(copy, module)
            chosen = sample(every, size)
            print(f"  {module}: a fixed sample of {len(chosen)} of {len(every)} mutants "
                  f"(seed {SEED})", file=sys.stderr)
        ran = subprocess.run([*mutmut, "run", "--max-children", str(children), *chosen],
                             cwd=copy, capture_output=True, text=True, check=False)
        if ran.returncode != 0:  # e.g. the clean run failed: say why, not just "0 killed"
            print(f"  {module}: mutmut run exited {ran.returncode}:\n"
                  f"{(ran.stdout + ran.stderr)[-3000:]}", file=sys.stderr)
        listed = subprocess.run([*mutmut, "results", "--all", "true"], cwd=copy,
                                capture_output=True, text=True, check=False).stdout
        statuses = {m.group(1): m.group(2).strip() for line in listed.splitlines()
                    if (m := _LINE.match(line))}
        if chosen:
            statuses = {name: statuses.get(name, "not checked") for name in chosen}
        result = Result(module, statuses,
                        {k: v for k, v in equivalent.items() if k in statuses})
        if show:
            for name in result.survivors():
                diff = subprocess.run([*mutmut, "show", name], cwd=copy, capture_output=True,
                                      text=True, check=False).stdout
                print(f"--- survived: {name}\n{diff}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", help="a module path, e.g. mlready/hooks/selection.py")
    parser.add_argument("tests", nargs="*", help="test files or folders that exercise it")
    parser.add_argument("--all", action="store_true", help="every module in MODULES")
    parser.add_argument("--children", type=int, default=2, help="parallel mutants")
    parser.add_argument("--show", action="store_true", help="print surviving mutants' diffs")
    parser.add_argument("--sample", type=int, metavar="N",
                        help=f"run only a fixed random N mutants per module (seed {SEED})")
    args = parser.parse_args(argv)
    if args.all:
        jobs = list(MODULES.items())
    elif args.module:
        tests = tuple(args.tests) or MODULES.get(args.module, ())
        if not tests:
            parser.error(f"{args.module}: name the tests that exercise it")
        jobs = [(args.module, tests)]
    else:
        parser.error("name a module (and its tests), or --all")
    print("| module | tried | killed | survived | timeout | equivalent | score |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for module, tests in jobs:
        result = run(module, tests, args.children, args.show, args.sample)
        c = result.counts()
        score = result.score()
        print(f"| {module} | {len(result.statuses)} | {c['killed']} | {len(result.survivors())} | "
              f"{c['timeout']} | {len(result.equivalent)} | "
              f"{'n/a' if score is None else f'{score:.0%}'} |", flush=True)
        for name in result.stale():
            print(f"  {module}: {name} is listed as equivalent but was killed: renumbered? "
                  f"check {EQUIVALENT.name}", file=sys.stderr)
        if not result.statuses:
            print(f"  {module}: mutmut reported no mutants (is it installed? "
                  "`pip install mutmut==3.*`)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
