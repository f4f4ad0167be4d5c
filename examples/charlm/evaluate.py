"""Evaluate a checkpoint on the held-out split and write the metrics as JSON.

    python evaluate.py --checkpoint runs/a/checkpoint.pt --output runs/a/metrics.json

The output is one JSON object of numbers: ``val_loss`` and ``perplexity`` (nats-based,
lower is better), ``accuracy`` (next-character, higher is better) and ``step``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from charlm import distributed, metrics
from charlm.evaluation import evaluate_checkpoint, write_metrics
from charlm.seeding import seed_everything


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line interface; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--checkpoint", type=Path, required=True, help="checkpoint.pt to score")
    parser.add_argument("--output", type=Path, required=True, help="where to write metrics JSON")
    parser.add_argument("--seed", type=int, default=0, help="seeds any randomness (none today)")
    distributed.add_device_option(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Score the checkpoint, print the metrics and write them to ``--output``."""
    args = parse_args(argv)
    # Evaluation draws no random numbers today; seeding anyway keeps it deterministic
    # if someone adds sampling-based metrics later.
    seed_everything(args.seed)
    device = distributed.resolve_device(args.device, local_rank=0)
    results = evaluate_checkpoint(args.checkpoint, device)
    write_metrics(results, args.output)
    metrics.log_info(" ".join(f"{key} {value:.6g}" for key, value in sorted(results.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
