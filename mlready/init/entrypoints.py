"""Which scripts of a project train, ranked by how likely a short CPU run of them works.

The candidates are the static half's own entrypoints (`mlready.hooks.rules.seeds.
entries`): files with a ``__main__`` block, and scripts without one whose top level
trains, followed through the project's calls (a ``tyro.cli(main)`` or an
``accelerator.backward`` loop in a helper counts). Only those whose flow trains are kept,
so a ``model.py`` shape check or a plotting script is never proposed. Reusing that
analysis, not a file-name search, is what finds ``main.py``, no-guard scripts and
accelerate scripts that ``train*.py`` globbing missed.

Ranking prefers, in order: a script that can run on a CPU (no ``assert
torch.cuda.is_available()``, no FP8 or NCCL-only code on every path, or a device flag to
choose: the DDP branch of a script that picks ``cpu`` otherwise does not count), a
name that says it trains over one that says it benchmarks, profiles, samples or
evaluates, a command line that has a steps flag, and a shallower path.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from mlready.hooks import discovery, parsing
from mlready.hooks.context import FileContext
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.seeds import units
from mlready.hooks.rules.seeds.entries import EntryGraph
from mlready.hooks.rules.seeds.facts import GUARD_UNIT
from mlready.hooks.syntax import is_main_guard

_MAX_FILE_BYTES = 2_000_000
_TRAIN_NAME = re.compile(r"train|main|fit|learn|pretrain|finetune|sft|dpo|ppo|run", re.I)
_AUX_NAME = re.compile(r"bench|profil|sample|eval|test|demo|enjoy|visuali[sz]e|plot|"
                       r"export|convert|download|prepare|infer|generate|play|debug", re.I)
# Code that cannot run without a GPU, whatever flags are given.
_GPU_ONLY = re.compile(
    r"assert\s+torch\.cuda\.is_available\(\)|float8|\bfp8\b|transformer_engine|"
    r"init_process_group\(\s*(?:backend\s*=\s*)?['\"]nccl['\"]|\bapex\b|flash_attn|"
    r"torch\.cuda\.set_device\(", re.I)
_CUDA = re.compile(r"\.cuda\(|['\"]cuda['\"]|device\s*=\s*['\"]cuda")
_OPTIONAL_IMPORT = re.compile(r"\b(?:ImportError|ModuleNotFoundError)\b")
_CPU = re.compile(r"['\"]cpu['\"]|is_available\(\)")


@dataclass(frozen=True)
class Candidate:
    """A training script: its path from the project root and what ranks it."""

    path: str
    guard: bool  # has a ``__main__`` block; False: its top level trains
    gpu_only: bool  # code that needs a GPU whatever the flags
    cuda: bool  # uses CUDA somewhere (a device flag or an `is_available` may pick CPU)
    aux: bool  # named like a benchmark, sampler, evaluation...
    traced: bool = True  # False: a guarded ``train*.py`` whose training the graph missed

    def rank(self, has_steps_flag: bool, cpu_ok: bool) -> tuple[int, int, int, int, int, int, str]:
        """Smaller is better; see the module docstring for the order."""
        trains_by_name = bool(_TRAIN_NAME.search(Path(self.path).stem))
        return (int(not cpu_ok), int(not self.traced), int(self.aux), int(not trains_by_name),
                int(not has_steps_flag), self.path.count("/"), self.path)


def _optional_lines(tree: ast.Module) -> set[int]:
    """Lines that run only on some paths: the bodies of an ``if`` (the ``__main__`` guard
    excepted, it always runs), exception handlers, the body of a ``try`` that falls back
    when an import fails (``try: import flash_attn``), and docstrings."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        bodies: list[list[ast.stmt]] = []
        if isinstance(node, ast.If) and not is_main_guard(node):
            bodies = [node.body, node.orelse]
        elif isinstance(node, ast.Try | ast.TryStar):
            bodies = [h.body for h in node.handlers]
            if any(_OPTIONAL_IMPORT.search(ast.unparse(h.type)) for h in node.handlers
                   if h.type is not None):
                bodies += [node.body, node.orelse]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            bodies = [[node]]
        for stmt in (stmt for body in bodies for stmt in body):
            lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _comment_lines(source: str) -> set[int]:
    """Lines whose GPU-only text may be a comment (a ``# assert torch.cuda...`` left
    behind); a line that cannot be tokenised is assumed to be code."""
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


