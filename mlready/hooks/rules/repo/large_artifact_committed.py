"""MLR612 `large-artifact-committed`: a large file or a model/data file in git itself.

## What it does
Reports each file git tracks (read from the index, in a commit hook the one git is
committing: `mlready.hooks.rules.repo.tracked`) that is larger than ``max-file-size-mb`` (10 MB),
and each model or data file (``*.pt``, ``*.pth``, ``*.ckpt``, ``*.safetensors``,
``*.bin``, ``*.onnx``, ``*.npy``, ``*.npz``, ``*.h5``, ``*.hdf5``, ``*.pkl``,
``*.pickle``, ``*.joblib``, ``*.parquet``) of at least ``artifact-min-kb`` (100 KB),
outside test folders, unless a ``.gitattributes`` of the project routes it to Git LFS
(``filter=lfs``). Files DVC tracks are not in git, so they are never reported. Outside
a git work tree, the model and data files that the first ``git add -A`` would take
(on disk, not ignored) are reported instead, as "at least" the size floor: only that
much of each is read. Each finding is on the file itself, with its size.

Off by default: the corpus of real projects was filtered to source files, so it holds
no such file and the precision could not be judged against the 95% bar.

## Why is this bad?
Git keeps every version of every committed file forever: a 500 MB checkpoint makes
each clone 500 MB larger even after it is deleted, diffs of binary files mean
nothing, and hosting services reject files over their limits. Weights belong in a
model registry, Git LFS, DVC or a release asset, referenced by the code.

## Example
```text
checkpoints/best.pt    # 240 MB, committed
```

## Use instead
```text
checkpoints/best.pt.dvc    # `dvc add checkpoints/best.pt`; or `git lfs track "*.pt"`
```

## Options
- `max-file-size-mb` (default 10): any committed file above this size is reported.
- `artifact-min-kb` (default 100): model and data files from this size on are reported.

## References
- Research Code Production-Readiness Checklist: "Checkpointing & Model Versioning"
  and "Production Deployment" (model versioning strategy; model registry)
- [Git LFS](https://git-lfs.com/)
- [DVC: Versioning data and models](https://dvc.org/doc/use-cases/versioning-data-and-models)
"""

from __future__ import annotations

from collections.abc import Iterator

from mlready.hooks.context import ProjectContext
from mlready.hooks.model import ALL_KINDS, Diagnostic
from mlready.hooks.paths import is_test_path
from mlready.hooks.rules.repo.gitignore import MAX_BYTES, parse
from mlready.hooks.rules.repo.project import folders
from mlready.hooks.rules.repo.tracked import git_dir, tracked

CODE = "MLR612"
SEVERITY = "warning"
NAME = "large-artifact-committed"
# Any committed path may be reported (a JSON vocabulary, a checkpoint): a run naming any
# file runs the rule, as a run of the whole project does.
KINDS = ALL_KINDS
DEFAULT = False
ARTIFACTS = (".pt", ".pth", ".ckpt", ".safetensors", ".bin", ".onnx", ".npy", ".npz", ".h5",
             ".hdf5", ".pkl", ".pickle", ".joblib", ".parquet")
MB = 1024 * 1024


def _lfs(project: ProjectContext) -> list[str]:
    """The patterns ``.gitattributes`` files of the project route to Git LFS."""
    patterns: list[str] = []
    for folder in reversed(folders(project)):
        data = project.disk.read(folder / ".gitattributes", MAX_BYTES)
        for line in (data or b"").decode("utf-8", "replace").splitlines():
            fields = line.split()
            if len(fields) > 1 and "filter=lfs" in fields[1:]:
                patterns.append(fields[0])
    return patterns


def _in_lfs(path: str, lfs: list[str]) -> bool:
    return any(p.regex.match(path) for p in parse("\n".join(lfs)))


def _size(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size / 1024:.0f} KB"


def finalize(project: ProjectContext) -> Iterator[Diagnostic]:
    options = project.options
    limit_mb = float(options.get("max-file-size-mb", 10))
    limit = int(limit_mb * MB)
    floor = int(float(options.get("artifact-min-kb", 100)) * 1024)
    lfs = _lfs(project)
    top = folders(project)[-1]
    in_git = git_dir(project, top) is not None
    for path, size in tracked(project, top, ARTIFACTS, floor):
        artifact = path.lower().endswith(ARTIFACTS) and size >= floor \
            and not is_test_path(path)
        if not (artifact or size > limit) or _in_lfs(path, lfs):
            continue
        if not in_git:  # sizes read only up to just past the floor (`tracked`)
            message = (f"`{path}`: model or data file of at least {_size(floor)} that "
                       "`git add -A` would commit to git itself, not to Git LFS or DVC")
        elif artifact:
            message = (f"`{path}`: model or data file of {_size(size)} committed to git "
                       "itself, not to Git LFS or DVC")
        else:
            message = (f"`{path}`: file of {_size(size)} committed to git itself, not to Git "
                       f"LFS or DVC (over `max-file-size-mb` = {limit_mb:g})")
        yield project.diagnostic(
            path, 1, 1, CODE, message,
            fix="remove it from git (`git rm --cached`), ignore it, and track it with DVC or "
                "Git LFS, or publish it as a release asset")
