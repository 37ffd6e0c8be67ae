"""What a training clip is: options, object selection and the tensors handed to the model."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from vosbench.system.devices import is_cuda


@dataclass(frozen=True)
class ClipOptions:
    """How clips are cut and augmented (defaults: the paper's section 3.5)."""

    size: int = 384  # square crop side
    n_frames: int = 3
    max_gap: int = 25  # frames skipped between two sampled frames: 0..max_gap
    max_objects: int = 3  # objects kept per clip (randomly chosen when there are more)
    min_object_pixels: int = 100  # an object smaller than this in the first frame is dropped
    scale_range: tuple[float, float] = (1.0, 1.3)  # resize factor over "short side = size"
    flip: float = 0.5  # probability of a horizontal flip (whole clip)
    jitter: float = 0.1  # brightness, contrast and saturation change, per frame
    attempts: int = 10  # resampling tries before a clip is returned with no object

    def __post_init__(self) -> None:
        if self.size < 16 or self.n_frames < 1 or self.max_objects < 1 or self.max_gap < 0:
            raise ValueError(f"invalid clip options: {self}")


class SeededClips(Dataset):
    """A clip dataset whose item ``i`` is a pure function of (seed, epoch, i); ``len`` is ``samples``."""

    def __init__(self, seed: int, samples: int) -> None:
        self.seed = seed
        self.samples = samples
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw different clips each epoch (the same ones for the same seed and epoch)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return self.samples

    def rng(self, index: int, *stream: int) -> np.random.Generator:
        """The generator of item ``index`` (``stream`` separates independent draws)."""
        return np.random.default_rng([self.seed, self.epoch, index, *stream])


def single_threaded() -> None:
    """OpenCV on one thread inside DataLoader workers: each worker already has its own core."""
    if torch.utils.data.get_worker_info() is not None and cv2.getNumThreads() != 1:
        cv2.setNumThreads(1)


def keep_objects(
    labels: list[np.ndarray], rng: np.random.Generator, options: ClipOptions
) -> tuple[list[np.ndarray], int]:
    """Keep up to ``max_objects`` objects visible in the first frame, renumbered 1..k."""
    counts = np.bincount(labels[0].ravel(), minlength=256)
    visible = [int(i) for i in np.flatnonzero(counts[1:] >= options.min_object_pixels) + 1]
    chosen = [visible[i] for i in rng.permutation(len(visible))[: options.max_objects]]
    table = np.zeros(256, np.uint8)
    for new, old in enumerate(chosen, start=1):
        table[old] = new
    return [table[frame] for frame in labels], len(chosen)


def colour_jitter(image: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Random saturation, contrast and brightness change of an RGB ``uint8`` image.

    Done in ``uint8`` with OpenCV's saturating arithmetic: several times faster than floats,
    and the loss of precision is below what the JPEG frames carry anyway.
    """
    if strength <= 0:
        return image
    brightness, contrast, saturation = rng.uniform(1 - strength, 1 + strength, 3)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    mean = float(gray.mean())
    out = cv2.addWeighted(image, saturation, cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), 1 - saturation, 0)
    # (x - mean) * contrast + mean * brightness
    return cv2.addWeighted(out, contrast, out, 0, mean * (brightness - contrast))


def clip_tensors(
    images: list[np.ndarray], labels: list[np.ndarray], n_objects: int, max_objects: int
) -> dict[str, torch.Tensor]:
    """The tensors of one clip, compact for the trip from a DataLoader worker.

    * ``images``: uint8 (T, 3, H, W), RGB;
    * ``masks``: bool (T, max_objects, H, W), one-hot per object, all False for absent slots;
    * ``labels``: uint8 (T, H, W), ids 0..n_objects;
    * ``n_objects``: int64 scalar.

    Workers hand batches over through shared memory; float32 images and masks and int64
    labels would be 5.5x larger and that copy, not decoding, limited the clip rate. Call
    :func:`to_model` on the collated batch to get float tensors on the training device.
    """
    stacked = np.stack(labels)
    ids = np.arange(1, max_objects + 1, dtype=np.uint8)[None, :, None, None]
    return {
        "images": torch.from_numpy(np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2))),
        "masks": torch.from_numpy(stacked[:, None] == ids),
        "labels": torch.from_numpy(stacked),
        "n_objects": torch.tensor(n_objects, dtype=torch.int64),
    }


def to_model(batch: dict[str, torch.Tensor], device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """A collated clip batch on ``device``, as the model takes it.

    ``images`` float32 (B, T, 3, H, W) in [0, 1] (the model applies ImageNet normalisation),
    ``masks`` float32 (B, T, K, H, W), ``labels`` int64 (B, T, H, W), ``n_objects`` (B,).
    """
    non_blocking = is_cuda(device)
    moved = {k: v.to(device, non_blocking=non_blocking) for k, v in batch.items()}
    return {
        "images": moved["images"].float().div_(255.0),
        "masks": moved["masks"].float(),
        "labels": moved["labels"].long(),
        "n_objects": moved["n_objects"],
    }
