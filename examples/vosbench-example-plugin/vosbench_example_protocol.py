"""An example scoring protocol: region overlap only, on every annotated frame after the first.

A benchmark whose metric differs from DAVIS's is one module and one entry point
(``vosbench.protocols``): it says which frames and objects count (here: the last frame too,
which DAVIS leaves out), how per-frame values become per-object and global numbers (J only)
and its columns. `vosbench protocols` lists it; a dataset names it in its spec
(``example-bench-iou`` below), and `evaluate`, `run`'s live scoring and reproduce's tables
then use it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
from vosbench_example_dataset import EXAMPLE_BENCH

from vosbench.datasets import Video
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import ScoringProtocol
from vosbench.evaluation.protocols.davis import davis_task
from vosbench.evaluation.summary import ObjectResult, scored_objects
from vosbench.evaluation.tasks import SequenceTask
from vosbench.evaluation.uncertainty import score_interval


def every_frame_after_the_first(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
    tasks = []
    for video in videos:
        task = davis_task(video, merge=False)
        frames = video.annotated_frames[1:]
        tasks.append(replace(task, frames=frames, gt_paths=tuple(video.annotations[f] for f in frames)))
    return tasks


def j_only(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = scored_objects(scores)
    if not objects:
        return objects, {"J-Mean": math.nan, "J-Recall": math.nan}
    return objects, {
        "J-Mean": float(np.mean([o.j_stats.mean for o in objects])),
        "J-Recall": float(np.mean([o.j_stats.recall for o in objects])),
    }


EXAMPLE_IOU = ScoringProtocol(
    name="example-iou",
    description="example plugin: J only, every annotated frame after the first (the last included)",
    checked_against="its own definition (an example)",
    columns=("J-Mean", "J-Recall"),
    headline="J-Mean",
    tasks=every_frame_after_the_first,
    summarize=j_only,
    intervals=lambda objects: {"J-Mean": score_interval({o.key: float(o.j_stats.mean) for o in objects})},
)

# example-bench's layout and splits, scored by this protocol
EXAMPLE_BENCH_IOU = replace(
    EXAMPLE_BENCH,
    name="example-bench-iou",
    description="example plugin: example-bench's layout, scored by the example-iou protocol",
    protocol="example-iou",
)
