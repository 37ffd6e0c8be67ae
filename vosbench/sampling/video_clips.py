"""Main-training clips from annotated videos (paper section 3.5).

A clip is ``n_frames`` temporally ordered frames of one video, each ``1 + g`` frames after
the previous with ``g`` drawn from 0..``max_gap`` (counted in the video's frame numbers,
so YouTube-VOS train, annotated every 5th frame, gets the same time span as DAVIS). The
clip is cropped with one random ``size`` x ``size`` window (after a random resize) chosen to
keep objects of the first frame, flipped as a whole, and colour-jittered per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from vosbench.datasets.base import MaskEncoding, Video, object_labels
from vosbench.errors import VosbenchError
from vosbench.io.images import read_image
from vosbench.io.masks import read_mask
from vosbench.sampling.clip import (
    ClipOptions,
    SeededClips,
    clip_tensors,
    colour_jitter,
    keep_objects,
    single_threaded,
)


@dataclass(frozen=True)
class _Track:
    """The frames of a video that have both an image and a mask."""

    name: str
    images: tuple[Path, ...]
    masks: tuple[Path, ...]
    numbers: np.ndarray  # frame numbers (or positions when names are not numbers)
    encoding: MaskEncoding
    merge: bool


def _track(video: Video) -> _Track | None:
    images = dict(zip(video.frames, video.image_paths, strict=False))
    frames = [f for f in video.annotated_frames if f in images]
    if not frames:
        return None
    try:
        numbers = np.array([int(f) for f in frames])
    except ValueError:
        numbers = np.arange(len(frames))
    return _Track(
        name=video.name,
        images=tuple(images[f] for f in frames),
        masks=tuple(video.annotations[f] for f in frames),
        numbers=numbers,
        encoding=video.mask_encoding,
        merge=video.merge_objects,
    )


def pick_frames(numbers: np.ndarray, n_frames: int, max_gap: int, rng: np.random.Generator) -> list[int]:
    """Indices into ``numbers`` of ``n_frames`` ordered frames, gaps of 0..max_gap frames."""
    count = len(numbers)
    if n_frames == 1:
        return [int(rng.integers(0, count))]
    if count < n_frames:
        return sorted(rng.integers(0, count, n_frames).tolist())
    wanted = np.cumsum(1 + rng.integers(0, max_gap + 1, n_frames - 1))
    span = numbers[-1] - numbers[0]
    if wanted[-1] > span:  # a short video: squeeze the gaps to fit
        wanted = np.round(wanted * (span / wanted[-1]))
    start_max = np.searchsorted(numbers, numbers[-1] - wanted[-1], side="right") - 1
    # leave room for the later frames both in time and in the frames that exist
    start_max = min(int(start_max), count - n_frames)
    first = int(rng.integers(0, max(0, start_max) + 1))
    picked = [first]
    for offset in wanted:
        target = numbers[first] + offset
        index = int(np.searchsorted(numbers, target, side="left"))
        index = min(max(index, picked[-1] + 1), count - 1 - (n_frames - 1 - len(picked)))
        picked.append(index)
    return picked


def crop_window(
    first_labels: np.ndarray, scale: float, options: ClipOptions, rng: np.random.Generator
) -> tuple[int, int, int]:
    """A square window ``(top, left, side)`` in original pixels keeping objects of frame 0.

    Tries ``attempts`` random windows and keeps the one with the most objects above the size
    threshold, then the most object pixels; counts are taken on a 4x subsampled mask.
    """
    h, w = first_labels.shape
    side = min(h, w, max(1, round(options.size / scale)))
    step = 4
    small = first_labels[::step, ::step]
    min_pixels = options.min_object_pixels / (scale * step) ** 2
    all_counts = np.bincount(small.ravel(), minlength=256)[1:]
    present, total = int((all_counts >= min_pixels).sum()), int(all_counts.sum())
    best: tuple[int, int, tuple[int, int]] = (0, 0, (-1, -1))
    for _ in range(options.attempts):
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        window = small[-(-top // step) : (top + side) // step, -(-left // step) : (left + side) // step]
        counts = np.bincount(window.ravel(), minlength=256)[1:]
        kept = (int((counts >= min_pixels).sum()), int(counts.sum()))
        if kept > best[2]:  # most objects kept, then most object pixels
            best = (top, left, kept)
        if kept == (present, total):
            break
    return best[0], best[1], side


class VideoClips(SeededClips):
    """Random training clips from annotated videos; ``len`` is ``samples`` (default: one per video)."""

    def __init__(
        self,
        videos: Sequence[Video],
        options: ClipOptions | None = None,
        seed: int = 0,
        samples: int | None = None,
    ) -> None:
        self.options = options or ClipOptions()
        self.tracks = [t for v in videos if (t := _track(v)) is not None]
        if not self.tracks:
            raise VosbenchError("no training video has a frame with both an image and a mask")
        super().__init__(seed, samples or len(self.tracks))

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        single_threaded()
        rng = self.rng(index)
        opts = self.options
        track = self.tracks[index % len(self.tracks)]
        for _ in range(opts.attempts):
            picked = pick_frames(track.numbers, opts.n_frames, opts.max_gap, rng)
            labels = [object_labels(read_mask(track.masks[i]), track.encoding, track.merge) for i in picked]
            if labels[0].any():
                break
        h, w = labels[0].shape
        scale = rng.uniform(*opts.scale_range) * opts.size / min(h, w)
        top, left, side = crop_window(labels[0], scale, opts, rng)
        flip = rng.random() < opts.flip
        size = (opts.size, opts.size)
        images, crops = [], []
        for i, frame_labels in zip(picked, labels, strict=True):
            image = read_image(track.images[i])
            if image.shape[:2] != (h, w):
                raise VosbenchError(
                    f"{track.images[i]}: size {image.shape[1]}x{image.shape[0]}, mask {w}x{h}"
                )
            window = (slice(top, top + side), slice(left, left + side))
            interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
            image = cv2.resize(image[window], size, interpolation=interp)
            crop = cv2.resize(frame_labels[window], size, interpolation=cv2.INTER_NEAREST)
            if flip:
                image, crop = cv2.flip(image, 1), cv2.flip(crop, 1)
            images.append(colour_jitter(image, rng, opts.jitter))
            crops.append(crop)
        crops, n_objects = keep_objects(crops, rng, opts)
        return clip_tensors(images, crops, n_objects, opts.max_objects)
