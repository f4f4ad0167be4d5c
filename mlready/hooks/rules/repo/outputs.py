"""Where a Python file writes run outputs, from its literal paths (MLR611).

A path counts when the code spells it: a string literal, the literal start of an
f-string or of ``os.path.join(...)``/``Path(...) / ...``, a name assigned a literal in
the same file (bound only there), or ``args.<name>`` whose ``add_argument("--<name>",
default=...)`` is a literal. What counts as writing: ``torch.save``/``np.save``/``joblib.dump``, a
``save_pretrained``/``save_model``/``save_checkpoint``/``save_state`` method,
``open(path, "w"/"a"/"x")`` of a checkpoint, data or log file (or of any file inside
a folder), ``os.makedirs``/``os.mkdir``/``Path(...).mkdir()``, and the folders trackers
write by default when the code uses them: ``runs/`` (a ``SummaryWriter`` without
``log_dir``), ``wandb/``, ``mlruns/``, ``lightning_logs/`` (a Lightning ``Trainer``
without ``default_root_dir``), ``outputs/`` and ``multirun/`` (``@hydra.main``), and
the ``log_dir``/``output_dir``/``save_dir``/``dir`` a tracker or trainer is given.
Absolute paths, ``~``, URLs and paths leaving the project (``../``) are not outputs
of the project. The rule decides on the whole path and reports its top-level entry:
``checkpoints/run1/model.pt`` is reported as ``checkpoints/``, the line a
``.gitignore`` needs.
"""

from __future__ import annotations

import ast
import posixpath
from typing import Any

from mlready.hooks.context import FileContext

_SAVERS = frozenset({"torch.save", "numpy.save", "numpy.savez", "numpy.savez_compressed",
                     "joblib.dump", "safetensors.torch.save_file", "np.save", "np.savez"})
_SAVE_METHODS = frozenset({"save_pretrained", "save_model", "save_checkpoint", "save_state",
                           "save_weights"})
_MAKEDIRS = frozenset({"os.makedirs", "os.mkdir", "pathlib.Path.mkdir"})
_OUTPUT_SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".npy", ".npz", ".pkl",
                    ".pickle", ".h5", ".hdf5", ".joblib", ".onnx", ".log", ".tfevents")
_DIR_KEYWORDS = ("log_dir", "logdir", "output_dir", "save_dir", "default_root_dir", "dir",
                 "save_path", "checkpoint_dir", "ckpt_dir", "root_dir")
# Tracker constructors -> (the keyword naming their folder, the default folder).
_TRACKER_DIRS: dict[str, tuple[str, str | None]] = {
    "torch.utils.tensorboard.SummaryWriter": ("log_dir", "runs/"),
    "tensorboardX.SummaryWriter": ("logdir", "runs/"),
    "wandb.init": ("dir", "wandb/"),
    "lightning.pytorch.Trainer": ("default_root_dir", "lightning_logs/"),
    "pytorch_lightning.Trainer": ("default_root_dir", "lightning_logs/"),
    "lightning.Trainer": ("default_root_dir", "lightning_logs/"),
    "transformers.TrainingArguments": ("output_dir", None),
}


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


