"""Config-file references in Python code, for ``missing-config-file`` (MLR110).

``collect`` runs per file and returns JSON facts: every literal path to a config file
that the code reads (``open("configs/x.yaml")``, ``OmegaConf.load(...)``, an argparse
``--config`` default, ``@hydra.main(config_path=..., config_name=...)``...), every path
the file writes or tests for existence, and whether it registers Hydra structured
configs. ``finalize`` then checks each reference against ``ProjectContext.files``, so
the rule itself never touches the disk.

Precision rules of thumb: only literals (no f-strings, no ``%``/``{}`` templates, no
globs, no ``~`` or ``$VAR``), no absolute paths or URLs, no path that leaves the
project; a path that the project writes somewhere, that the code checks with
``exists()``/``isfile()``, or that is read inside ``try: ... except
FileNotFoundError`` is optional, not missing.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Sequence
from typing import Any

from mlready.hooks import patterns
from mlready.hooks.calls import keyword
from mlready.hooks.context import FileContext
from mlready.records import NamedTuple

CONFIG_EXTENSIONS = (".yaml", ".yml", ".json", ".toml")
# A .json file opened with plain open() is as often data or results as config: only
# names that say "config" count there. YAML/TOML files read by literal path are configs.


_CONFIGISH = patterns.compile(r"conf|cfg|hparam|hyper|param|setting|experiment|recipe", re.I)
_OUTPUTISH = patterns.compile(r"out|save|dump|export|write|log", re.I)
_OPTION_NAME = patterns.compile(r"conf|cfg|hparam|param|setting|recipe", re.I)
_TEMPLATE = patterns.compile(r"[{}%*?$~<>|\\]|://")


# Folders of downloaded or produced artifacts: a model's config.json under pretrained/
# or checkpoints/ arrives with the weights, it is not an experiment config to commit.


_ARTIFACT_DIR = patterns.compile(
    r"^(checkpoints?|ckpts?|pretrained\w*|weights|outputs?|runs|logs?|wandb|mlruns|"
    r"lightning_logs|data|datasets?|\.?cache|models?|results|artifacts|saved\w*|"
    r"downloads?|tmp|temp)$", re.IGNORECASE)
OPEN_FUNCTIONS = frozenset({"open", "io.open", "builtins.open", "codecs.open"})
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})
# Callables whose first argument (or ``path=``-like keyword) is a config file to read.
LOADERS = frozenset({
    "omegaconf.OmegaConf.load", "mmengine.Config.fromfile", "mmengine.config.Config.fromfile",
    "mmcv.Config.fromfile", "mmcv.utils.Config.fromfile", "toml.load",
    "gin.parse_config_file", "hydra.utils.instantiate_yaml",
})
# Methods on instances we cannot resolve, matched by name (HfArgumentParser).
LOADER_METHODS = frozenset({"parse_yaml_file", "parse_json_file"})
EXISTS_FUNCTIONS = frozenset({"os.path.exists", "os.path.isfile", "os.access"})
EXISTS_METHODS = frozenset({"exists", "is_file"})
WRITE_FUNCTIONS = frozenset({"omegaconf.OmegaConf.save", "shutil.copy", "shutil.copyfile",
                             "shutil.copy2", "shutil.move", "os.rename", "os.replace"})
WRITE_METHODS = frozenset({"write_text", "write_bytes", "touch", "dump"})
OPTIONAL_ERRORS = frozenset({"FileNotFoundError", "OSError", "IOError", "Exception",
                             "EnvironmentError", "BaseException"})

_PREFILTER = (".yaml", ".yml", ".json", ".toml", "config_path", "config_name", "ConfigStore")


class Ref(NamedTuple):
    """A literal path read as a config file; ``anchor`` says what it is relative to.

    ``anchor`` is ``"any"`` (the project root, or the script's folder or one of its
    parents: scripts run from there) or ``"file"`` (the code anchors it on
    ``__file__``; Hydra's ``config_path`` is always relative to the file).
    ``kind`` is ``"file"``, ``"dir"`` (Hydra's ``config_path``) or ``"name"`` (Hydra's
    ``config_name``, which a ``ConfigStore`` entry may provide instead of a file).
    """

    line: int
    col: int
    end_line: int
    end_col: int
    path: str
    anchor: str
    kind: str
    construct: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "col": self.col, "end_line": self.end_line,
                "end_col": self.end_col, "path": self.path, "anchor": self.anchor,
                "kind": self.kind, "construct": self.construct}


# --- path expressions ----------------------------------------------------------------


def _is_file_dunder(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "__file__"


def _file_dir_depth(ctx: FileContext, node: ast.AST) -> int | None:
    """``os.path.dirname(__file__)`` or ``Path(__file__).parent`` -> 0; each further
    ``.parent``/``dirname`` -> +1; anything else -> None."""
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = node.value
        if isinstance(inner, ast.Attribute) and inner.attr == "parent":
            depth = _file_dir_depth(ctx, inner)
            return None if depth is None else depth + 1
        return 0 if _is_path_of_file(ctx, inner) else None
    if isinstance(node, ast.Call) and ctx.resolver.qualname(node.func) == "os.path.dirname" \
            and len(node.args) == 1:
        arg = node.args[0]
        if _is_file_dunder(arg) or _is_abspath_of_file(ctx, arg):
            return 0
        depth = _file_dir_depth(ctx, arg)
        return None if depth is None else depth + 1
    return None


def _is_abspath_of_file(ctx: FileContext, node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and len(node.args) == 1 and _is_file_dunder(node.args[0])
            and ctx.resolver.qualname(node.func) in ("os.path.abspath", "os.path.realpath"))


def _is_path_of_file(ctx: FileContext, node: ast.AST) -> bool:
    """``Path(__file__)``, ``Path(__file__).resolve()``, ``.absolute()``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in ("resolve", "absolute") and not node.args:
        return _is_path_of_file(ctx, node.func.value)
    return (isinstance(node, ast.Call) and len(node.args) == 1 and _is_file_dunder(node.args[0])
            and ctx.resolver.qualname(node.func) in PATH_CLASSES)


def path_of(ctx: FileContext, node: ast.AST) -> tuple[str, str] | None:
    """A literal path expression as (path, anchor), or None when it is not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, "any"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        right = node.right
        if not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
            return None
        depth = _file_dir_depth(ctx, node.left)
        if depth is not None:
            return posixpath.join(*([".."] * depth), right.value), "file"
        left = path_of(ctx, node.left)
        return None if left is None else (posixpath.join(left[0], right.value), left[1])
    if not isinstance(node, ast.Call):
        return None
    qualname = ctx.resolver.qualname(node.func)
    if qualname in PATH_CLASSES and len(node.args) == 1 and not node.keywords:
        return path_of(ctx, node.args[0])
    if qualname == "os.path.join" and node.args and not node.keywords:
        return _join(ctx, node.args)
    return None


def _join(ctx: FileContext, args: Sequence[ast.expr]) -> tuple[str, str] | None:
    anchor, parts = "any", []
    depth = _file_dir_depth(ctx, args[0])
    if depth is not None:
        anchor, parts, args = "file", [".."] * depth, args[1:]
    for arg in args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return None
        parts.append(arg.value)
    return (posixpath.join(*parts), anchor) if parts else None


def usable(path: str) -> bool:
    """A relative, literal, non-templated path outside artifact folders."""
    if not path or path.startswith("/") or _TEMPLATE.search(path) \
            or re.match(r"^[A-Za-z]:", path):
        return False
    return not any(_ARTIFACT_DIR.match(part) for part in path.split("/")[:-1])


def is_config_path(path: str, strict: bool) -> bool:
    """Has a config extension; with ``strict`` (plain ``open``), a .json must say config."""
    lower = path.lower()
    if not lower.endswith(CONFIG_EXTENSIONS):
        return False
    return not (strict and lower.endswith(".json") and not _CONFIGISH.search(path))


# --- the per-file pass -------------------------------------------------------------


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _open_mode(call: ast.Call, position: int) -> str:
    node = call.args[position] if len(call.args) > position else keyword(call, "mode")
    return _string(node) or "r"


def _writes(mode: str) -> bool:
    return any(flag in mode for flag in "wax+")


class _Collector:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.refs: list[Ref] = []
        self.written: set[str] = set()
        self.checked: set[str] = set()
        self.configstore = False
        self.guarded: list[tuple[tuple[int, int], tuple[int, int]]] = [
            ((t.lineno, t.col_offset), (t.end_lineno or 0, t.end_col_offset or 0))
            for t in ctx.nodes(ast.Try) if _catches_missing(t)
        ]

    def run(self) -> None:
        for call in self.ctx.nodes(ast.Call):
            self._call(call)

    def _ref(self, node: ast.AST, construct: str, *, strict: bool, kind: str = "file",
             path: tuple[str, str] | None = None) -> None:
        found = path or path_of(self.ctx, node)
        if found is None or not usable(found[0]):
            return
        if kind != "dir" and not is_config_path(found[0], strict):
            return
        if self._in_guard(node):
            return
        line = getattr(node, "lineno", 1)
        col = self.ctx.column(line, getattr(node, "col_offset", 0))
        end_line = getattr(node, "end_lineno", None) or line
        end_col = self.ctx.column(end_line, getattr(node, "end_col_offset", 0) or 0)
        self.refs.append(Ref(line, col, end_line, end_col, found[0], found[1], kind, construct))

    def _in_guard(self, node: ast.AST) -> bool:
        here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        return any(start <= here <= end for start, end in self.guarded)

    def _mark(self, into: set[str], node: ast.AST | None) -> None:
        found = path_of(self.ctx, node) if node is not None else None
        if found is not None:
            into.add(posixpath.normpath(found[0]))

    def _call(self, call: ast.Call) -> None:
        func = call.func
        qualname = self.ctx.resolver.qualname(func) or ""
        attr = func.attr if isinstance(func, ast.Attribute) else ""
        first = call.args[0] if call.args else None
        if qualname in OPEN_FUNCTIONS and first is not None:
            if _writes(_open_mode(call, 1)):
                self._mark(self.written, first)
            else:
                self._ref(first, f"{qualname}({self._text(first)})", strict=True)
        elif qualname in LOADERS or attr in LOADER_METHODS:
            target = first if first is not None else keyword(call, "json_file") \
                or keyword(call, "yaml_file")
            if target is not None:
                name = qualname if qualname in LOADERS else f"{self._text(func)}"
                self._ref(target, f"{name}({self._text(target)})", strict=False)
        elif qualname in ("hydra.main", "hydra.initialize", "hydra.experimental.initialize"):
            self._hydra(call, qualname)
        elif attr == "add_argument" or qualname == "click.option":
            self._option(call, qualname if qualname == "click.option" else self._text(func))
        elif attr in ("read_text", "read_bytes", "open") and isinstance(func, ast.Attribute):
            self._path_method(call, func)
        elif qualname in EXISTS_FUNCTIONS and first is not None:
            self._mark(self.checked, first)
        elif attr in EXISTS_METHODS and isinstance(func, ast.Attribute):
            self._mark(self.checked, func.value)
        elif qualname in WRITE_FUNCTIONS and len(call.args) >= 2:
            self._mark(self.written, call.args[1])
        elif attr in WRITE_METHODS and isinstance(func, ast.Attribute):
            self._mark(self.written, func.value)
        if "ConfigStore" in qualname:
            self.configstore = True

    def _path_method(self, call: ast.Call, func: ast.Attribute) -> None:
        receiver = func.value
        if not (isinstance(receiver, ast.Call | ast.BinOp) and path_of(self.ctx, receiver)):
            return
        if func.attr == "open" and _writes(_open_mode(call, 0)):
            self._mark(self.written, receiver)
            return
        self._ref(receiver, f"{self._text(receiver)}.{func.attr}()", strict=True)

    def _option(self, call: ast.Call, callee: str) -> None:
        names = [s for s in (_string(a) for a in call.args) if s is not None]
        dest = _string(keyword(call, "dest"))
        if dest:
            names.append(dest)
        if not any(_OPTION_NAME.search(n) for n in names) or any(
                _OUTPUTISH.search(n) for n in names):
            return
        default = keyword(call, "default")
        if default is not None:
            shown = ", ".join(f'"{n}"' for n in names[:1])
            self._ref(default, f"{callee}({shown}, default={self._text(default)})",
                      strict=False)

    def _hydra(self, call: ast.Call, qualname: str) -> None:
        path_node = keyword(call, "config_path")
        if path_node is None and qualname == "hydra.main" and call.args:
            path_node = call.args[0]
        base = _string(path_node)
        if path_node is None or base is None or not usable(base) or base.startswith("pkg:"):
            return
        name_node = keyword(call, "config_name")
        name = _string(name_node)
        shown = f'config_path="{base}"' + (f', config_name="{name}"' if name else "")
        construct = f"{qualname}({shown})"
        self._ref(path_node, construct, strict=False, kind="dir", path=(base, "file"))
        if name_node is not None and name is not None and usable(name):
            file = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
            # "name": a Hydra config name, which a ConfigStore entry may satisfy instead.
            self._ref(name_node, construct, strict=False, kind="name",
                      path=(posixpath.join(base, file), "file"))

    def _text(self, node: ast.AST) -> str:
        """The node as written when it sits on one line, else its unparsed form."""
        line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
        if line and line == end and line <= len(self.ctx.lines):
            raw = self.ctx.lines[line - 1].encode()
            text = raw[getattr(node, "col_offset", 0):getattr(node, "end_col_offset", 0)]
            if text:
                return text.decode(errors="replace")
        return ast.unparse(node)


def _catches_missing(node: ast.Try) -> bool:
    for handler in node.handlers:
        kinds = handler.type
        names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds else []
        if handler.type is None or any(
                isinstance(n, ast.Name | ast.Attribute) and
                (n.id if isinstance(n, ast.Name) else n.attr) in OPTIONAL_ERRORS for n in names):
            return True
    return False


def collect(ctx: FileContext) -> dict[str, Any] | None:
    """This file's config references, written and existence-checked paths (JSON)."""
    if ctx.tree is None or not any(word in ctx.source for word in _PREFILTER):
        return None
    collector = _Collector(ctx)
    collector.run()
    if not (collector.refs or collector.written or collector.checked or collector.configstore):
        return None
    return {
        "refs": [ref.to_json() for ref in collector.refs],
        "written": sorted(collector.written),
        "checked": sorted(collector.checked),
        "configstore": collector.configstore,
    }


# --- project-level resolution ----------------------------------------------------------


def candidates(file: str, path: str, anchor: str) -> Iterator[str]:
    """Where a path may point: the file's folder, then (``any``) each parent up to the root."""
    folder = posixpath.dirname(file)
    bases = [folder]
    if anchor == "any":
        while folder:
            folder = posixpath.dirname(folder)
            bases.append(folder)
    for base in bases:
        joined = posixpath.normpath(posixpath.join(base, path)) if base else \
            posixpath.normpath(path)
        if not joined.startswith(".."):
            yield joined