def gpu_only(tree: ast.Module | None, source: str) -> bool:
    """Whether code that needs a GPU runs on every path: an ``assert
    torch.cuda.is_available()`` inside ``if ddp:`` (llm.c's ``train_gpt2.py``, which
    picks ``cpu`` otherwise) or a ``try: import flash_attn`` does not make the script
    GPU-only; the same line at the top of ``main()`` does."""
    matches = list(_GPU_ONLY.finditer(source))
    if not matches or tree is None:
        return bool(matches)
    optional = _optional_lines(tree)
    comments = _comment_lines(source)
    starts = [0, *(i + 1 for i, ch in enumerate(source) if ch == "\n")]
    for match in matches:
        line = bisect.bisect_right(starts, match.start())
        if line in optional:
            continue
        if line in comments and "#" in source[starts[line - 1]:match.start()]:
            continue
        return True
    return False


def python_files(root: Path) -> list[str]:
    """The project's Python files as the static half sees them (git-tracked when in a
    repository, default excludes applied), tests left out."""
    files = discovery.discover(root, [root], discovery.DEFAULT_EXCLUDES)
    return [f.path for f in files if f.kind == "python" and not is_test_path(f.path)
            and not f.path.startswith("/")]


def _context(root: Path, rel: str) -> FileContext | None:
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return None
    if len(data) > _MAX_FILE_BYTES:
        return None
    parsed = parsing.parse(rel, "python", data, root, {"python"}, _MAX_FILE_BYTES)
    ctx = parsed.contexts[0] if parsed.contexts else None
    return ctx if ctx is not None and ctx.tree is not None else None


def find(root: Path) -> tuple[list[Candidate], dict[str, ast.Module]]:
    """The project's training scripts (unranked) and the parsed tree of every file, which
    the command-line reader needs to follow a parser built in another module."""
    contexts = {rel: ctx for rel in python_files(root)
                if (ctx := _context(root, rel)) is not None}
    facts = {rel: units.collect(ctx) for rel, ctx in contexts.items()}
    graph = EntryGraph(facts)
    found: dict[str, Candidate] = {}
    for entry in graph.entries(frozenset(facts)):
        if entry.notebook or entry.path in found or entry.summary.runs is None:
            continue
        guard = entry.label == GUARD_UNIT
        if not guard and entry.label != Path(entry.path).name:
            continue  # a training function: run by its file's own __main__, if any
        source = contexts[entry.path].source
        found[entry.path] = Candidate(
            path=entry.path, guard=guard, gpu_only=gpu_only(contexts[entry.path].tree, source),
            cuda=entry.summary.cuda is not None or bool(_CUDA.search(source)),
            aux=bool(_AUX_NAME.search(Path(entry.path).stem)))
    for rel, ctx in contexts.items():  # dispatch the graph cannot follow (getattr, hydra)
        name = Path(rel).stem
        if rel not in found and name.startswith("train") and ctx.tree is not None and any(
                is_main_guard(node) for node in ctx.tree.body):
            found[rel] = Candidate(rel, True, gpu_only(ctx.tree, ctx.source),
                                   bool(_CUDA.search(ctx.source)), False, traced=False)
    trees = {rel: ctx.tree for rel, ctx in contexts.items() if ctx.tree is not None}
    return list(found.values()), trees


def cpu_capable(candidate: Candidate, source: str) -> bool:
    """Whether a CPU run looks possible: no GPU-only code, and any CUDA use sits beside
    a CPU fallback (``"cpu"``, ``torch.cuda.is_available()``)."""
    return not candidate.gpu_only and (not candidate.cuda or bool(_CPU.search(source)))
