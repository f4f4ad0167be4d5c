"""What one file says about reporting a run (MLR801-MLR804): one walk, shared facts.

Per Python file: whether it is an entrypoint (an ``if __name__ == "__main__":`` block,
top-level training code, a notebook), where it trains (`mlready.hooks.training`),
which of its functions train, which project names it calls and imports, and where it
prints, logs (stdlib ``logging``, loguru, absl, any ``logger.info``), uses an
experiment tracker, hands the run's hyper-parameters to one, and records the git
commit. `mlready.hooks.rules.logging.runs` joins these across the imports of each
training entrypoint, and each rule decides from the joined `Run`.

Trackers are recognised by resolved name (``wandb.init``, ``torch.utils.tensorboard
.SummaryWriter``, ``mlflow.*``, Lightning and Hugging Face trainers, which log by
themselves) and, generously, by a class named ``*Logger``/``*Writer`` that the code
builds (a project's own metrics logger such as Spinning Up's ``EpochLogger``): a rule
that says "no tracker" must be sure, so anything that may be one counts.
"""

from __future__ import annotations

import ast
import bisect
from typing import Any

from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.training import loop_trains_in, trains

VERSION = 2
_MAX_CALLS = 4000  # distinct resolved call names kept per file (facts stay small)

# Resolved-name prefixes of experiment trackers -> the tracker's short name.
TRACKER_PREFIXES: tuple[tuple[str, str], ...] = (
    ("torch.utils.tensorboard", "tensorboard"), ("tensorboardX", "tensorboard"),
    ("tensorboard", "tensorboard"), ("tensorflow.summary", "tensorboard"),
    ("tf.summary", "tensorboard"), ("wandb", "wandb"), ("mlflow", "mlflow"),
    ("aim", "aim"), ("comet_ml", "comet"), ("clearml", "clearml"), ("neptune", "neptune"),
    ("lightning.pytorch.loggers", "lightning"), ("pytorch_lightning.loggers", "lightning"),
    ("lightning.fabric.loggers", "lightning"), ("lightning.pytorch.Trainer", "lightning"),
    ("pytorch_lightning.Trainer", "lightning"), ("lightning.Trainer", "lightning"),
    ("transformers.Trainer", "hf-trainer"), ("transformers.Seq2SeqTrainer", "hf-trainer"),
    ("mlready.log_metrics", "mlready"), ("dvclive", "dvclive"),
    ("stable_baselines3.common.logger", "sb3-logger"),
    ("stable_baselines3.common.monitor.Monitor", "sb3-monitor"),  # episode stats to CSV
)
# Trainers that log the run's hyper-parameters themselves (TrainingArguments, hparams).
SELF_LOGGING = frozenset({"lightning", "hf-trainer"})
# Trackers that record the git commit of the run on their own when run in a work tree.
RECORDS_COMMIT = frozenset({"wandb", "mlflow", "comet", "clearml", "neptune", "aim"})
_LOG_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "critical",
                         "exception", "log", "success"})
_LOGGING_PREFIXES = ("logging", "loguru", "absl.logging", "accelerate.logging",
                     "transformers.utils.logging", "structlog")
_LOGGING_ROOTS = frozenset(prefix.split(".")[0] for prefix in _LOGGING_PREFIXES)
# Calls that hand a run's configuration to a tracker (by method name).
_HPARAM_METHODS = frozenset({
    "add_hparams", "log_params", "log_param", "log_hyperparams", "save_hyperparameters",
    "log_parameters", "log_parameter", "save_config", "log_config", "log_hparams",
    "log_dict", "set_params", "connect", "connect_configuration", "init_trackers"})


def _position(node: ast.AST) -> list[int]:
    return [getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1]


def _main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)


def _under(qualname: str, prefix: str) -> bool:
    return qualname == prefix or qualname.startswith(prefix + ".")


_TRACKER_ROOTS = frozenset(prefix.split(".")[0] for prefix, _ in TRACKER_PREFIXES)


def _tracker(qualname: str | None) -> str | None:
    if not qualname:
        return None
    if qualname.split(".", 1)[0] in _TRACKER_ROOTS:
        for prefix, name in TRACKER_PREFIXES:
            if _under(qualname, prefix):
                return name
    last = qualname.rsplit(".", 1)[-1]
    if last.endswith(("Logger", "Writer")) and last[:1].isupper() \
            and not _under(qualname, "logging"):
        return "custom"  # a metrics logger class (tianshou's, Spinning Up's, a project's)
    if last.endswith("Trainer") and qualname.startswith(("trl.", "transformers.")):
        return "hf-trainer"
    return None


