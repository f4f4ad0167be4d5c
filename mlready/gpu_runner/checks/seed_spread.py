"""seed-spread: K seeds' final objectives vary less than the improvement the project claims.

A result from one seed may be luck: in RL especially, seeds of one method differ by as
much as methods do, which is why the checklists ask for 3-5 seeds. With
`tool.mlready.runner.seeds` = K (opt-in; 0 is off) the runner trains seeds ``seed`` ..
``seed + K - 1`` for N steps each (the first two are reproducibility's ``ref`` and
``other_seed`` runs, so K = 3 costs one run more than the default plan) and reports the
spread of the *final* logged value of the `objective`: mean, sample std and a 95%
percentile-bootstrap interval of the mean (`mlready.gpu_runner.spread`, deterministic).

The *claimed improvement* is `tool.mlready.runner.claimed-improvement`: how much better
the project says its final objective is than what it compares with (a baseline, the
previous version), as a positive number in the objective's units, whichever the
`direction`. The check fails when the seed-to-seed std is as large as that claim (the
claim is within seed noise) and passes when it is smaller. With no claim (0) the spread
is reported as information (``not_applicable``), never a pass. The seeds run as long as
the other short runs (``steps``): a spread after N steps is the spread *at N steps*.
"""

from __future__ import annotations

import math

from mlready.gpu_runner.checks._common import fmt, prerequisite
from mlready.gpu_runner.checks._declaration import DerivedRuns, Option, Reason
from mlready.gpu_runner.config import RunnerConfig
from mlready.gpu_runner.plan import RunSpec
from mlready.gpu_runner.results import CheckResult, Outcome, Scalar
from mlready.gpu_runner.session import RunOutcome, Session
from mlready.gpu_runner.spread import spread

ID = "seed-spread"
TITLE = "the seeds' final objectives vary less than the claimed improvement"
ORDER = 45
NEEDS = ("ref", "other_seed")  # then seed_2 ... seed_{K-1}, derived from `seeds`
CATEGORY = "reproducibility"  # "results reported over several seeds, with their spread"
LOADS_CHECKPOINTS = False
OPTIONS = {
    "seeds": Option(int, 0, "train this many seeds (seed, seed+1, ...) and report the spread "
                            "of the final objective; 0: off", minimum=0),
    "claimed-improvement": Option(float, 0.0, "how much better the final objective is "
                                              "claimed to be than a baseline (objective "
                                              "units, > 0); 0: no claim", minimum=0.0),
}
REASONS = {
    "not_configured": Reason(Outcome.NOT_APPLICABLE, "`seeds` is 0 (off)"),
    "too_few_seeds": Reason(Outcome.NOT_APPLICABLE, "`seeds = 1`: a spread needs two or more"),
    "no_objective": Reason(Outcome.NOT_APPLICABLE, "`objective = \"\"`"),
    "no_claim": Reason(Outcome.NOT_APPLICABLE, "the spread, as information: "
                                               "`claimed-improvement` is 0"),
    "objective_missing": Reason(Outcome.FAIL, "a seed's run never logged the objective"),
    "nonfinite_objective": Reason(Outcome.FAIL, "a seed ended with a NaN or infinite "
                                                "objective"),
    "no_spread": Reason(Outcome.FAIL, "every seed ended at exactly the same value: the seed "
                                      "does not reach the randomness"),
    "spread_exceeds_claim": Reason(Outcome.FAIL, "the seeds' std is at least the claimed "
                                                 "improvement"),
}
VERDICT = (
    "with `seeds` = K: `ref`, `other_seed` and `seed_2` ... `seed_{K-1}` (seed+k, N); the "
    "final logged `objective` of each; mean, sample std, 95% percentile-bootstrap interval "
    "of the mean (2000 resamples, fixed RNG). Fails when std >= `claimed-improvement`; "
    "with no claim the spread is `not_applicable` (information), never a pass.")
METRICS = {
    "seeds": "K", "mean": "of the final objective", "std": "sample std over seeds",
    "ci_low": "95% bootstrap interval of the mean", "ci_high": "", "min": "", "max": "",
    "claimed_improvement": "", "std_to_claim": "std / claimed improvement; >= 1 fails",
}


def trains(config: RunnerConfig) -> bool:
    """Whether `check` trains any seed with this config: off (``seeds = 0``, the default),
    one seed or no objective return before the first run, so such a plan lists none of
    its runs (`ACTIVE`); reproducibility, when selected, still plans its own."""
    return int(config.option("seeds")) >= 2 and bool(config.objective)


ACTIVE = trains


