"""A DataLoader for clip datasets that is safe to start after OpenCV has been used."""

from __future__ import annotations

from torch.utils.data import DataLoader, Dataset, Sampler

from vosbench.system.devices import is_cuda
from vosbench.system.processes import process_context


def clip_loader(
    dataset: Dataset,
    batch_size: int = 4,
    workers: int = 2,
    shuffle: bool = True,
    device: str = "cpu",
    drop_last: bool = True,
    persistent: bool = True,
    batch_sampler: Sampler[list[int]] | None = None,
) -> DataLoader:
    """Batches of clips, decoded by ``workers`` processes.

    Workers start from a fork server (:func:`~vosbench.system.processes.process_context`), not by
    forking this process. With ``batch_sampler`` (the trainer's, which fixes each
    iteration's positions) the batches are its; otherwise ``batch_size`` clips, shuffled.
    Workers persist across epochs (start-up costs about a second each).
    """
    batching: dict = (
        {"batch_sampler": batch_sampler}
        if batch_sampler is not None
        else {"batch_size": batch_size, "shuffle": shuffle, "drop_last": drop_last}
    )
    return DataLoader(
        dataset,
        num_workers=workers,
        pin_memory=is_cuda(device),
        multiprocessing_context=process_context() if workers > 0 else None,
        persistent_workers=persistent and workers > 0,
        **batching,
    )
