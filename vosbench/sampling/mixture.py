"""Several clip datasets concatenated with sampling weights (e.g. YouTube-VOS and DAVIS 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from vosbench.sampling.clip import SeededClips


class MixedClips(SeededClips):
    """Each item comes from dataset ``k`` with probability ``weights[k]`` (normalised).

    Item ``i`` draws the dataset and an index within it from a generator seeded with
    ``(seed, epoch, i)``, so an epoch is reproducible; ``samples`` sets its length.
    """

    def __init__(
        self, datasets: Sequence[Dataset], weights: Sequence[float], samples: int, seed: int = 0
    ) -> None:
        if len(datasets) != len(weights) or not datasets:
            raise ValueError("give one weight per dataset, and at least one dataset")
        w = np.asarray(weights, dtype=float)
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights must be non-negative and not all zero, got {list(weights)}")
        super().__init__(seed, samples)
        self.datasets = list(datasets)
        self.probabilities = w / w.sum()

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch here and in every part that has epochs."""
        super().set_epoch(epoch)
        for d in self.datasets:
            if hasattr(d, "set_epoch"):
                d.set_epoch(epoch)

    def source(self, index: int) -> tuple[int, int]:
        """``(dataset, index within it)`` of item ``index``."""
        rng = self.rng(index, 7)
        k = int(rng.choice(len(self.datasets), p=self.probabilities))
        return k, int(rng.integers(len(self.datasets[k])))  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        k, inner = self.source(index)
        return self.datasets[k][inner]
