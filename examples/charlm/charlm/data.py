"""A generated text corpus, its train/validation split and a resumable data pipeline.

The corpus is made in code (no download, no data files) from a small grammar, so the
example runs anywhere. It is generated with its own seed (``data.corpus_seed``): the
training seed changes initialisation, data order and dropout, never the data itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from charlm.config import DataConfig

# The grammar: "<subject> <verb> <object>. " with words drawn uniformly. Within a word
# the next character is predictable from a few previous ones; at word boundaries it is
# not, which keeps the task honest (accuracy well below 1) yet quick to learn.
SUBJECTS = ("the cat", "a dog", "my bird", "one fox", "her fish")
VERBS = ("sees", "likes", "chases", "hears")
OBJECTS = ("the ball", "a mouse", "some milk", "the moon", "red yarn")


def generate_corpus(n_chars: int, seed: int) -> str:
    """Return at least ``n_chars`` characters of grammar sentences, deterministic in ``seed``."""
    generator = torch.Generator()
    generator.manual_seed(seed)
    parts: list[str] = []
    length = 0
    while length < n_chars:
        words = [
            choices[int(torch.randint(len(choices), (1,), generator=generator))]
            for choices in (SUBJECTS, VERBS, OBJECTS)
        ]
        sentence = " ".join(words) + ". "
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


class Vocabulary:
    """Maps characters to contiguous ids; the sorted alphabet makes ids stable."""

    def __init__(self, text: str) -> None:
        self.chars = "".join(sorted(set(text)))
        self._index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """Character ids of ``text`` as a 1-D int64 tensor."""
        return torch.tensor([self._index[char] for char in text], dtype=torch.long)


def windows(ids: torch.Tensor, context: int) -> TensorDataset:
    """All (``context`` previous ids, next id) pairs of a 1-D id sequence."""
    inputs = ids.unfold(0, context, 1)[:-1]  # (n - context, context)
    targets = ids[context:]
    return TensorDataset(inputs.contiguous(), targets.contiguous())


def build_datasets(cfg: DataConfig) -> tuple[TensorDataset, TensorDataset, Vocabulary]:
    """Generate the corpus and split it into train and validation windows.

    The split is on the character sequence (the tail is validation), not on shuffled
    windows: overlapping windows on both sides would leak validation text into training.
    """
    text = generate_corpus(cfg.corpus_chars, cfg.corpus_seed)
    vocab = Vocabulary(text)
    ids = vocab.encode(text)
    split = int(len(ids) * (1.0 - cfg.val_fraction))
    return windows(ids[:split], cfg.context), windows(ids[split:], cfg.context), vocab


class ResumableSampler(DistributedSampler[int]):
    """`DistributedSampler` that can start an epoch part-way through.

    The permutation of an epoch depends only on ``seed + epoch`` (as in the parent), so
    the position in the data is fully described by (epoch, batches already consumed).
    After a resume, the first epoch skips what the interrupted run had consumed.
    Works without a process group: pass ``num_replicas=1, rank=0``.
    """

    def __init__(
        self, dataset: TensorDataset, num_replicas: int, rank: int, seed: int, batch_size: int
    ) -> None:
        super().__init__(
            dataset, num_replicas=num_replicas, rank=rank, shuffle=True, seed=seed, drop_last=True
        )
        self.batch_size = batch_size
        self.skip_batches = 0

    def set_position(self, epoch: int, batch: int) -> None:
        """Start the next iteration at ``batch`` of ``epoch``."""
        self.set_epoch(epoch)
        self.skip_batches = batch

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        skip, self.skip_batches = self.skip_batches * self.batch_size, 0
        return iter(indices[skip:])

    def __len__(self) -> int:
        return self.num_samples - self.skip_batches * self.batch_size


def make_loader(
    dataset: TensorDataset,
    sampler: ResumableSampler,
    cfg: DataConfig,
    generator: torch.Generator,
    pin_memory: bool,
) -> DataLoader[tuple[torch.Tensor, ...]]:
    """Training loader: order from ``sampler``, worker seeds from ``generator``.

    ``pin_memory`` should be true only when batches go to a GPU (page-locked host memory
    makes the ``non_blocking`` copies asynchronous).
    """
    return DataLoader(
        dataset,
        batch_size=cfg.batch_size,
        sampler=sampler,
        drop_last=True,
        num_workers=cfg.num_workers,
        generator=generator,
        pin_memory=pin_memory,
    )


def start_epoch(
    sampler: ResumableSampler, generator: torch.Generator, epoch: int, batch: int
) -> None:
    """Point the sampler at ``batch`` of ``epoch`` and reseed the loader's generator.

    The loader draws its worker base seed from ``generator`` once per ``iter()``. A
    resumed run starts one extra iterator (mid-epoch), so a generator that merely kept
    running would drift from the uninterrupted run; reseeding from ``seed + epoch`` makes
    its state a function of the data position alone, like the sampler's permutation.
    """
    sampler.set_position(epoch, batch)
    generator.manual_seed(sampler.seed + epoch)


def batches_per_epoch(sampler: ResumableSampler) -> int:
    """Full batches one process sees in an epoch (the last partial batch is dropped)."""
    return sampler.num_samples // sampler.batch_size
