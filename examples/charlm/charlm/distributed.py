"""torchrun/DDP plumbing: one process when ``WORLD_SIZE`` is unset, a process group otherwise.

Keeping this in one module lets the training loop ask simple questions (am I rank 0?
what is the mean loss across ranks?) without sprinkling ``torch.distributed`` calls.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
from typing import Any

import torch
from torch import distributed as dist

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def add_device_option(parser: argparse.ArgumentParser) -> None:
    """``--device``, shared by train.py and evaluate.py; `mlready run` sets ``MLREADY_DEVICE``."""
    parser.add_argument(
        "--device",
        default=os.environ.get("MLREADY_DEVICE", "auto"),
        choices=DEVICE_CHOICES,
        help="auto picks CUDA when available (default: $MLREADY_DEVICE or auto)",
    )


@dataclasses.dataclass(frozen=True)
class DistContext:
    """Where this process sits in the job and which device it computes on."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes checkpoints, metrics and stdout logs."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        """True under torchrun with more than one process."""
        return self.world_size > 1


def resolve_device(choice: str, local_rank: int) -> torch.device:
    """``auto`` picks CUDA when present; under torchrun each rank takes its local GPU."""
    if choice not in DEVICE_CHOICES:
        raise ValueError(f"--device must be one of {', '.join(DEVICE_CHOICES)}, got {choice!r}")
    use_cuda = choice == "cuda" or (choice == "auto" and torch.cuda.is_available())
    if not use_cuda:
        return torch.device("cpu")
    index = local_rank % max(torch.cuda.device_count(), 1)
    torch.cuda.set_device(index)
    return torch.device("cuda", index)


def setup(device_choice: str) -> DistContext:
    """Read torchrun's environment, pick the device and join the process group if needed.

    gloo serves CPU runs (any machine, including CI), nccl serves GPU runs.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_choice, local_rank)
    if world_size > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, rank=rank, world_size=world_size)
    return DistContext(rank=rank, world_size=world_size, local_rank=local_rank, device=device)


def set_cpu_threads(num_threads: int) -> None:
    """Cap torch's intra-op CPU threads (0: leave torch's default of one per core).

    For a model this small, extra threads only add synchronisation: on a busy 2-core CI
    machine one thread per process is several times faster than two.
    """
    if num_threads > 0:
        torch.set_num_threads(num_threads)


def teardown(ctx: DistContext) -> None:
    """Leave the process group cleanly so torchrun does not report a hang."""
    if ctx.is_distributed and dist.is_initialized():
        dist.destroy_process_group()


def mean_across_ranks(value: torch.Tensor, ctx: DistContext) -> float:
    """The mean of a scalar over all ranks (the value itself in a single process)."""
    if not ctx.is_distributed:
        return float(value)
    total = value.detach().clone()
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return float(total) / ctx.world_size


def gather_to_all(obj: Any, ctx: DistContext) -> list[Any]:
    """Every rank's ``obj``, indexed by rank (``[obj]`` in a single process).

    ``obj`` may hold only what ``torch.load(weights_only=True)`` accepts. Unlike
    ``dist.all_gather_object`` this needs no NumPy and never unpickles arbitrary objects.
    """
    if not ctx.is_distributed:
        return [obj]
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    payload = torch.frombuffer(bytearray(buffer.getvalue()), dtype=torch.uint8).to(ctx.device)
    size = torch.tensor([payload.numel()], device=ctx.device)
    sizes = [torch.zeros_like(size) for _ in range(ctx.world_size)]
    dist.all_gather(sizes, size)
    longest = int(max(sizes))
    padded = torch.zeros(longest, dtype=torch.uint8, device=ctx.device)
    padded[: payload.numel()] = payload
    chunks = [torch.empty_like(padded) for _ in range(ctx.world_size)]
    dist.all_gather(chunks, padded)
    return [
        torch.load(io.BytesIO(bytes(chunk[: int(n)].tolist())), weights_only=True)
        for chunk, n in zip(chunks, sizes, strict=True)
    ]


def barrier(ctx: DistContext) -> None:
    """Wait for every rank (no-op in a single process)."""
    if ctx.is_distributed:
        dist.barrier()
