"""Config files that the code reads by a literal path but the project does not have.

## What it does
Finds literal paths to YAML/JSON/TOML config files that Python code reads, and reports
each one that is not in the project: ``open("configs/x.yaml")`` (and
``yaml.safe_load(open(...))``), ``Path("configs/x.yaml").read_text()``,
``OmegaConf.load(...)``, mmengine's ``Config.fromfile(...)``, ``toml.load(...)``,
``HfArgumentParser.parse_yaml_file(...)``, the ``default`` of an argparse/click option
named like a config (``parser.add_argument("--config", default="configs/small.yaml")``),
and Hydra's ``@hydra.main(config_path="conf", config_name="train")`` (the folder
``conf/`` next to the script, and ``conf/train.yaml`` in it). Paths built with
``os.path.join(os.path.dirname(__file__), ...)`` or ``Path(__file__).parent / ...``
are resolved against the file.

A path counts as present when it exists relative to the project root, to the script's
folder or to any folder between them (scripts are run from either).

## Why is this bad?
The default run of the script crashes on a fresh clone, usually after the slow
imports, and the error says nothing about which config was meant. A renamed or
git-ignored config file is the usual cause.

## Example
```python
parser.add_argument("--config", default="configs/smal.yaml")  # configs/small.yaml exists
```

## Use instead
```python
parser.add_argument("--config", default="configs/small.yaml")
```

## Options
- ``include-tests`` (default false, under ``[tool.mlready.config]``): also check tests.

Not findings: f-strings and templates (``{}``, ``%``, ``$VAR``, ``~``), globs, absolute
paths and URLs, paths that leave the project, paths the project writes (``open(p, "w")``,
``OmegaConf.save``, ``write_text``) or tests for (``os.path.exists``, ``.exists()``,
``.is_file()``), reads inside ``try: ... except FileNotFoundError`` (or ``OSError``,
``Exception``), ``.json`` files opened with ``open()`` whose name does not say config
(they are usually data), Hydra ``config_name``s when the project registers structured
configs with ``ConfigStore``, paths under folders of downloaded or produced artifacts
(``pretrained/``, ``checkpoints/``, ``outputs/``, ``runs/``, ``data/``, ``models/``...: a
model's ``config.json`` arrives with its weights), paths under folders mlready
never lists (``.venv``, ``build``, ``env``...), and files that exist under the project's
own ``exclude``/``extend-exclude`` patterns (not checked, but in the project; a
git-ignored config is still reported: a fresh clone does not have it).

## References
- Checklist 001: every ``configs/*.yaml`` named in the training commands must exist.
- https://hydra.cc/docs/tutorials/basic/your_first_app/config_file/
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from mlready.hooks.context import FileContext, ProjectContext
from mlready.hooks.discovery import DEFAULT_EXCLUDES, Excluder
from mlready.hooks.model import Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.config import configrefs

CODE = "MLR110"
NAME = "missing-config-file"
KINDS = ("python",)
_FIX = ("create the file or fix the path (relative to the project root or to this "
        "script's folder)")
_EXCLUDED = frozenset(name for name in DEFAULT_EXCLUDES if "*" not in name)


def collect(ctx: FileContext) -> dict[str, Any] | None:
    if not ctx.options.get("include-tests", False) and is_test_path(ctx.path):
        return None
    return configrefs.collect(ctx)


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    files = frozenset(project.files)
    folders = frozenset(_folders(files))
    optional: set[str] = set()
    configstore = False
    for facts in project.facts.values():
        optional.update(facts.get("written", ()))
        optional.update(facts.get("checked", ()))
        configstore = configstore or bool(facts.get("configstore"))
    for path, facts in sorted(project.facts.items()):
        missing_folders: set[int] = set()
        for ref in facts.get("refs", ()):
            if ref["kind"] == "name" and ref["line"] in missing_folders:
                continue  # its Hydra config_path is already reported
            if _present(path, ref, files, folders, optional, configstore) \
                    or _excluded_but_there(project, path, ref):
                continue
            if ref["kind"] == "dir":
                missing_folders.add(ref["line"])
            yield Diagnostic(path, ref["line"], ref["col"], CODE, _message(path, ref),
                             ref.get("end_line"), ref.get("end_col"), _FIX)


def _folders(files: frozenset[str]) -> Iterator[str]:
    for file in files:
        folder = posixpath.dirname(file)
        while folder:
            yield folder
            folder = posixpath.dirname(folder)


def _present(path: str, ref: Mapping[str, Any], files: frozenset[str],
             folders: frozenset[str], optional: set[str], configstore: bool) -> bool:
    raw = posixpath.normpath(str(ref["path"]))
    if raw in optional or (ref["kind"] == "name" and configstore):
        return True
    places = list(configrefs.candidates(path, str(ref["path"]), str(ref["anchor"])))
    if not places:
        return True  # outside the project: not ours to judge
    if any(part in _EXCLUDED for place in places for part in place.split("/")[:-1]):
        return True  # under a folder mlready never lists
    pool = folders if ref["kind"] == "dir" else files
    return any(place in pool for place in places)


def _excluded_but_there(project: ProjectContext, path: str, ref: Mapping[str, Any]) -> bool:
    """A config under the project's own ``exclude`` patterns is not listed, but it is in
    the project: present when it is on disk. (A git-ignored one is neither listed nor
    excluded, and stays a finding: a fresh clone does not have it.)"""
    if not project.excludes:
        return False
    excluder = Excluder(project.excludes)
    exists = project.disk.is_dir if ref["kind"] == "dir" else project.disk.is_file
    return any(excluder.under(place, "") and exists(project.root / place)
               for place in configrefs.candidates(path, str(ref["path"]), str(ref["anchor"])))


def _message(path: str, ref: Mapping[str, Any]) -> str:
    written = str(ref["path"])
    if ref["anchor"] == "file":
        where = posixpath.normpath(posixpath.join(posixpath.dirname(path), written))
        shown = f"`{where}`"
    else:
        shown = f"`{posixpath.normpath(written)}`"
    what = "config folder" if ref["kind"] == "dir" else "config file"
    return f"`{ref['construct']}`: {what} {shown} is not in the project"
