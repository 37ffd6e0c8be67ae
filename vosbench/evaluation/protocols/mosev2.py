"""MOSEv2, as its official scorer (henghuiding/MOSE-api ``MOSEv2/sam2_rcms/tools/score.py``):

* every frame of a video but the first and the last is scored (the ground truth is dense),
  for each object of the split's meta.json (else those of the first mask);
* per frame: smoothed J, Ḟ with the object-size tolerance, and DAVIS-style F
  (:mod:`vosbench.metrics.adaptive`); a predicted id that is no object is ignored;
* per object: the means over its frames; a video the results lack scores 0;
* disappearance and reappearance: where the object is absent from the ground truth, the
  frames from a disappearance to the next reappearance (a disappearance at the first scored
  frame is left out) and from a reappearance to the next disappearance, each segment's mean,
  averaged over the object's segments;
* global row, named as the scorer prints it: ``J`` and ``F_new`` are means over objects,
  ``J&F_new`` (the headline, J&Ḟ) their mean; ``disappear_J&F_new`` and ``reappear_J&F_new``
  average J and F_new over the objects that have such segments; ``F`` and ``J&F`` are the
  DAVIS-tolerance counterparts.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vosbench.datasets.base import Video
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import FrameRule, ScoringProtocol
from vosbench.evaluation.protocols.davis import davis_task, mean_intervals
from vosbench.evaluation.summary import ObjectResult, object_result
from vosbench.evaluation.tasks import SequenceTask, first_masks_only
from vosbench.evaluation.uncertainty import Interval
from vosbench.metrics.adaptive import mosev2_frame

COLUMNS = ("J&F_new", "J", "F_new", "disappear_J&F_new", "reappear_J&F_new", "F", "J&F")


def mosev2_tasks(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
    """Every annotated frame but the first and last, the objects of meta.json or the first mask."""
    tasks = []
    for video in videos:
        task = davis_task(video, merge=False)
        if video.objects is not None:
            ids = tuple(sorted(o.id for o in video.objects))
            n = len(ids)
            task = SequenceTask(
                task.name, task.frames, task.gt_paths, ids, (0,) * n, (None,) * n, (None,) * n,
                max(ids, default=0), False, task.gt_encoding,
            )  # fmt: skip
        tasks.append(task)
    return tasks


def absence_segments(empty: np.ndarray) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(disappearance segments, reappearance segments) as [start, end) frame ranges: a
    disappearance runs to the next reappearance, a reappearance to the next disappearance;
    a disappearance at frame 0 (absent from the start) is not one."""
    gone = np.flatnonzero(~empty[:-1] & empty[1:]) + 1
    if empty.size and empty[0]:
        gone = np.insert(gone, 0, 0)
    back = np.flatnonzero(empty[:-1] & ~empty[1:]) + 1
    n = len(empty)
    disappear = [(int(s), int(back[i]) if i < len(back) else n) for i, s in enumerate(gone) if s > 0]
    reappear = [(int(s), int(gone[i + 1]) if i + 1 < len(gone) else n) for i, s in enumerate(back)]
    return disappear, reappear


def _mean_over(segments: list[tuple[int, int]], values: np.ndarray) -> float | None:
    return float(np.mean([values[s:e].mean() for s, e in segments])) if segments else None


def _object(sequence: SequenceScores, k: int) -> ObjectResult:
    j, f = sequence.j[k].copy(), sequence.f[k].copy()
    if sequence.missing:
        f_davis, disappear, reappear = np.zeros_like(j), [], []
    else:
        f_davis = sequence.extras["F"][k]
        disappear, reappear = absence_segments(sequence.extras["empty"][k].astype(bool))
    extras = {
        "F": float(f_davis.mean()) if f_davis.size else 0.0,
        "disappear_J": _mean_over(disappear, j),
        "disappear_F_new": _mean_over(disappear, f),
        "reappear_J": _mean_over(reappear, j),
        "reappear_F_new": _mean_over(reappear, f),
    }
    result = object_result(sequence, k, j, f, extras=extras)
    extras["J&F"] = (result.j_stats.mean + extras["F"]) / 2
    for kind in ("disappear", "reappear"):
        parts = (extras[f"{kind}_J"], extras[f"{kind}_F_new"])
        extras[f"{kind}_J&F_new"] = None if parts[0] is None else (parts[0] + parts[1]) / 2
    return result


def _mean(values: list[float | None]) -> float:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else math.nan


def mosev2_global(objects: list[ObjectResult]) -> dict[str, float]:
    """The scorer's global row from per-object results."""
    j = _mean([float(o.j_stats.mean) for o in objects])
    f_new = _mean([float(o.f_stats.mean) for o in objects])
    f = _mean([o.extras["F"] for o in objects])
    parts = {
        name: _mean([o.extras[name] for o in objects])
        for name in ("disappear_J", "disappear_F_new", "reappear_J", "reappear_F_new")
    }
    return {
        "J&F_new": (j + f_new) / 2,
        "J": j,
        "F_new": f_new,
        "disappear_J&F_new": (parts["disappear_J"] + parts["disappear_F_new"]) / 2,
        "reappear_J&F_new": (parts["reappear_J"] + parts["reappear_F_new"]) / 2,
        "F": f,
        "J&F": (j + f) / 2,
    }


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = [_object(s, k) for s in scores for k in range(len(s.task.object_ids))]
    return objects, mosev2_global(objects)


def mosev2_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """Bootstrap intervals of J&Ḟ, J and Ḟ (means over objects), videos resampled."""
    return mean_intervals(objects, ("J&F_new", "J", "F_new"))


MOSEV2 = ScoringProtocol(
    name="mosev2",
    description="MOSEv2: J&Ḟ (object-size boundary tolerance, smoothed J), disappearance and reappearance",
    checked_against="henghuiding/MOSE-api MOSEv2/sam2_rcms/tools/score.py (tests/test_official_mosev2.py)",
    columns=COLUMNS,
    headline="J&F_new",
    tasks=mosev2_tasks,
    summarize=_summarize,
    intervals=mosev2_intervals,
    frame=FrameRule(score=mosev2_frame, check_ids=False),
    object_columns=("F", "J&F", "disappear_J&F_new", "reappear_J&F_new"),
    server_only=first_masks_only,
    missing_video="zero",
)
