"""``python -m mlready.gpu_runner.checks --write`` regenerates the docs' check tables from
the check declarations; ``--check`` exits 1 when one is stale (after adding a check or
changing what one declares)."""

from __future__ import annotations

import argparse
import sys

from mlready.gpu_runner.checks._docs import render


def generate(write: bool) -> list[str]:
    """The stale docs files (rewritten when ``write``); for a generator of everything."""
    stale = []
    for path, (current, text) in render().items():
        if text != current:
            stale.append(str(path))
            if write:
                path.write_text(text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlready.gpu_runner.checks",
                                     description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="rewrite the check tables")
    group.add_argument("--check", action="store_true", help="exit 1 when one is stale")
    args = parser.parse_args(argv)
    stale = generate(write=args.write)
    for path in stale:
        if args.write:
            print(f"wrote {path}")
        else:
            print(f"{path} is stale: run `python -m mlready.gpu_runner.checks --write`",
                  file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