class _Paths:
    """Literal values the file's names and ``args.<option>`` stand for."""

    def __init__(self, ctx: FileContext) -> None:
        self.names: dict[str, str] = {}
        self.options: dict[str, str] = {}
        stores: dict[str, int] = {}  # a name bound more than once may hold anything
        for name in ctx.nodes(ast.Name):
            if not isinstance(name.ctx, ast.Load):
                stores[name.id] = stores.get(name.id, 0) + 1
        for node in ctx.nodes(ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and \
                    stores.get(node.targets[0].id) == 1 and \
                    isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                self.names[node.targets[0].id] = node.value.value
        for call in ctx.nodes(ast.Call):
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument"):
                continue
            flags = [a.value for a in call.args
                     if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            default = next((k.value for k in call.keywords if k.arg == "default"), None)
            dest = next((k.value for k in call.keywords if k.arg == "dest"), None)
            if isinstance(default, ast.Constant) and isinstance(default.value, str) and flags:
                option = (dest.value if isinstance(dest, ast.Constant) and
                          isinstance(dest.value, str) else _dest(next(
                              (f for f in flags if f.startswith("--")), flags[0])))
                self.options.setdefault(option, default.value)

    def text(self, node: ast.expr | None) -> tuple[str, str] | None:
        """(the literal path, how it ends) or None: ``whole`` (the literal is the path),
        ``folder`` (more names follow: ``os.path.join(lit, ...)``, ``Path(lit) / x``),
        ``prefix`` (the literal start of an f-string: its last name is unfinished)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, "whole"
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value, "prefix"
            return None
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id], "whole"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.attr in self.options:
            return self.options[node.attr], "whole"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # Path("a") / "b"
            left = self.text(node.left)
            return (left[0], "folder") if left and left[1] != "prefix" else None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("join", "Path", "PurePath", "PosixPath"):
                start = self.text(node.args[0])
                if start is not None and start[1] != "prefix" and len(node.args) > 1:
                    return start[0], "folder"
                return start
        return None


def relative_output(path: str) -> list[str] | None:
    """The names of a relative output path (``./ckpt//a`` -> ``["ckpt", "a"]``), or
    None for a path outside the project (absolute, ``~``, a URL, ``../``)."""
    path = path.strip()
    if not path or path.startswith(("/", "~", "$", "\\")) or "://" in path or ":" in path[:3]:
        return None
    parts = [p for p in posixpath.normpath(path.replace("\\", "/")).split("/") if p != "."]
    if not parts or parts[0] in ("..", "") or "{" in parts[0] or "%" in parts[0]:
        return None
    return parts


def collect(ctx: FileContext) -> list[list[Any]]:
    """[path, is a folder, line, col, what writes it] for every output the file writes
    (the path as far as the code spells it, root-relative)."""
    paths = _Paths(ctx)
    found: list[list[Any]] = []

    def add(node: ast.expr, value: tuple[str, str] | None, folder: bool, how: str) -> None:
        if value is None:
            return
        text, ends = value
        if ends == "prefix":  # f"ckpt/step_{n}.pt": the folder is known, not the name
            text, _, _ = text.rpartition("/")
            folder = True
        folder = folder or ends == "folder" or text.endswith(("/", "\\"))
        parts = relative_output(text)
        if parts is not None:
            found.append(["/".join(parts), folder, node.lineno, node.col_offset + 1, how])

    for call in ctx.nodes(ast.Call):
        qualname = ctx.resolver.qualname(call.func) or ""
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else ""
        if qualname in _SAVERS:
            target = call.args[1] if qualname == "torch.save" and len(call.args) > 1 else (
                call.args[0] if call.args and qualname != "torch.save" else None)
            add(call, paths.text(target), False, qualname.rsplit(".", 1)[-1]
                if qualname != "torch.save" else "torch.save")
        elif method in _SAVE_METHODS and call.args:
            add(call, paths.text(call.args[0]), method != "save_checkpoint", method)
        elif qualname in _MAKEDIRS or method == "mkdir":
            target = call.args[0] if call.args else (
                func.value if isinstance(func, ast.Attribute) else None)
            add(call, paths.text(target), True, qualname or method)
        elif qualname == "open" and len(call.args) >= 2:
            mode = call.args[1]
            text = paths.text(call.args[0])
            if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and \
                    set(mode.value) & set("wax") and text is not None and (
                    "/" in text[0].strip("/") or text[0].endswith(_OUTPUT_SUFFIXES)):
                add(call, text, False, "open")
        elif qualname in _TRACKER_DIRS:
            keyword, default = _TRACKER_DIRS[qualname]
            given = next((k.value for k in call.keywords if k.arg == keyword), None)
            if given is None and call.args and keyword in ("log_dir", "logdir", "output_dir"):
                given = call.args[0]
            splat = any(k.arg is None for k in call.keywords)  # **kwargs may name it
            custom_logger = qualname.endswith("Trainer") and any(
                k.arg == "logger" for k in call.keywords)
            if given is not None:
                add(call, paths.text(given), True, qualname.rsplit(".", 1)[-1])
            elif default is not None and not splat and not custom_logger:
                add(call, (default, "whole"), True, qualname.rsplit(".", 1)[-1])
        elif qualname.startswith("mlflow.") and qualname.rsplit(".", 1)[-1] in (
                "start_run", "log_metric", "log_metrics", "autolog"):
            add(call, ("mlruns/", "whole"), True, qualname)
    for node in ctx.nodes(ast.FunctionDef):
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ctx.resolver.qualname(target) == "hydra.main":
                add(decorator, ("outputs/", "whole"), True, "@hydra.main")
    return found
