"""``python -m mlready.dev generate [--check]`` rebuilds everything derived (the rule
index, the README rules table and hook line); ``python -m mlready.dev new-rule CODE
NAME --family FAMILY`` writes a rule's scaffold. Exit 1: ``--check`` found stale
outputs; exit 2: a usage error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mlready.dev.generate import ROOT, generate
from mlready.dev.new_rule import Scaffold, ScaffoldError, new_rule


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlready.dev", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="rebuild the index, README table and hook line")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 when stale")
    add = commands.add_parser("new-rule", help="write a rule module, fixture and registry entry")
    add.add_argument("code", help="MLR701")
    add.add_argument("name", help="eval-without-no-grad")
    add.add_argument("--family", required=True, help="training (a new family gets a folder)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        changed = generate(check=args.check)
        for path in changed:
            print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(ROOT)}",
                  file=sys.stderr if args.check else sys.stdout)
        if args.check and changed:
            print("run `python -m mlready.dev generate`", file=sys.stderr)
            return 1
        return 0
    try:
        written = new_rule(Scaffold(args.code, args.name, args.family), ROOT)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote: {path.relative_to(ROOT)}")
    print("next: fill in the TODOs, then run `python -m mlready.dev generate`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
