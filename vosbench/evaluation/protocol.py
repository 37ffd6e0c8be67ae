"""The semi-supervised scoring protocols: which frames and objects each benchmark scores.

DAVIS 2017 (as the official davis2017-evaluation, semi-supervised task):
  * the objects are ids 1..N, N the largest id in the sequence's first annotated frame;
  * every annotated frame but the first and the last is scored, for every object;
  * void pixels (255) in the ground truth become background and are not excluded (the
    official code passes no void mask in this task); ``exclude_void`` instead leaves them
    out of J and F, as the official functions do when given a void mask;
  * a predicted id above N is an error; an id the prediction lacks is an empty mask.

DAVIS 2016: as DAVIS 2017 with every id above 0 merged into one object, in the ground truth
and in the prediction. In the 2016 release the masks are grayscale with 255 for the object,
so there is no void there; in a DAVIS 2017 root (ImageSets/2016) 255 is void as above.

YouTube-VOS 2018 and 2019 (as the benchmark server):
  * the objects and their categories come from the split's meta.json; an object is 'seen'
    when its category occurs among the training split's objects, 'unseen' otherwise;
  * an object is scored on the annotated frames after the one where its mask is first given
    (objects can first appear in any annotated frame); an object with no such frame is
    left out;
  * an object that the prediction never segments on its scored frames scores 0 in J and F;
  * per group, J and F are the mean over objects of their per-object means, and
    G = mean(J_seen, J_unseen, F_seen, F_unseen) (a group with no object is left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from vosbench.datasets import dataset_spec, load_videos, select_videos
from vosbench.datasets.base import DatasetLayoutError, MaskEncoding, Video, object_labels
from vosbench.datasets.youtube import seen_categories
from vosbench.errors import VosbenchError
from vosbench.io.masks import VOID_LABEL, read_mask


class Benchmark(Enum):
    """The family of scoring rules."""

    DAVIS = "davis"
    YOUTUBE = "youtube"


@dataclass(frozen=True)
class SequenceTask:
    """Everything needed to score one sequence, without reading a file.

    ``frames`` are the scored frames (for YouTube-VOS the union over objects) and
    ``first_scored[k]`` the index in ``frames`` from which object ``object_ids[k]`` counts.
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

    @property
    def n_frames(self) -> int:
        return len(self.frames)


def benchmark_of(dataset: str) -> Benchmark:
    """The scoring rules of a registered dataset (its spec's ``protocol``)."""
    spec = dataset_spec(dataset)
    if spec.protocol is None:
        raise VosbenchError(f"dataset {dataset!r} has no ground truth to score ({spec.description})")
    return Benchmark(spec.protocol)


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


def build_tasks(
    dataset: str,
    root: str | Path,
    split: str,
    resolution: str = "480p",
    sequences: list[str] | None = None,
) -> list[SequenceTask]:
    """The scoring tasks of a dataset split (reads only what fixes the object ids)."""
    videos = select_videos(load_videos(dataset, root, split, resolution), sequences, root, split)
    return tasks_for_videos(dataset, root, videos)


def tasks_for_videos(dataset: str, root: str | Path, videos: list[Video]) -> list[SequenceTask]:
    """The scoring tasks of videos already loaded from ``root``."""
    if benchmark_of(dataset) is Benchmark.DAVIS:
        return [_davis_task(v, merge=dataset_spec(dataset).merge_objects) for v in videos]
    seen = seen_categories(root)
    return [t for v in videos if (t := _youtube_task(v, seen)) is not None]


def _davis_task(video: Video, merge: bool) -> SequenceTask:
    annotated = video.annotated_frames
    if not annotated:
        raise DatasetLayoutError(f"sequence {video.name!r}: no annotation PNGs found")
    n_objects = len(video.resolve_objects())
    scored = annotated[1:-1]
    return SequenceTask(
        name=video.name,
        frames=scored,
        gt_paths=tuple(video.annotations[f] for f in scored),
        object_ids=tuple(range(1, n_objects + 1)),
        first_scored=(0,) * n_objects,
        categories=(None,) * n_objects,
        seen=(None,) * n_objects,
        n_labels=n_objects,
        merge=merge,
        gt_encoding=video.mask_encoding,
    )


def _youtube_task(video: Video, seen_set: frozenset[str]) -> SequenceTask | None:
    annotated = video.annotated_frames
    order = {name: i for i, name in enumerate(sorted(set(video.frames) | set(annotated)))}
    objects = video.objects or ()
    first_frames = [_first_frame(video, obj.id, obj.first_frame) for obj in objects]
    scored_objects = []
    for obj, first in zip(objects, first_frames, strict=True):
        if first is not None and any(order[f] > order[first] for f in annotated):
            scored_objects.append((obj, first))
    if not scored_objects:
        return None
    start = min(order[first] for _, first in scored_objects)
    frames = tuple(f for f in annotated if order[f] > start)
    first_scored = tuple(
        next(i for i, f in enumerate(frames) if order[f] > order[first]) for _, first in scored_objects
    )
    return SequenceTask(
        name=video.name,
        frames=frames,
        gt_paths=tuple(video.annotations[f] for f in frames),
        object_ids=tuple(obj.id for obj, _ in scored_objects),
        first_scored=first_scored,
        categories=tuple(obj.category for obj, _ in scored_objects),
        seen=tuple(obj.category in seen_set for obj, _ in scored_objects),
        n_labels=max(obj.id for obj in objects),
        merge=False,
        gt_encoding=video.mask_encoding,
    )


def first_masks_only(videos: list[Video]) -> bool:
    """Whether every annotated frame of every video is one where an object is first given: a
    split whose ground truth the benchmark's server keeps (YouTube-VOS valid and test)."""
    for video in videos:
        firsts = {_first_frame(video, obj.id, obj.first_frame) for obj in video.objects or ()}
        if any(frame not in firsts for frame in video.annotated_frames):
            return False
    return True


def _first_frame(video: Video, obj_id: int, from_meta: str) -> str | None:
    """Where an object's mask is first given: meta.json's first frame, else the first mask with it."""
    if from_meta and from_meta in video.annotations:
        return from_meta
    for frame in video.annotated_frames:
        if (read_mask(video.annotations[frame]) == obj_id).any():
            return frame
    return None
