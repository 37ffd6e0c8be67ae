"""VOST (CVPR 2023, objects that change shape), as its official evaluator (TRI-ML/VOST
``evaluation/``):

* DAVIS-like: the objects are ids 1..N of the first annotated frame; every annotated frame but
  the first and the last is scored (the ground truth is at 5 fps; a method runs on every
  frame, 10 fps, and is scored on the annotated ones); void (255) becomes background;
* J only, as DAVIS's; a predicted id above N is ignored, a missing one is an empty mask;
* per object: J's mean, recall and decay over its frames, and ``J_last`` (J_tr in the paper)
  the same over the last quarter of them (from ``floor(0.75 * frames)`` on);
* global row, named as the tool prints it: means over objects of each.

Like DAVIS's, the tool casts Decay's bin edges to uint8, so from 256 scored frames on its
Decay is computed on the wrong frames; vosbench uses the intended edges there
(:mod:`vosbench.metrics.statistics`). J and J_last are identical.
"""

from __future__ import annotations

import math

import numpy as np

from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import FrameRule, ScoringProtocol
from vosbench.evaluation.protocols.davis import davis_tasks
from vosbench.evaluation.summary import ObjectResult, object_result
from vosbench.evaluation.tasks import first_masks_only
from vosbench.evaluation.uncertainty import Interval, score_interval
from vosbench.metrics.frame import score_frame_j
from vosbench.metrics.statistics import db_statistics

COLUMNS = ("J-Mean", "J-Recall", "J-Decay", "J_last-Mean", "J_last-Recall", "J_last-Decay")


def _object(sequence: SequenceScores, k: int) -> ObjectResult:
    j = sequence.j[k].copy()
    last = db_statistics(j[math.floor(len(j) * 0.75) :])
    extras = {"J_last-Mean": last.mean, "J_last-Recall": last.recall, "J_last-Decay": last.decay}
    result = object_result(sequence, k, j, sequence.f[k].copy(), extras=extras)
    return ObjectResult(**{**result.__dict__, "value": float(result.j_stats.mean)})


def vost_global(objects: list[ObjectResult]) -> dict[str, float]:
    """Means over objects of J's and J_last's statistics."""

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    return {
        "J-Mean": mean([o.j_stats.mean for o in objects]),
        "J-Recall": mean([o.j_stats.recall for o in objects]),
        "J-Decay": mean([o.j_stats.decay for o in objects]),
        **{name: mean([o.extras[name] for o in objects]) for name in COLUMNS[3:]},
    }


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = [_object(s, k) for s in scores for k in range(len(s.task.object_ids))]
    return objects, vost_global(objects)


def vost_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """Bootstrap intervals of J and J_last (means over objects), videos resampled."""
    return {
        "J-Mean": score_interval({o.key: float(o.j_stats.mean) for o in objects}),
        "J_last-Mean": score_interval({o.key: float(o.extras["J_last-Mean"]) for o in objects}),
    }


VOST = ScoringProtocol(
    name="vost",
    description="VOST: J and J_last (the last quarter of each video), no F",
    checked_against="TRI-ML/VOST evaluation/ at fe27457 (tests/test_official_vost.py)",
    columns=COLUMNS,
    headline="J-Mean",
    tasks=davis_tasks,
    summarize=_summarize,
    intervals=vost_intervals,
    frame=FrameRule(score=score_frame_j, check_ids=False),
    object_columns=("J_last-Mean", "J_last-Recall", "J_last-Decay"),
    object_stats=("J-Mean", "J-Recall", "J-Decay"),
    object_score="J",
    server_only=first_masks_only,
)