def _receiver(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        value = func.value
        if isinstance(value, ast.Name):
            return value.id.lower()
        if isinstance(value, ast.Attribute):
            return value.attr.lower()
    return ""


def _git_text(text: str) -> bool:
    """A literal that asks git for the commit: ``git rev-parse HEAD``, ``["git",
    "rev-parse", "HEAD"]``, ``git describe`` (anywhere in the file: it is usually in
    a ``get_sha()`` helper whose result is logged)."""
    text = text.strip()
    return text in ("rev-parse", "describe") or text.startswith(
        ("git rev-parse", "git describe", "git log -1"))


def _earlier(current: list[int] | None, here: list[int]) -> list[int]:
    return here if current is None or here < current else current


class _Collector:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._names: dict[int, str | None] = {}  # id(call) -> its resolved callee
        self.facts: dict[str, Any] = {
            "v": VERSION, "module": ctx.module, "entry": ctx.notebook, "top": None,
            "top_calls": {}, "funcs": {}, "imports": [], "prints": [], "loop_print": None,
            "logging": None, "trackers": {}, "tracker_imports": [], "hparams": None,
            "git": None}

    def run(self) -> dict[str, Any]:
        ctx, facts = self.ctx, self.facts
        assert ctx.tree is not None
        facts["entry"] = facts["entry"] or any(_main_guard(s) for s in ctx.tree.body)
        facts["imports"] = sorted(set(ctx.resolver.aliases.values()))
        for name in facts["imports"]:
            self._library(name, None)
        self._functions(ctx.tree)
        self._loops()
        for call in ctx.nodes(ast.Call):
            self._call(call, self._qualname(call))
        if facts["git"] is None and any(isinstance(c.value, str) and _git_text(c.value)
                                        for c in ctx.nodes(ast.Constant)):
            facts["git"] = [1, 1]
        return facts

    def _first(self, key: str, node: ast.AST) -> None:
        if self.facts[key] is None:
            self.facts[key] = _position(node)

    def _library(self, qualname: str, node: ast.AST | None) -> None:
        """A call (``node``) or an import (None) of a logging library or a tracker."""
        if qualname.split(".", 1)[0] in _LOGGING_ROOTS and any(
                _under(qualname, prefix) for prefix in _LOGGING_PREFIXES):
            if node is not None:
                self._first("logging", node)
            elif self.facts["logging"] is None:
                self.facts["logging"] = [1, 1]  # imported: it logs somewhere in the file
        tracker = _tracker(qualname)
        if tracker is None:
            return
        if node is None:
            if tracker not in self.facts["tracker_imports"]:
                self.facts["tracker_imports"].append(tracker)
        else:
            self.facts["trackers"].setdefault(tracker, _position(node))

    def _functions(self, tree: ast.Module) -> None:
        """Per top-level function and method (a *unit*): whether its code trains, and
        the names it calls (`funcs`); the same for module-level code (`top`,
        `top_calls`), which is what running the file executes. Built from the shared
        node index, each node given to the unit whose lines hold it (a nested function
        counts as its enclosing unit's code)."""
        module = self.ctx.module
        units: list[tuple[int, int, str]] = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                units.append((node.lineno, node.end_lineno or node.lineno,
                              f"{module}.{node.name}"))
            elif isinstance(node, ast.ClassDef):
                units += [(item.lineno, item.end_lineno or item.lineno,
                           f"{module}.{node.name}.{item.name}") for item in node.body
                          if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
        units.sort()
        starts = [unit[0] for unit in units]

        def owner(line: int) -> str | None:
            i = bisect.bisect_right(starts, line) - 1
            return units[i][2] if i >= 0 and units[i][1] >= line else None

        trains_in: dict[str | None, list[int]] = {}
        called: dict[str | None, dict[str, list[int]]] = {None: {}}
        training_calls: list[int] = []
        for call in self.ctx.nodes(ast.Call):
            unit = owner(call.lineno)
            here = _position(call)
            name = self._qualname(call)
            if name:
                names = called.setdefault(unit, {})
                if name in names or len(names) < _MAX_CALLS:
                    names[name] = _earlier(names.get(name), here)
            if trains(call):
                trains_in[unit] = _earlier(trains_in.get(unit), here)
                training_calls.append(call.lineno)
        loops: list[ast.AST] = [*self.ctx.nodes(ast.For), *self.ctx.nodes(ast.AsyncFor)]
        for loop in loops:
            assert isinstance(loop, ast.For | ast.AsyncFor)
            if loop_trains_in(self.ctx, loop):
                unit = owner(loop.lineno)
                trains_in[unit] = _earlier(trains_in.get(unit), _position(loop))
        for loop in self.ctx.nodes(ast.While):
            end = loop.end_lineno or loop.lineno
            if any(loop.lineno <= line <= end for line in training_calls):
                unit = owner(loop.lineno)
                trains_in[unit] = _earlier(trains_in.get(unit), _position(loop))
        instances = self._instances()
        if instances:  # `agent = PPO(...)`, then `agent.update(...)`: PPO's own method
            called = {unit: {_as_method(c, instances): at for c, at in names.items()}
                      for unit, names in called.items()}
        for _, _, key in units:
            names = called.get(key, {})
            if key.count(".") > module.count(".") + 1:  # a method: self.fit() is this class's
                own_self = f"{module}.self."
                owner_class = key.rsplit(".", 1)[0] + "."
                names = {owner_class + c.removeprefix(own_self) if c.startswith(own_self)
                         else c: at for c, at in names.items()}
            self.facts["funcs"][key] = [key in trains_in, sorted(names)]
        self.facts["top"] = trains_in.get(None)
        self.facts["top_calls"] = called[None]
        if self.facts["top"] is not None:
            self.facts["entry"] = True  # training code at module level: a script, run

    def _instances(self) -> dict[str, str]:
        """``agent = algo.PPO(...)``: the file's variables bound to an instance of a class
        (a capitalised callee), as ``<module>.agent`` -> ``algo.PPO``, the prefix that
        a call of one of its methods resolves to. A name bound to two classes is left
        out: which one a call reaches is not known."""
        found: dict[str, str | None] = {}
        for assign in self.ctx.nodes(ast.Assign):
            assert isinstance(assign, ast.Assign)
            value = assign.value
            if len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name) \
                    or not isinstance(value, ast.Call):
                continue
            name = self._qualname(value)
            if not name or not name.rpartition(".")[2][:1].isupper():
                continue
            key = f"{self.ctx.module}.{assign.targets[0].id}"
            found[key] = name if found.get(key, name) == name else None
        return {key: name for key, name in found.items() if name is not None}

    def _qualname(self, call: ast.Call) -> str | None:
        key = id(call)
        if key not in self._names:
            self._names[key] = self.ctx.resolver.qualname(call.func)
        return self._names[key]

    def _loops(self) -> None:
        """The file's first ``print`` inside a training loop."""
        loops: list[ast.For | ast.AsyncFor] = [*self.ctx.nodes(ast.For),
                                               *self.ctx.nodes(ast.AsyncFor)]
        for loop in loops:
            if not loop_trains_in(self.ctx, loop):
                continue
            printed = [_position(s) for s in ast.walk(loop)
                       if isinstance(s, ast.Call) and self._prints(s)]
            if printed and (self.facts["loop_print"] is None
                            or min(printed) < self.facts["loop_print"]):
                self.facts["loop_print"] = min(printed)

    def _prints(self, call: ast.Call) -> bool:
        qualname = self._qualname(call)
        return qualname in ("print", "sys.stdout.write", "sys.stderr.write", "tqdm.write",
                            "tqdm.tqdm.write", "pprint.pprint")

    def _call(self, call: ast.Call, qualname: str | None) -> None:
        facts = self.facts
        if self._prints(call):
            if len(facts["prints"]) < 3:
                facts["prints"].append(_position(call))
            return
        if qualname:
            self._library(qualname, call)
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else ""
        receiver = _receiver(func)
        if _log_file(call, qualname):  # a log file of the run's own, metrics in it
            self._first("logging", call)
            facts["trackers"].setdefault("custom", _position(call))
        elif method in _LOG_LEVELS and "log" in receiver:
            self._first("logging", call)
        elif method and ("logger" in receiver or "writer" in receiver):
            # ``logger.logkv(...)``, ``writer.add_scalar(...)``: a metrics logger's own API
            facts["trackers"].setdefault("custom", _position(call))
        elif receiver == "accelerator" and method in ("log", "init_trackers"):
            facts["trackers"].setdefault("accelerate", _position(call))
        elif method == "learn" and keyword(call, "total_timesteps") is not None:
            self._first("logging", call)  # Stable-Baselines3's own logger reports progress
        if any(k.arg == "tensorboard_log" for k in call.keywords):
            facts["trackers"].setdefault("tensorboard", _position(call))  # SB3 algorithms
        if self._hands_hparams(call, qualname, method):
            self._first("hparams", call)
        if qualname and _under(qualname, "git"):
            self._first("git", call)  # GitPython

    @staticmethod
    def _hands_hparams(call: ast.Call, qualname: str | None, method: str) -> bool:
        if method in _HPARAM_METHODS:
            return True
        name = qualname or ""
        if name in ("wandb.init", "aim.Run", "neptune.init_run") or name.endswith("WandbLogger"):
            return any(k.arg in ("config", "hparams") for k in call.keywords)
        if method == "update" and _under(name, "wandb.config"):
            return True
        if method == "add_text" and call.args:
            text = ast.unparse(call.args[0]).lower()
            return any(word in text for word in ("param", "config", "args", "hyper"))
        return False


def _as_method(called: str, instances: dict[str, str]) -> str:
    """``main.agent.update`` -> ``algo.PPO.update`` when ``agent`` holds a ``PPO``."""
    head, _, method = called.rpartition(".")
    found = instances.get(head)
    return f"{found}.{method}" if found is not None else called


def _log_file(call: ast.Call, qualname: str | None) -> bool:
    """``open(log_path, "a")``: progress appended to a log file of the run's own."""
    if qualname != "open" or len(call.args) < 2 or not isinstance(call.args[1], ast.Constant):
        return False
    mode = call.args[1].value
    return isinstance(mode, str) and mode[:1] in ("a", "w") and \
        "log" in ast.unparse(call.args[0]).lower()


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """The per-file reporting facts; None for test files and files without a tree."""
    if ctx.tree is None or is_test_path(ctx.path):
        return None
    return ctx.memo("logging:facts", lambda: _Collector(ctx).run())