def run_id(offset: int) -> str:
    """The run of seed ``seed + offset``: reproducibility's two, then ``seed_<k>``."""
    return {0: "ref", 1: "other_seed"}.get(offset, f"seed_{offset}")


def extra_runs(config: RunnerConfig) -> tuple[RunSpec, ...]:
    """The seeds beyond reproducibility's two that `check` trains with this config (none
    when it trains none: off, one seed, no objective)."""
    if not trains(config):
        return ()
    k = int(config.option("seeds"))
    return tuple(RunSpec(run_id(offset), f"seed spread: seed+{offset}", seed_offset=offset)
                 for offset in range(2, k))


DERIVED_RUNS = DerivedRuns(
    extra_runs, "`seed_2` ... `seed_{K-1}`", "seed+k, N (k = 2 ... K-1)",
    "seed spread: the seeds beyond the two of reproducibility, with `seeds` = K",
    "K - 2 more with `seeds` = K")


def _run(session: Session, offset: int) -> RunOutcome:
    if offset < 2:
        return session.run(run_id(offset))
    return session.run_extra(extra_runs(session.config)[offset - 2])


def check(session: Session) -> CheckResult:
    cfg = session.config
    k = int(cfg.option("seeds"))
    claim = float(cfg.option("claimed-improvement"))
    if k == 0:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="not_configured",
                           summary="off: set `tool.mlready.runner.seeds` (3-5 in RL) to train "
                                   "several seeds and report their spread")
    if k == 1:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="too_few_seeds",
                           summary="`seeds = 1`: a spread needs at least 2 seeds (the "
                                   "checklists ask for 3-5)")
    if not cfg.objective:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="no_objective",
                           summary="no `objective` configured: nothing to compare over seeds")
    blocked = prerequisite(ID, session.run("ref"), session.smoke_selected)
    if blocked is not None:
        return blocked
    name = cfg.objective
    finals: dict[int, float] = {}
    for offset in range(k):
        run = _run(session, offset)
        if run.problem is not None:
            return run.problem.result(ID, f"seed {run.seed} run: ")
        values = run.trajectory.series(name)
        if not values:
            return CheckResult(check=ID, outcome=Outcome.FAIL, reason="objective_missing",
                               summary=f"the seed {run.seed} run never logged `{name}` "
                                       "(`tool.mlready.runner.objective`)")
        final = values[-1][1]
        if not math.isfinite(final):
            return CheckResult(check=ID, outcome=Outcome.FAIL, reason="nonfinite_objective",
                               summary=f"the seed {run.seed} run ended with {name} = {final} "
                                       f"at {cfg.unit} {values[-1][0]}")
        finals[run.seed] = final
    s = spread(list(finals.values()))
    metrics: dict[str, Scalar] = {
        "seeds": k, "mean": s.mean, "std": s.std, "ci_low": s.ci_low, "ci_high": s.ci_high,
        "min": s.low, "max": s.high, "claimed_improvement": claim,
        "std_to_claim": s.std / claim if claim > 0 else None}
    details = {"final_by_seed": {str(seed): v for seed, v in finals.items()},
               "steps": cfg.steps}
    few = " (the checklists ask for 3-5 seeds)" if k < 3 else ""
    shown = (f"{k} seeds, final {name} after {cfg.steps} {cfg.step_unit}: {fmt(s.mean)} "
             f"± {fmt(s.std)} (mean ± std; 95% bootstrap CI of the mean "
             f"{fmt(s.ci_low)} .. {fmt(s.ci_high)}){few}")
    if s.low == s.high:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="no_spread",
                           metrics=metrics, details=details,
                           summary=f"all {k} seeds ended at {name} = {fmt(s.low)} exactly: "
                                   "the seed does not reach the randomness, so their spread "
                                   "says nothing")
    if claim <= 0:
        return CheckResult(check=ID, outcome=Outcome.NOT_APPLICABLE, reason="no_claim",
                           metrics=metrics, details=details,
                           summary=f"{shown}; no `claimed-improvement` to test against it")
    if s.std >= claim:
        return CheckResult(check=ID, outcome=Outcome.FAIL, reason="spread_exceeds_claim",
                           metrics=metrics, details=details,
                           summary=f"{shown}: the seed-to-seed std is at least as large as "
                                   f"the claimed improvement {fmt(claim)} "
                                   f"({s.std / claim:.2g}x): the claim is within seed noise")
    return CheckResult(check=ID, outcome=Outcome.PASS, metrics=metrics, details=details,
                       summary=f"{shown}: the std is {s.std / claim:.2g}x the claimed "
                               f"improvement {fmt(claim)}")
