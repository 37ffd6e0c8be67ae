"""DAVIS 2016 and 2017 (semi-supervised), as the official davis2017-evaluation scores them.

* The objects are ids 1..N, N the largest id in the sequence's first annotated frame.
* Every annotated frame but the first and the last is scored, for every object.
* Void pixels (255) in the ground truth become background and are not excluded (the
  official code passes no void mask in this task); ``exclude_void`` instead leaves them out
  of J and F, as the official functions do when given a void mask.
* A predicted id above N is an error; an id the prediction lacks is an empty mask.
* DAVIS 2016: every id above 0 is one object, in the ground truth and in the prediction. In
  the 2016 release the masks are grayscale with 255 for the object, so there is no void.
* Global row: means over all objects of J and F's mean, recall and decay; J&F is the mean of
  J-Mean and F-Mean.

MOSE v1 is scored by these rules too: its server's code is not public, and the dataset's
authors describe its metric as DAVIS's.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vosbench.datasets import dataset_spec
from vosbench.datasets.base import DatasetLayoutError, Video
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import ScoringProtocol
from vosbench.evaluation.summary import ObjectResult, scored_objects
from vosbench.evaluation.tasks import SequenceTask, first_masks_only
from vosbench.evaluation.uncertainty import Interval, score_interval

COLUMNS = ("J&F-Mean", "J-Mean", "J-Recall", "J-Decay", "F-Mean", "F-Recall", "F-Decay")


def davis_task(video: Video, merge: bool) -> SequenceTask:
    """Every annotated frame but the first and the last, objects 1..N of the first mask."""
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


def davis_tasks(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
    merge = dataset_spec(dataset).merge_objects
    return [davis_task(v, merge) for v in videos]


def davis_global(objects: list[ObjectResult]) -> dict[str, float]:
    """The official global row: means over all objects, J&F the mean of J-Mean and F-Mean."""
    if not objects:
        return {name: math.nan for name in COLUMNS}
    j_mean = float(np.mean([o.j_stats.mean for o in objects]))
    f_mean = float(np.mean([o.f_stats.mean for o in objects]))
    return {
        "J&F-Mean": (j_mean + f_mean) / 2.0,
        "J-Mean": j_mean,
        "J-Recall": float(np.mean([o.j_stats.recall for o in objects])),
        "J-Decay": float(np.mean([o.j_stats.decay for o in objects])),
        "F-Mean": f_mean,
        "F-Recall": float(np.mean([o.f_stats.recall for o in objects])),
        "F-Decay": float(np.mean([o.f_stats.decay for o in objects])),
    }


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = scored_objects(scores)
    return objects, davis_global(objects)


def mean_intervals(objects: list[ObjectResult], names: tuple[str, str, str]) -> dict[str, Interval]:
    """Bootstrap intervals of the means over objects of (J&F, J, F), named ``names``,
    sequences resampled."""
    jf, j, f = names
    return {
        jf: score_interval({o.key: o.jf for o in objects}),
        j: score_interval({o.key: float(o.j_stats.mean) for o in objects}),
        f: score_interval({o.key: float(o.f_stats.mean) for o in objects}),
    }


def davis_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """Bootstrap intervals of J&F, J and F."""
    return mean_intervals(objects, ("J&F-Mean", "J-Mean", "F-Mean"))


DAVIS = ScoringProtocol(
    name="davis",
    description="DAVIS semi-supervised: every annotated frame but the first and last, objects of the "
    "first mask",
    checked_against="davisvideochallenge/davis2017-evaluation at ac7c43f: its evaluation and its metric "
    "functions on every scored frame of the real DAVIS 2016 val (tests/test_official_davis.py); its "
    "definitions read literally (tests/reference_davis.py, tests/test_evaluate_davis.py)",
    columns=COLUMNS,
    headline="J&F-Mean",
    tasks=davis_tasks,
    summarize=_summarize,
    intervals=davis_intervals,
    server_only=first_masks_only,
)
