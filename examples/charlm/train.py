"""Train the character-level language model.

    python train.py --config configs/smoke.yaml --max-steps 20 --seed 0 --out runs/a
    python train.py --config configs/smoke.yaml --max-steps 40 --seed 0 --out runs/b \
        --resume-from runs/a/checkpoint.pt
    torchrun --nproc-per-node 2 train.py --config configs/smoke.yaml --out runs/ddp

Every hyper-parameter comes from the YAML config; ``--seed`` and ``--max-steps``
override the config's defaults. The run ends with ``<out>/checkpoint.pt``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from charlm import distributed, metrics
from charlm.config import load_config, with_overrides
from charlm.seeding import seed_everything
from charlm.training import run


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line interface; see the module docstring for examples."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", type=Path, required=True, help="YAML experiment config")
    parser.add_argument("--out", type=Path, required=True, help="directory for checkpoint.pt")
    parser.add_argument("--seed", type=int, default=None, help="overrides train.seed")
    parser.add_argument("--max-steps", type=int, default=None, help="overrides train.max_steps")
    parser.add_argument("--resume-from", default=None, help="checkpoint to continue from")
    distributed.add_device_option(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, set up the (optional) process group, train, and tear down; return an exit code."""
    args = parse_args(argv)
    cfg = with_overrides(load_config(args.config), seed=args.seed, max_steps=args.max_steps)
    ctx = distributed.setup(args.device)
    distributed.set_cpu_threads(cfg.train.num_threads)
    # Each rank gets its own stream (dropout masks must differ across ranks); DDP
    # broadcasts rank 0's initial weights, so the model is identical everywhere anyway.
    seed_everything(cfg.train.seed + ctx.rank, deterministic=cfg.train.deterministic)
    if ctx.is_main:
        metrics.log_info(f"config {cfg.to_dict()} world_size {ctx.world_size} device {ctx.device}")
    try:
        run(cfg, ctx, args.out, args.resume_from)
    finally:
        distributed.teardown(ctx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
