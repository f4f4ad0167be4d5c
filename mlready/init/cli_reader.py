"""A training script's command-line interface, read from its syntax tree.

`read` finds the options a script accepts without running it: argparse
``add_argument`` calls (in the script or in a project module it imports, as
``get_args()`` helpers do), click options, typer / fire / tyro functions and dataclasses
(their parameters or fields become flags), absl ``DEFINE_*`` flags, Hugging Face
``HfArgumentParser`` / ``TrlParser`` dataclasses (plus the ``TrainingArguments`` flags
every such script has), and Hydra's YAML config (keys become ``key=value`` overrides).
`from_help` reads the flags out of a ``--help`` text instead, for parsers built in
ways the tree does not show. Mapping options to the runner's placeholders is
`mlready.init.flags`' job; this module only says what is there.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from mlready.hooks.calls import keyword

_NO_VALUE_ACTIONS = {"store_true", "store_false", "count", "help", "version", "store_const",
                     "BooleanOptionalAction"}
# What every HfArgumentParser/TrlParser script accepts through transformers'
# TrainingArguments, whose source is not in the project.
_HF_TRAINING_FLAGS = ("--max_steps", "--num_train_epochs", "--seed", "--output_dir",
                      "--resume_from_checkpoint", "--use_cpu", "--logging_steps",
                      "--report_to", "--save_steps")


@dataclass(frozen=True)
class Option:
    """One option: its spelling on the command line and whether it takes a value."""

    flag: str  # "--max-steps", or a Hydra override key such as "trainer.max_steps"
    takes_value: bool = True
    required: bool = False
    default: str | None = None
    metavar: str | None = None  # argparse's metavar: "STEPS" says what the value counts
    help: str | None = None  # the option's help text, when a literal string
    # Keyword names the script passes the parsed value as (``ppo(steps_per_epoch=
    # args.steps)``): what the value means to the code, whatever the flag is called.
    passed_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Interface:
    """What a script accepts: ``style`` "flags" (``--x value``) or "overrides" (Hydra's
    ``key=value``), its options, and positional arguments it requires."""

    framework: str
    options: tuple[Option, ...] = ()
    style: str = "flags"
    positionals: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def flag(self, name: str) -> Option | None:
        return next((o for o in self.options if o.flag == name), None)


def _call_name(node: ast.AST) -> str:
    """``parser.add_argument`` -> ``add_argument``; ``tyro.cli`` -> ``tyro.cli``."""
    if isinstance(node, ast.Attribute):
        base = _call_name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _call_name(node.func)
    return ""


def _const(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and node.value is not None:
        return str(node.value)
    return None


def _dash(name: str) -> str:
    return "--" + name.replace("_", "-")


def _argparse(tree: ast.AST) -> Iterator[Option | str]:
    """Options of ``add_argument`` calls; a required positional is yielded as its name."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node.func).endswith("add_argument")):
            continue
        names = [a.value for a in node.args
                 if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if not names:
            continue
        action = keyword(node, "action")
        action_name = _const(action) or (_call_name(action) if action is not None else "")
        default = _const(keyword(node, "default"))
        longs = [n for n in names if n.startswith("--")]
        if not longs:
            if not names[0].startswith("-"):
                nargs = _const(keyword(node, "nargs"))
                if nargs not in ("?", "*") and keyword(node, "default") is None:
                    yield names[0]
            continue
        required = isinstance(keyword(node, "required"), ast.Constant) and bool(
            getattr(keyword(node, "required"), "value", False))
        takes_value = action_name.rpartition(".")[2] not in _NO_VALUE_ACTIONS
        metavar, text = _const(keyword(node, "metavar")), _const(keyword(node, "help"))
        for name in longs:
            yield Option(name, takes_value, required, default, metavar, text)


def _click(tree: ast.AST) -> Iterator[Option | str]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        texts = [a.value for a in node.args
                 if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if name.endswith(("click.option", "cloup.option")) or name == "option":
            flag_like = keyword(node, "is_flag")
            is_flag = isinstance(flag_like, ast.Constant) and bool(flag_like.value)
            for text in texts:
                for part in text.split("/"):
                    if part.startswith("--"):
                        yield Option(part.strip(), takes_value=not is_flag and "/" not in text,
                                     default=_const(keyword(node, "default")))
        elif name.endswith("click.argument") and texts and keyword(node, "default") is None \
                and keyword(node, "required") is None:
            yield texts[0]


def _function_params(fn: ast.FunctionDef | ast.AsyncFunctionDef, *, dashes: bool,
                     positional_without_default: bool) -> Iterator[Option | str]:
    """The flags a function-driven CLI (typer, fire, tyro) makes of the parameters."""
    args = fn.args
    plain = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(plain) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = [*zip(plain, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults,
                                                      strict=True)]
    for arg, default in pairs:
        if arg.arg in ("self", "cls"):
            continue
        flag = _dash(arg.arg) if dashes else "--" + arg.arg
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        is_option_call = isinstance(default, ast.Call) and "Option" in _call_name(default)
        if default is None and positional_without_default:
            yield arg.arg
            continue
        is_bool = annotation == "bool" or (isinstance(default, ast.Constant)
                                          and isinstance(default.value, bool))
        yield Option(flag, takes_value=not is_bool, required=default is None and not
                     is_option_call, default=_const(default))


def _dataclass_fields(cls: ast.ClassDef, *, dashes: bool) -> Iterator[Option]:
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and not stmt.target.id.startswith("_"):
            annotation = ast.unparse(stmt.annotation)
            if annotation.startswith("ClassVar"):
                continue
            name = stmt.target.id
            yield Option(_dash(name) if dashes else "--" + name,
                         takes_value=annotation not in ("bool", "Optional[bool]"),
                         required=stmt.value is None, default=_const(stmt.value))


def _definitions(trees: Mapping[str, ast.Module]) -> dict[str, ast.AST]:
    """Top-level functions and classes of every file, by name (last definition wins)."""
    found: dict[str, ast.AST] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found.setdefault(node.name, node)
    return found


def _target_of(call: ast.Call) -> str:
    return _call_name(call.args[0]) if call.args else ""


def _hydra(tree: ast.Module, script: Path) -> Interface | None:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node.func).endswith("hydra.main")):
            continue
        folder = _const(keyword(node, "config_path")) or ""
        name = _const(keyword(node, "config_name")) or "config"
        path = script.parent / folder / f"{name.removesuffix('.yaml')}.yaml"
        options: list[Option] = []
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            text, data = "", None
        if isinstance(data, dict):
            comments = _yaml_comments(text)
            options = [Option(key, default=None if value is None else str(value),
                              required=value == "???", help=comments.get(key))
                       for key, value in _leaves(data, "")]
        return Interface("hydra", tuple(options), style="overrides")
    return None


