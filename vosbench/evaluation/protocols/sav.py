"""SA-V, as its official evaluator (facebookresearch/sam2 ``sav_dataset/sav_evaluator.py``,
from vos-benchmark):

* each object is scored on its own masks (``<video>/<object>/<frame>.png``, binary; objects
  may overlap), without its first and last annotated frame;
* per frame DAVIS's J and F, but an object counts only from the first scored frame where the
  ground truth or the prediction has it (earlier frames, empty in both, are not counted);
* per object the means; global ``J`` and ``F`` the means over all objects, ``J&F`` their mean
  (the tool prints percentages; vosbench keeps fractions, as everywhere).

An object absent from its ground truth on every scored frame makes the tool fail; vosbench
says which. The tool scores only the videos the results hold unless run with ``--strict``;
vosbench requires every video, as ``--strict`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.datasets.base import DatasetLayoutError, MaskEncoding, Video
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import FrameRule, ScoringProtocol
from vosbench.evaluation.protocols.davis import mean_intervals
from vosbench.evaluation.summary import ObjectResult
from vosbench.evaluation.tasks import SequenceTask
from vosbench.evaluation.uncertainty import Interval
from vosbench.metrics.frame import score_frame_presence
from vosbench.metrics.statistics import db_statistics

COLUMNS = ("J&F", "J", "F")


def sav_tasks(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
    """One task per object (named ``<video>/<object>``): its own masks but the first and last."""
    tasks = []
    for video in videos:
        for name, masks in (video.object_masks or {}).items():
            frames = tuple(sorted(masks))[1:-1]
            paths = tuple(masks[f] for f in frames)
            one = ((1,), (0,), (None,), (None,), 1, True, MaskEncoding.BINARY)  # one binary object
            tasks.append(SequenceTask(f"{video.name}/{name}", frames, paths, *one))
    return tasks


def _object(sequence: SequenceScores) -> ObjectResult:
    video, name = sequence.task.name.rsplit("/", 1)
    counted = sequence.extras["present"][0].astype(bool) | sequence.segmented[0]
    if not sequence.extras["present"][0].any():
        raise DatasetLayoutError(
            f"object {name} of video {video!r} is absent from its ground truth on every scored frame "
            "(SA-V's evaluator fails on it too)"
        )
    first = int(np.argmax(counted))
    j, f = sequence.j[0, first:].copy(), sequence.f[0, first:].copy()
    return ObjectResult(
        sequence=video,
        object_id=int(name) if name.isdigit() else 0,
        frames=sequence.task.frames[first:],
        j=j,
        f=f,
        j_stats=db_statistics(j),
        f_stats=db_statistics(f),
    )


def sav_global(objects: list[ObjectResult]) -> dict[str, float]:
    j = float(np.mean([o.j_stats.mean for o in objects])) if objects else float("nan")
    f = float(np.mean([o.f_stats.mean for o in objects])) if objects else float("nan")
    return {"J&F": (j + f) / 2, "J": j, "F": f}


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = [_object(s) for s in scores if s.task.frames]
    return objects, sav_global(objects)


def sav_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    return mean_intervals(objects, COLUMNS)


SAV = ScoringProtocol(
    name="sav",
    description="SA-V: each object on its own binary masks (objects may overlap), J&F",
    checked_against="facebookresearch/sam2 sav_dataset/ at 2b90b9f (tests/test_official_sav.py)",
    columns=COLUMNS,
    headline="J&F",
    tasks=sav_tasks,
    summarize=_summarize,
    intervals=sav_intervals,
    frame=FrameRule(score=score_frame_presence),
)
