"""What a protocol scores, as plain data: :class:`SequenceTask`, and the mask rules every
protocol shares (ground-truth labels, void, predicted labels, where an object is first given).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vosbench.datasets.base import MaskEncoding, Video, object_labels
from vosbench.io.masks import VOID_LABEL, read_mask


@dataclass(frozen=True)
class SequenceTask:
    """Everything needed to score one sequence, without reading a file.

    ``frames`` are the scored frames (for YouTube-VOS the union over objects) and
    ``first_scored[k]`` the index in ``frames`` from which object ``object_ids[k]`` counts.
    ``object_frames[k]``, where a protocol gives each object frames of its own (LVOS: its
    frame range), lists them in order; ``None`` is a slot its official tool counts as 0.
    """

    name: str
    frames: tuple[str, ...]
    gt_paths: tuple[Path, ...]
    object_ids: tuple[int, ...]
    first_scored: tuple[int, ...]
    categories: tuple[str | None, ...]
    seen: tuple[bool | None, ...]
    n_labels: int
    merge: bool
    gt_encoding: MaskEncoding
    object_frames: tuple[tuple[str | None, ...], ...] = ()

    @property
    def n_frames(self) -> int:
        return len(self.frames)


def ground_truth_labels(
    raw: np.ndarray, encoding: MaskEncoding, merge: bool, exclude_void: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Object labels (uint8) of a ground-truth mask and, with ``exclude_void``, its void pixels."""
    labels = object_labels(raw, encoding, merge)
    if not exclude_void or encoding is MaskEncoding.BINARY:
        return labels, None
    return labels, raw == VOID_LABEL


def prediction_labels(raw: np.ndarray, merge: bool) -> np.ndarray:
    """Object labels of a predicted mask: every id above 0 is one object when merging."""
    return (raw > 0).view(np.uint8) if merge else raw


def first_masks_only(videos: list[Video]) -> bool:
    """Whether every annotated frame of every video is one where an object is first given: a
    split whose ground truth the benchmark's server keeps (YouTube-VOS valid and test, MOSE
    valid, DAVIS test-dev)."""
    for video in videos:
        firsts = {first_frame(video, obj.id, obj.first_frame) for obj in video.resolve_objects()}
        if any(frame not in firsts for frame in video.annotated_frames):
            return False
    return True


def first_frame(video: Video, obj_id: int, from_meta: str) -> str | None:
    """Where an object's mask is first given: meta.json's first frame, else the first mask with it."""
    if from_meta and from_meta in video.annotations:
        return from_meta
    for frame in video.annotated_frames:
        if (read_mask(video.annotations[frame]) == obj_id).any():
            return frame
    return None
