"""Which category every rule and every runtime check feeds, and how items are scored.

Categories and weights are the scoring table of the research checklist (checklist 000).
Every rule code maps to exactly one category: an explicit entry in `RULE_CATEGORIES`
when its family is split across categories, otherwise its family's default in
`FAMILY_CATEGORIES` (MLR0xx reproducibility, MLR1xx config, MLR2xx dependencies, ...);
a code outside every family falls back to code organization. Every runtime check
declares its category in its own module (``CATEGORY``, read into `CHECK_CATEGORIES`);
a check id no registered check has (a results file from another mlready version)
falls back to testing & validation.

Scoring method (docs/scorecard.md says the same for users):

1. *Items.* A selected rule is an item: it passes with no findings and fails with
   some; a failing rule keeps ``1 / (1 + log2(1 + n))`` of its credit for ``n``
   findings (1 finding: 1/2, 3: 1/3, 7: 1/4), so the first finding costs the most and
   a hundred copies of one issue cannot sink a category on their own; a rule that
   reports an absence once per project (`ABSENCE_RULES`: no tests, no CI, no README)
   keeps nothing, since its one finding is the whole item. A rule that
   reports a coverage ratio in the check metrics (type-hint coverage for MLR401,
   docstring coverage for MLR603) earns that ratio instead; when the check JSON reports
   the file kinds it saw, a rule that reads none of them is not applicable rather than
   a free pass. A runtime check is an item from
   its outcome: pass 1, fail 0;
   ``not_applicable`` and ``skipped`` are shown but not scored; ``error`` (the harness
   failed, not the user's code) is shown as not measured. A runtime check weighs
   `CHECK_WEIGHT` rules: it proves behaviour where a rule only suggests it. A derived
   item (`DERIVED_ITEMS`: metrics logged; throughput and peak memory measured) reads
   the smoke run's measurements and weighs `METRIC_WEIGHT`.
2. *Categories.* A category's score is the weighted mean credit of its scored items,
   times 100. A category with no scored item is "not measured" (score None); so is
   one whose runtime items a run tried and none measured (`proofs.runtime_unmeasured`):
   its static items alone would claim what the runtime half was there to prove.
3. *Overall.* The score is the weighted mean of the *measured* categories, with the
   weights renormalised over them; ``coverage`` says how much of the total weight that
   is. An unmeasured category therefore neither drags the score to zero nor lends it
   full marks, and because a mean over part of the table is weaker evidence, the level
   is capped at "nearly ready" unless every category was measured (see `scoring`).
4. *Weakest.* The measured category with the lowest score (ties: the heavier one);
   none when every measured category scores 100, since then nothing is weak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from mlready.gpu_runner import catalog


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    weight: float


REPRODUCIBILITY = Category("reproducibility", "Reproducibility & experiment management", 25)
TRAINING = Category("training", "Model & training quality", 20)
PERFORMANCE = Category("performance", "Performance & scalability", 15)
TESTING = Category("testing", "Testing & validation", 10)
CODE = Category("code", "Code organization", 10)
LOGGING = Category("logging", "Logging & monitoring", 10)
DOCUMENTATION = Category("documentation", "Documentation", 10)

CATEGORIES: tuple[Category, ...] = (
    REPRODUCIBILITY, TRAINING, PERFORMANCE, TESTING, CODE, LOGGING, DOCUMENTATION,
)
BY_KEY = MappingProxyType({c.key: c for c in CATEGORIES})

# Family prefix (first four characters of the code) -> category key.
FAMILY_CATEGORIES = MappingProxyType({
    "MLR0": REPRODUCIBILITY.key,  # seeds, determinism
    "MLR1": REPRODUCIBILITY.key,  # config & hyper-parameters: "configuration management"
    "MLR2": CODE.key,  # dependencies: pinned, declared
    "MLR3": REPRODUCIBILITY.key,  # checkpoints & serialization: "checkpointing & versioning"
    # (MLR301-MLR305: unsafe loads, resumable checkpoints, whole-module saves, RNG state)
    "MLR4": CODE.key,  # typing & code quality
    "MLR5": CODE.key,  # notebooks
    "MLR6": CODE.key,  # repository hygiene
    "MLR7": TRAINING.key,  # the training loop (MLR701-MLR704: no_grad, AMP, losses, zero_grad)
    "MLR8": LOGGING.key,  # logging & experiment tracking
    "MLR9": CODE.key,  # opinionated, off by default
})
FALLBACK_RULE_CATEGORY = CODE.key

# Rules whose family default is the wrong category for them. Add entries as rules land.
RULE_CATEGORIES: MappingProxyType[str, str] = MappingProxyType({
    "MLR000": CODE.key,  # syntax-error: a file that does not parse is a code problem
    "MLR601": DOCUMENTATION.key,  # missing-readme: "README"
    "MLR602": DOCUMENTATION.key,  # readme-missing-usage: "installation, quick start, commands"
    "MLR603": DOCUMENTATION.key,  # undocumented-entrypoint; docstring coverage as its credit
    "MLR901": DOCUMENTATION.key,  # missing-docstring: "public functions documented"
    "MLR613": REPRODUCIBILITY.key,  # hardcoded-user-path: runs only on the author's machine
    "MLR614": TESTING.key,  # no-tests: "unit tests"
    "MLR615": TESTING.key,  # no-ci: "all tests passing" on every change
    "MLR010": TESTING.key,  # eval-on-training-environment: "validation on held-out data"
    "MLR707": PERFORMANCE.key,  # dataloader-without-workers: "DataLoader with num_workers"
    "MLR708": PERFORMANCE.key,  # dataloader-without-pin-memory: "pinned memory"
    "MLR709": PERFORMANCE.key,  # data-parallel: "multi-GPU training configured"
})

# Runtime check id -> category key, as each check module declares it (``CATEGORY``).
CHECK_CATEGORIES: MappingProxyType[str, str] = MappingProxyType(
    {check.id: check.category for check in catalog.entries()})
FALLBACK_CHECK_CATEGORY = TESTING.key



@dataclass(frozen=True)
class Derived:
    """An item derived from what a runtime check measured, rather than from its outcome."""

    id: str
    category: str
    title: str


# The smoke run reported metrics ("loss curves logged").
METRICS_LOGGED = Derived("smoke.metrics-logged", LOGGING.key, "metrics logged")
# The smoke run measured steps/s and peak memory ("training speed measured", "efficient
# GPU memory usage"): a measurement the card can show, not a verdict on the numbers.
THROUGHPUT_MEASURED = Derived("smoke.throughput-measured", PERFORMANCE.key,
                              "throughput and peak memory measured")
DERIVED_ITEMS: tuple[Derived, ...] = (METRICS_LOGGED, THROUGHPUT_MEASURED)
METRICS_LOGGED_ITEM = METRICS_LOGGED.id
METRICS_LOGGED_CATEGORY = METRICS_LOGGED.category

CHECK_WEIGHT = 3.0
RULE_WEIGHT = 1.0
METRIC_WEIGHT = 1.0


def category_for_rule(code: str) -> str:
    """The category key a rule code feeds: explicit entry, then family, then fallback."""
    if code in RULE_CATEGORIES:
        return RULE_CATEGORIES[code]
    return FAMILY_CATEGORIES.get(code[:4].upper(), FALLBACK_RULE_CATEGORY)


def category_for_check(check: str) -> str:
    """The category key a runtime check id feeds."""
    return CHECK_CATEGORIES.get(check, FALLBACK_CHECK_CATEGORY)


# Rules that report, once per project, that something is absent (no README, no tests, no
# CI, no dependency manifest). Their one finding is the whole item: a project without
# tests has not half-passed "has tests", so a finding keeps no credit.
ABSENCE_RULES = frozenset({
    "MLR205",  # no-dependency-manifest
    "MLR601",  # missing-readme
    "MLR602",  # readme-missing-usage
    "MLR614",  # no-tests
    "MLR615",  # no-ci
})


def rule_credit(findings: int, code: str = "") -> float:
    """Credit kept by a rule with ``findings`` findings: 1, 1/2, ~0.39, 1/3, ...

    Diminishing: each doubling of the count costs less than the one before.
    """
    if findings <= 0:
        return 1.0
    if code in ABSENCE_RULES:
        return 0.0
    return 1.0 / (1.0 + math.log2(1.0 + findings))
