"""A DataLoader for clip datasets that is safe to start after OpenCV has been used."""

from __future__ import annotations

import multiprocessing

import torch
from torch.utils.data import DataLoader, Dataset


def clip_loader(
    dataset: Dataset,
    batch_size: int = 4,
    workers: int = 2,
    shuffle: bool = True,
    device: str = "cpu",
    drop_last: bool = True,
    persistent: bool = True,
) -> DataLoader:
    """Batches of clips, decoded by ``workers`` processes.

    Workers start from a fork server, not by forking this process: a process forked while
    OpenCV's thread pool is running (after any cv2 call, e.g. generating the demo data) can
    hang in the child. Workers persist across epochs (start-up costs about a second each).
    """
    context = None
    if workers > 0:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=workers,
        shuffle=shuffle,
        drop_last=drop_last,
        pin_memory=torch.device(device).type == "cuda",
        multiprocessing_context=context,
        persistent_workers=persistent and workers > 0,
    )
