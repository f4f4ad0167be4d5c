"""MLR602 `readme-missing-usage`: the README never says how to install or run the project.

## What it does
Reports the project's README (found as for MLR601 `missing-readme`) when it holds no
sign of instructions at all: no code block (a Markdown fence or indented block after
a blank line, a reStructuredText ``::`` literal block or ``code-block`` directive, an
HTML ``<pre>`` or ``<code>``), no line or inline code span that is a command
(``pip install``, ``python train.py``, ``conda``, ``uv``, ``torchrun``, ``make``,
``docker``, ...), no heading such as
*Installation*, *Usage*, *Quick start*, *Getting started*, *Training*, *Evaluation* or
*Examples*, and no link to instructions kept elsewhere (a line with a link that
mentions documentation, docs, a wiki, a guide, installation, usage or a tutorial).
An empty README is reported too.

A README with some instructions is then checked against the checklist's four parts,
and the message names each one it lacks: *install instructions* (an install command
such as ``pip install``/``conda env create``/``uv sync``, an Installation or
Requirements heading, or prose naming the requirements), a *usage example* (a code
block or a Usage/Quick start/Examples heading), a *training command* (a command or code
line that trains, ``python train.py``, ``.fit(``, ``.learn(``, any ``python script.py``
of a one-script project, or a Training heading) and *evaluation instructions* (an
evaluate, test, sample, generate or inference command or heading; a Results table is
not one). A README that points to documentation kept elsewhere (a docs link) passes:
the instructions live there.
The finding is reported on line 1 of the README itself (on the project root, ``.``,
when the README lives above it); like MLR601 it is shown when the whole project is
checked.

## Why is this bad?
A README that only describes the project leaves every reader to discover the entry
point, the config it wants and the install steps by trial and error; the command that
produced the reported numbers is lost with its author.

## Example
```markdown
# charlm

A character-level language model.
```

## Use instead
````markdown
# charlm

A character-level language model.

## Usage

```bash
pip install -r requirements.txt
python train.py --config configs/default.yaml --out runs/a
```
````

## References
- [Papers with Code: ML code completeness checklist](https://github.com/paperswithcode/releasing-research-code)
- [Make a README](https://www.makeareadme.com/)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlready.hooks import patterns
from mlready.hooks.context import ProjectContext
from mlready.hooks.model import Diagnostic
from mlready.hooks.rules.docs import readme as _readme

CODE = "MLR602"
SEVERITY = "warning"
NAME = "readme-missing-usage"
KINDS = (*_readme.KINDS, "other")  # `other`: the README itself, when a run names it

collect = _readme.collect


_FENCE = patterns.compile(r"^ {0,3}(```|~~~)|<pre\b|<code\b", re.IGNORECASE)
_RST_BLOCK = patterns.compile(r"^\s*\.\. (code-block|code|sourcecode|highlight)::|::\s*$")
_COMMAND = (r"(?:\$ |> )?(?:pip3? install|python3? |python -m|conda |mamba |uv |poetry |pipx "
            r"|make\b|bash |sh |\./|torchrun |accelerate launch|deepspeed |docker |git clone "
            r"|srun |sbatch |mlready |pytest\b|jupyter )")
_COMMAND_LINE = patterns.compile(r"^\s*" + _COMMAND)
# From a run's first backtick: linear.
_INLINE_COMMAND = patterns.compile(r"(?<!`)`++\s*+" + _COMMAND)
_HEADING_WORDS = patterns.compile(
    r"\b(install(ation|ing)?|set ?up|usage|quick ?start|getting started|how to (use|run)"
    r"|running|run|train(ing)?|evaluat(e|ion|ing)|inference|examples?|tutorials?"
    r"|reproduc(e|ing|tion|ibility)|commands?|requirements)\b", re.IGNORECASE)
# Linear: a tag ends at the next `<`, a heading at the next heading tag.
_HTML_HEADING = patterns.compile(r"<h[1-6][^<>]*+>((?:[^<]++|<(?!/?h[1-6]))*+)</h[1-6]>",
                                 re.IGNORECASE)
_SETEXT = patterns.compile(r"^\s*([=\-~^\"'`#*+])\1{2,}\s*$")
_LINK = patterns.compile(r"https?://|\]\(|\]:\s|`_")
_POINTER_WORDS = patterns.compile(
    r"\bdoc(s|umentation)?\b|readthedocs|\.github\.io|more information|\bwiki\b|install"
    r"|usage|quick ?start|getting started|tutorial|\bguide\b", re.IGNORECASE)


def _heading_texts(lines: list[str]) -> Iterator[str]:
    """Markdown ATX and setext headings, bold-only lines, reStructuredText titles, HTML
    ``<h1>``-``<h6>``."""
    for number, line in enumerate(lines):
        stripped = line.strip()
        yield from _HTML_HEADING.findall(stripped)
        if stripped.startswith("#"):
            yield stripped.lstrip("#")
        elif stripped.startswith(("**", "__")) and stripped.endswith(("**", "__", ":")):
            yield stripped.strip("*_:")
        elif stripped and number + 1 < len(lines) and _SETEXT.match(lines[number + 1]):
            yield stripped


_LIST_ITEM = patterns.compile(r"\s{0,3}([-*+]|\d+[.)])\s")


def _has_code_block(lines: list[str]) -> bool:
    previous_blank = True
    in_list = False  # an indented paragraph after a list item continues the item
    for line in lines:
        if _FENCE.match(line) or _RST_BLOCK.search(line):
            return True
        indented = line.startswith(("    ", "\t"))
        if line.strip() and not indented:
            in_list = bool(_LIST_ITEM.match(line))
        elif indented and line.strip() and previous_blank and not in_list \
                and not _LIST_ITEM.match(line.strip() + " "):
            return True
        previous_blank = not line.strip()
    return False


def has_instructions(text: str) -> bool:
    """Whether a README shows any install, usage or training instruction at all."""
    lines = text.splitlines()
    if _has_code_block(lines):
        return True
    for line in lines:
        if _COMMAND_LINE.match(line) or _INLINE_COMMAND.search(line):
            return True
        if _LINK.search(line) and _POINTER_WORDS.search(line):
            return True  # instructions elsewhere: "see the documentation", a docs link
    return any(_HEADING_WORDS.search(heading) for heading in _heading_texts(lines))


_INSTALL = patterns.compile(
    r"\b(pip3? install|conda (env )?(create|install|update)|mamba (env )?(create|install)"
    r"|uv (sync|add|pip install|venv)|poetry install|pipenv install|pixi install"
    r"|docker (build|pull|run)|setup\.py (install|develop))\b", re.IGNORECASE)
_INSTALL_HEADING = patterns.compile(
    r"\b(install(ation|ing)?|set ?up|requirements|dependenc(y|ies)|environment|prerequisites"
    r"|getting started|quick ?start)\b", re.IGNORECASE)
_TRAIN = patterns.compile(
    r"\b(train(ing|er)?|fine-?tun(e|ing)|pre-?train(ing)?|finetune|reproduc(e|ing|tion))\b"
    r"|train[_\w]*\.py|\.(fit|learn|train)\(", re.IGNORECASE)
_EVALUATE = patterns.compile(
    r"\b(eval(uat(e|ion|ing))?|test(ing)?|inference|sampl(e|es|ing)|generat(e|ion|ing)"
    r"|benchmark(s|ing)?|predict(ion|ions)?|enjoy|play|visuali[sz](e|ation))\b"
    r"|eval[_\w]*\.py|\.(predict|evaluate)\(|evaluate_policy",
    re.IGNORECASE)
_REQUIREMENT_PROSE = patterns.compile(
    r"\b(requirements?|dependenc(y|ies)|prerequisites?|requires|install(ed|ing)?)\b",
    re.IGNORECASE)
_RUN_COMMAND = patterns.compile(
    r"(python3?\s+(-m\s+\S+|\S+\.py)|torchrun|accelerate launch|deepspeed|sbatch|srun"
    r"|lightning run|\bmake\s+\w+)", re.IGNORECASE)
_EXAMPLE_HEADING = patterns.compile(
    r"\b(usage|quick ?start|getting started|how to (use|run)|examples?|tutorials?|running"
    r"|run)\b", re.IGNORECASE)


def _code_lines(lines: list[str]) -> list[str]:
    """Lines of fenced, indented and ``<pre>`` blocks, and inline code spans."""
    found: list[str] = []
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or line.startswith(("    ", "\t")) or _COMMAND_LINE.match(line):
            found.append(line)
        found += re.findall(r"`([^`]+)`", line)
    return found


def missing_parts(text: str) -> list[str]:
    """What the checklist asks of a README and this one lacks: install instructions, a
    usage example, a training command, evaluation instructions. A README that points
    to documentation kept elsewhere lacks nothing it can be blamed for here."""
    lines = text.splitlines()
    if any(_LINK.search(line) and _POINTER_WORDS.search(line) for line in lines):
        return []
    headings = list(_heading_texts(lines))
    code = _code_lines(lines)
    missing = []
    if not (any(_INSTALL.search(line) for line in code + lines)
            or any(_INSTALL_HEADING.search(h) for h in headings)
            or any(_REQUIREMENT_PROSE.search(line) for line in lines)):
        missing.append("install instructions")
    if not (code or any(_EXAMPLE_HEADING.search(h) for h in headings)):
        missing.append("usage example")
    # A one-script project trains by running its script: any run command shows it.
    if not (any(_TRAIN.search(line) or _RUN_COMMAND.search(line) for line in code)
            or any(_TRAIN.search(h) for h in headings)):
        missing.append("training command")
    if not (any(_EVALUATE.search(line) for line in code)
            or any(_EVALUATE.search(h) for h in headings)):
        missing.append("evaluation instructions")
    return missing


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    if not _readme.documentable(project):
        return
    readme = _readme.find(project)
    text = _readme.read(project, readme) if readme is not None else None
    if readme is None or text is None:
        return
    name = _readme.display(readme, project.root)
    if not text.strip():
        what = "is empty"
    elif not has_instructions(text):
        what = "has no install or usage instructions (no code block, command or Usage section)"
    else:
        missing = missing_parts(text)
        if not missing:
            return
        what = f"has no {_listed(missing)}"
    yield project.diagnostic(
        _readme.anchor(project, readme), 1, 1, CODE, f"`{name}`: the README {what}",
        fix="add a Usage section with the install, train and evaluate commands in a "
            "fenced code block")
