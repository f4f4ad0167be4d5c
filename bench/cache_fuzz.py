"""Random edits on a copy of a real project: every cached run must report what a run
without the cache reports.

    python bench/cache_fuzz.py PROJECT [--edits N] [--seed S] [--racy]

PROJECT is a git repository (a copy: it is edited; make one with
``shared/corpus/make-project.sh NAME``). Each step makes one random edit, of the kinds a
commit makes and of the kinds that fool a stat (a comment appended, a seeding or
training call added, a line deleted, a function added, a file copied or deleted, an
import of another project file, the same bytes rewritten, and a same-size rewrite with
the old modification time put back), then checks, with ``--select ALL``, the edited
file alone (as the pre-commit hook does, with ``--force-exclude``), sometimes a random
other file alone, and sometimes the whole project, once through the cache (the memo,
the project index, the kept cross-file results) and once with ``--no-cache``; any
difference in the findings, metrics or errors is a mismatch, printed with the edit that
preceded it.

The runs are in this process (`mlready.hooks.engine.check`), so the stat-based index is
exercised as a user meets it only if files are old enough to be trusted by their stat:
by default the racy margin (`mlready.hooks.project_index.RACY_NS`) is set to zero, so
that a file edited a moment ago is indexed by its stat at once (the path where a missed
change would hide); ``--racy`` keeps the real margin. A script, not a test: it runs for
minutes on a real project.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlready.hooks import engine, project_index
from mlready.hooks.settings import Overrides

# an edit: what it did, and the file a commit would name (None: a file deleted)
Edit = Callable[[random.Random, Path, list[Path]], tuple[str, Path | None]]

SNIPPETS = (
    "import random\nrandom.random()\n",
    "import numpy as np\nnp.random.seed(0)\n",
    "import torch\ntorch.manual_seed(0)\n",
    "import torch\nx = torch.randn(3)\n",
    "def _fuzz_helper(seed: int) -> None:\n    import random\n    random.seed(seed)\n",
    "def _fuzz_train(model, loader):\n    for batch in loader:\n        print(batch)\n"
    "        model(batch).backward()\n",
    'if __name__ == "__main__":\n    print("run")\n',
    "import wandb\nwandb.init()\n",
    "torch.backends.cudnn.benchmark = True\n",
)


def _append(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    target = rng.choice(files)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# fuzz {rng.randrange(10**6)}\n")
    return f"comment appended to {target.relative_to(root)}", target


def _snippet(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    target = rng.choice(files)
    snippet = rng.choice(SNIPPETS)
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\n\n" + snippet)
    return f"{snippet.splitlines()[0]!r}... appended to {target.relative_to(root)}", target


def _delete_line(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    target = rng.choice(files)
    lines = target.read_text(encoding="utf-8", errors="surrogateescape").splitlines(True)
    if not lines:
        return _append(rng, root, files)
    n = rng.randrange(len(lines))
    del lines[n]
    target.write_text("".join(lines), encoding="utf-8", errors="surrogateescape")
    return f"line {n + 1} deleted from {target.relative_to(root)}", target


def _import_other(rng: random.Random, root: Path, files: list[Path]
                  ) -> tuple[str, Path | None]:
    target, other = rng.choice(files), rng.choice(files)
    module = ".".join(other.relative_to(root).with_suffix("").parts)
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"\nimport {module}\n")
    return f"{target.relative_to(root)} imports {module}", target


def _copy(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    source = rng.choice(files)
    copy = source.with_name(f"fuzz_copy_{rng.randrange(10**6)}.py")
    copy.write_bytes(source.read_bytes())
    files.append(copy)
    return f"{source.relative_to(root)} copied to {copy.relative_to(root)}", copy


def _remove(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    if len(files) < 3:
        return _append(rng, root, files)
    target = rng.choice(files)
    target.unlink()
    files.remove(target)
    return f"{target.relative_to(root)} deleted", None


def _rewrite_same(rng: random.Random, root: Path, files: list[Path]) -> tuple[str, Path | None]:
    target = rng.choice(files)
    target.write_bytes(target.read_bytes())
    return f"{target.relative_to(root)} rewritten with the same bytes", target


def _same_size_same_mtime(rng: random.Random, root: Path, files: list[Path]
                          ) -> tuple[str, Path | None]:
    """Bytes changed in place, size kept, the old modification time put back: only the
    status-change time (or the content) can tell."""
    target = rng.choice(files)
    before = target.stat()
    data = bytearray(target.read_bytes())
    replacement = rng.choice((b"import random\nrandom.seed(1)\n", b"x = 1\n", b"#"))
    if len(data) < len(replacement):
        return _append(rng, root, files)
    start = rng.randrange(len(data) - len(replacement) + 1)
    data[start:start + len(replacement)] = replacement
    with target.open("r+b") as handle:  # in place: the same inode
        handle.write(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    return (f"{target.relative_to(root)}: same size, same mtime, bytes at {start} replaced",
            target)


EDITS: tuple[tuple[Edit, int], ...] = (
    (_append, 4), (_snippet, 5), (_delete_line, 3), (_import_other, 2), (_copy, 1),
    (_remove, 1), (_rewrite_same, 1), (_same_size_same_mtime, 2),
)


def _outcome(paths: list[Path], no_cache: bool) -> Any:
    """What a user sees of a run: findings (with fixes), metrics, errors, files checked."""
    overrides = Overrides(select=["ALL"], no_cache=no_cache, force_exclude=True)
    report = engine.check(paths, overrides)
    return json.loads(json.dumps({
        "diagnostics": [d.to_json() for d in report.diagnostics],
        "metrics": report.metrics, "errors": list(report.errors),
        "files_checked": report.files_checked}, sort_keys=True, default=str))


def _differences(cached: Any, fresh: Any) -> str:
    parts = []
    for key in ("diagnostics", "metrics", "errors", "files_checked"):
        if cached[key] != fresh[key]:
            if key == "diagnostics":
                a = {json.dumps(d, sort_keys=True) for d in cached[key]}
                b = {json.dumps(d, sort_keys=True) for d in fresh[key]}
                parts.append(f"diagnostics: {len(a - b)} only cached {sorted(a - b)[:2]}, "
                             f"{len(b - a)} only uncached {sorted(b - a)[:2]}")
            else:
                parts.append(f"{key} differ")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--racy", action="store_true", help="keep the real racy margin")
    args = parser.parse_args(argv)
    root = args.project.resolve()
    if not (root / ".git").exists():
        print(f"error: {root}: not a git repository (a copy to edit)", file=sys.stderr)
        return 2
    if not args.racy:
        project_index.RACY_NS = 0
    rng = random.Random(args.seed)
    files = sorted(p for p in root.rglob("*.py") if ".git" not in p.parts)
    checks = mismatches = 0
    with tempfile.TemporaryDirectory(prefix="mlready-cache-fuzz-") as cache:
        os.environ["MLREADY_CACHE_DIR"] = cache
        _outcome([root], no_cache=False)  # the cache of the commit before
        for step in range(args.edits):
            edit = rng.choices([e for e, _ in EDITS], [w for _, w in EDITS])[0]
            what, target = edit(rng, root, files)
            runs: list[list[Path]] = [[target or rng.choice(files)]]
            if rng.random() < 0.3:
                runs.append([rng.choice(files)])
            if rng.random() < 0.15 or target is None:
                runs.append([root])
            for paths in runs:
                cached, fresh = _outcome(paths, False), _outcome(paths, True)
                again = _outcome(paths, False)  # answered by the memo this time
                checks += 2
                for label, result in (("cached", cached), ("memo", again)):
                    if result != fresh:
                        mismatches += 1
                        names = ", ".join(str(p.relative_to(root)) or "." for p in paths)
                        print(f"MISMATCH step {step} ({what}); {label} run on {names}: "
                              f"{_differences(result, fresh)}", flush=True)
            print(f"step {step}: {what}", flush=True)
    print(f"{args.edits} edits, {checks} cached runs compared, {mismatches} mismatches "
          f"(racy margin {'kept' if args.racy else 'zero'})")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