_YAML_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s|$)")
_INLINE_COMMENT = re.compile(r"\s#\s*(?P<text>.*?)\s*$")


def _yaml_comments(text: str) -> dict[str, str]:
    """The comment written for each dotted key of a YAML config: the comment lines right
    above the key (its help in a Hydra config, as argparse's ``help=``), else the one
    after its value on the same line. Only the first comment line above counts (later
    ones go on to say how to use it: "(e.g. if batch_size=4 ...)"); block scalars and
    flow mappings are not followed, so a key inside one gets no help."""
    lines = text.splitlines()
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the mappings the line is in
    above: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = _YAML_KEY.match(line)
        if match is None:
            above = []
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        dotted = ".".join([*(key for _, key in stack), match["key"]])
        stack.append((indent, match["key"]))
        inline = _INLINE_COMMENT.search(line[match.end():])
        text = above[0] if above else (inline["text"] if inline else "")
        if text:
            found[dotted] = text
        above = []
    return found


def _leaves(data: Mapping[object, object], prefix: str) -> Iterator[tuple[str, object]]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, dotted + ".")
        elif not isinstance(value, list):
            yield dotted, value


def _imported_files(tree: ast.Module, path: str, trees: Mapping[str, ast.Module]) -> list[str]:
    """Project files the script imports (``from pkg.arguments import get_args``)."""
    by_module: dict[str, str] = {}
    for rel in trees:
        dotted = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        by_module[dotted] = rel
        if dotted.startswith("src."):
            by_module[dotted.removeprefix("src.")] = rel
    package = path.rpartition("/")[0].replace("/", ".")
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                keep = parts[:len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join([*keep, base] if base else keep)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        for name in names:
            for candidate in (name, name.rpartition(".")[0]):
                module_file = by_module.get(candidate)
                if module_file is not None and module_file != path and module_file not in found:
                    found.append(module_file)
    return found


def read(root: Path, path: str, trees: Mapping[str, ast.Module]) -> Interface:
    """The interface of the script at ``path`` (relative to ``root``)."""
    tree = trees.get(path)
    if tree is None:
        return Interface("none")
    hydra = _hydra(tree, root / path)
    if hydra is not None:
        return hydra
    definitions = _definitions({path: tree, **{rel: trees[rel] for rel in
                                               _imported_files(tree, path, trees)}})
    found: list[Option | str] = []
    framework = "none"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        target = definitions.get(_target_of(node).rpartition(".")[2])
        if name.endswith(("tyro.cli", "tyro.extras.subcommand_cli_from_dict")) or (
                name.endswith(("fire.Fire", "typer.run")) and target is not None):
            framework = name.split(".")[0]
            dashes = framework in ("tyro", "typer")
            if isinstance(target, ast.FunctionDef | ast.AsyncFunctionDef):
                found += _function_params(target, dashes=dashes,
                                          positional_without_default=framework == "typer")
            elif isinstance(target, ast.ClassDef):
                found += _dataclass_fields(target, dashes=dashes)
        elif name.endswith(("HfArgumentParser", "TrlParser")):
            framework = "transformers"
            found += [Option(flag) for flag in _HF_TRAINING_FLAGS]
            classes = [node.args[0]] if node.args else []
            if classes and isinstance(classes[0], ast.Tuple | ast.List):
                classes = list(classes[0].elts)
            for cls in classes:
                definition = definitions.get(_call_name(cls))
                if isinstance(definition, ast.ClassDef):
                    found += _dataclass_fields(definition, dashes=False)
        elif name.endswith(("flags.DEFINE_integer", "flags.DEFINE_string", "flags.DEFINE_float",
                            "flags.DEFINE_bool", "flags.DEFINE_boolean")) and node.args:
            flag = _const(node.args[0])
            if flag:
                framework = "absl"
                found.append(Option("--" + flag, takes_value="bool" not in name))
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        if any(_call_name(d).endswith(".command") for d in fn.decorator_list) and \
                any("typer" in _call_name(d) or "app" in _call_name(d)
                    for d in fn.decorator_list) and "typer" in ast.unparse(tree)[:5000]:
            framework = "typer"
            found += _function_params(fn, dashes=True, positional_without_default=True)
    sources = [tree, *(trees[rel] for rel in _imported_files(tree, path, trees))]
    for source in sources:
        from_argparse, from_click = list(_argparse(source)), list(_click(source))
        parsed = [*from_argparse, *from_click]
        if parsed and framework == "none":
            framework = "argparse" if from_argparse else "click"
        found += parsed
        if parsed:
            break  # the first module that declares options is the parser
    options = tuple({o.flag: o for o in reversed([o for o in found
                                                  if isinstance(o, Option)])}.values())[::-1]
    positionals = tuple(dict.fromkeys(o for o in found if isinstance(o, str)))
    if framework == "argparse":
        options = _with_uses(tree, options)
    return Interface(framework, options, positionals=positionals)


def _with_uses(tree: ast.Module, options: tuple[Option, ...]) -> tuple[Option, ...]:
    """``options`` with the keywords the script passes each parsed value as: a call's
    ``name=args.dest`` in the script's own tree (argparse's dest is the flag with its
    dashes folded to underscores)."""
    uses: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg and isinstance(kw.value, ast.Attribute):
                    uses.setdefault(kw.value.attr, []).append(kw.arg)
    out: list[Option] = []
    for option in options:
        names = uses.get(option.flag.lstrip("-").replace("-", "_"), [])
        out.append(replace(option, passed_as=tuple(dict.fromkeys(names))) if names
                   else option)
    return tuple(out)


_HELP_FLAG = re.compile(r"(?<![\w-])(--[A-Za-z][\w.-]*)(?:[ =]([A-Z][A-Z0-9_]*|<\w+>|\{[^}]*\}|"
                        r"[A-Z]+\b))?")


def from_help(text: str) -> Interface:
    """The flags a ``--help`` output lists; a flag followed by a metavar takes a value."""
    options: dict[str, Option] = {}
    for match in _HELP_FLAG.finditer(text):
        flag = match.group(1).rstrip(".")
        if flag in ("--help", "--version"):
            continue
        # The usage line names a flag first; its own line in the options list, later,
        # carries its description (what the rest of that line says).
        line_start = text.rfind("\n", 0, match.start()) + 1
        rest = text[match.end():].partition("\n")[0].strip()
        own_line = not text[line_start:match.start()].strip()
        described = rest if own_line and rest and not rest.startswith(("-", ",")) else None
        seen = options.get(flag)
        if seen is not None:
            if described and seen.help is None:
                options[flag] = Option(flag, seen.takes_value, metavar=seen.metavar,
                                       help=described)
            continue
        options[flag] = Option(flag, takes_value=match.group(2) is not None,
                               metavar=match.group(2), help=described)
    return Interface("help", tuple(options.values()))
