"""``python -m mlready.hooks.rules --write`` regenerates the rule index; ``--check``
exits 1 when it is stale (after adding a rule or changing a rule's metadata)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlready.hooks.rules import index_source

INDEX = Path(__file__).with_name("_index.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlready.hooks.rules",
                                     description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="rewrite the index")
    group.add_argument("--check", action="store_true", help="exit 1 when it is stale")
    args = parser.parse_args(argv)
    text = index_source()
    current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else ""
    if args.write:
        if text != current:
            INDEX.write_text(text, encoding="utf-8")
            print(f"wrote {INDEX}")
        return 0
    if text != current:
        print(f"{INDEX} is stale: run `python -m mlready.hooks.rules --write`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
