"""The decision MLR001, MLR002, MLR003 and MLR005 share: a draw from a generator that
no seed reaches first. Each of those rules decides with the libraries it owns
(``decide(entry, "numpy")``); the wording below names the library and its seed call.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.seeds import apis as api
from mlready.hooks.rules.seeds import flow
from mlready.hooks.rules.seeds.summary import Entrypoint

_LIB_NAMES = {"random": "random", "numpy": "numpy.random", "torch": "torch",
              "cuda": "torch.cuda", "env": "the environment", "space": "the action space"}
_SEED_CALLS = {
    "random": "random.seed(seed)",
    "numpy": "np.random.seed(seed)",
    "torch": "torch.manual_seed(seed)",
    "cuda": "torch.cuda.manual_seed_all(seed)",
    "env": "env.reset(seed=seed)",
    "space": "env.action_space.seed(seed)",
}
FIXES = {
    "random": "call `random.seed(seed)` at the start of the run (or a helper that seeds "
              "everything, such as `lightning.seed_everything(seed)`)",
    "numpy": "call `np.random.seed(seed)` at the start of the run, or draw from "
             "`rng = np.random.default_rng(seed)` instead of the global state",
    "torch": "call `torch.manual_seed(seed)` before building models or drawing tensors",
    "cuda": "call `torch.manual_seed(seed)` (it seeds every device) or "
            "`torch.cuda.manual_seed_all(seed)`",
    "env": "reset the environment once with `env.reset(seed=seed)` before using it",
    "space": "call `env.action_space.seed(seed)` once before sampling from it",
    "random_rng": "pass the run's seed: `random.Random(seed)`",
    "numpy_rng": "pass the run's seed: `np.random.default_rng(seed)`",
}
CODES = {"random": "MLR001", "random_rng": "MLR001", "numpy": "MLR002",
         "numpy_rng": "MLR002", "torch": "MLR003", "cuda": "MLR004", "env": "MLR005",
         "space": "MLR005"}


def decide(entry: Entrypoint, lib: str) -> Iterator[Diagnostic]:
    """MLR001-MLR003 and MLR005: a draw from ``lib`` with no seed of it earlier in the flow."""
    summary = entry.summary
    use = flow.torch_use(summary) if lib == "torch" else summary.uses.get(lib)
    if use is None or (lib.startswith("random") and not flow.machine_learning(entry)):
        return
    seed = summary.seeds.get(lib)
    if seed is not None and seed.pos < use.pos:
        return
    where = flow.place(entry, use)
    if where is None:
        return
    what = flow.describe(entry, use, where)
    label = flow.label(entry)
    name = _LIB_NAMES.get(lib, lib)
    fix = FIXES[lib]
    if lib in ("random_rng", "numpy_rng"):
        message = (f"{what} called without a seed in entrypoint `{label}`; no global "
                   f"seed reaches the generator it creates")
    elif seed is not None:
        message = (f"{what} used in entrypoint `{label}` before `{name}` is seeded"
                   f"{flow.seeded_line(entry, seed)}; seed at the start of the run")
    elif lib in ("env", "space"):
        vec = " (`vec_env.seed(seed)` for a VecEnv)" if lib == "env" else ""
        message = (f"{what} used in entrypoint `{label}` but {name} is never seeded; "
                   f"call `{_SEED_CALLS[lib]}` first{vec}")
    else:
        only_cuda = " (only the CUDA generators are seeded)" \
            if lib == "torch" and "cuda" in summary.seeds else ""
        call = f"call `{_SEED_CALLS[lib]}` first"
        if use.api.partition(".")[0] in api.SB3_ROOTS:
            call = "pass `seed=` to the algorithm"
            fix = "pass `seed=seed` to the algorithm (it seeds torch, numpy and random)"
        message = (f"{what} used in entrypoint `{label}` but `{name}` is never seeded"
                   f"{only_cuda}; {call}")
    yield flow.diagnostic(where, CODES[lib], message, fix)
