"""The training loop: build everything from the config, optionally resume, train, checkpoint.

The loop tracks its data position as (epoch, batches consumed in that epoch) next to the
global step; the sampler's order and the loader's generator are functions of it. So a
run stopped after N steps and resumed to 2N replays exactly the batches, dropout masks
and updates of an uninterrupted 2N-step run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from charlm import checkpoint, data, distributed, metrics, seeding
from charlm.config import Config
from charlm.distributed import DistContext
from charlm.model import CharMLP, loss_fn, parameter_count


@dataclasses.dataclass
class Position:
    """Where the run is: the global step and the place in the data stream."""

    step: int = 0
    epoch: int = 0
    batch: int = 0  # batches of ``epoch`` already consumed (may equal the epoch length)


def build_optimizer(
    model: nn.Module, cfg: Config
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW with a linear warm-up whose horizon comes from the config (not --max-steps)."""
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=cfg.optim.lr,
        betas=(cfg.optim.beta1, cfg.optim.beta2),
        weight_decay=cfg.optim.weight_decay,
    )
    scheduler = torch.optim.lr_scheduler.LinearLR(
        optimizer, start_factor=cfg.optim.warmup_start_factor, total_iters=cfg.optim.warmup_steps
    )
    return optimizer, scheduler


def train_step(
    model: nn.Module,
    batch: list[torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    cfg: Config,
    device: torch.device,
) -> torch.Tensor:
    """One optimisation step on one batch; returns the detached batch loss."""
    inputs, targets = (t.to(device, non_blocking=True) for t in batch)
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(inputs), targets)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
    optimizer.step()
    scheduler.step()
    return loss.detach()


def save_checkpoint(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    position: Position,
    cfg: Config,
    ctx: DistContext,
    out_dir: Path,
) -> None:
    """Gather every rank's RNG state, then let rank 0 alone write the checkpoint."""
    rng_by_rank = distributed.gather_to_all(seeding.capture_rng_state(), ctx)
    if ctx.is_main:
        data_state: dict[str, Any] = {"epoch": position.epoch, "batch": position.batch}
        state = checkpoint.capture(
            model, optimizer, scheduler, position.step, data_state, rng_by_rank, cfg.to_dict()
        )
        checkpoint.save(state, out_dir)
    distributed.barrier(ctx)


def resume(
    path: str | Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    ctx: DistContext,
) -> Position:
    """Restore training state and RNG streams from ``path``; return where to continue."""
    state = checkpoint.load(path)
    checkpoint.restore(state, model, optimizer, scheduler)
    seeding.restore_rng_state(checkpoint.rng_for_rank(state, ctx.rank, ctx.world_size))
    return Position(step=state["step"], epoch=state["data"]["epoch"], batch=state["data"]["batch"])


def run(cfg: Config, ctx: DistContext, out_dir: Path, resume_from: str | None) -> list[float]:
    """Train until the global step reaches ``cfg.train.max_steps``; return this run's losses."""
    train_set, _, vocab = data.build_datasets(cfg.data)
    model = CharMLP(len(vocab), cfg.data.context, cfg.model).to(ctx.device)
    optimizer, scheduler = build_optimizer(model, cfg)
    generator = seeding.make_generator(cfg.train.seed)
    sampler = data.ResumableSampler(
        train_set, ctx.world_size, ctx.rank, cfg.train.seed, cfg.data.batch_size
    )
    position = Position()
    if resume_from:
        position = resume(resume_from, model, optimizer, scheduler, ctx)
    if ctx.is_main:
        metrics.log_info(
            f"parameters {parameter_count(model)} vocab {len(vocab)} from step {position.step}"
        )
    net: nn.Module = DistributedDataParallel(model) if ctx.is_distributed else model
    loader = data.make_loader(
        train_set, sampler, cfg.data, generator, pin_memory=ctx.device.type == "cuda"
    )
    per_epoch = data.batches_per_epoch(sampler)
    losses: list[float] = []
    net.train()
    while position.step < cfg.train.max_steps:
        if position.batch >= per_epoch:  # the epoch is used up: start the next one
            position.epoch += 1
            position.batch = 0
        data.start_epoch(sampler, generator, position.epoch, position.batch)
        for batch in loader:
            loss = train_step(net, batch, optimizer, scheduler, cfg, ctx.device)
            position.step += 1
            position.batch += 1
            mean_loss = distributed.mean_across_ranks(loss, ctx)
            losses.append(mean_loss)
            if ctx.is_main:
                metrics.log_step(position.step, mean_loss, scheduler.get_last_lr()[0])
            if position.step >= cfg.train.max_steps:
                break
            if cfg.train.save_every and position.step % cfg.train.save_every == 0:
                save_checkpoint(model, optimizer, scheduler, position, cfg, ctx, out_dir)
    save_checkpoint(model, optimizer, scheduler, position, cfg, ctx, out_dir)
    return losses
