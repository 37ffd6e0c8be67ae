"""LVOS v1 and v2 (semi-supervised), as the official evaluator (LingyiHongfd/lvos-evaluation).

* Each object of ``<split>_meta.json`` is scored on its own frames: every 5th from its
  ``frame_range`` ``start`` up to (not including) its ``end``.
* The rule changed in 2024 (``lvos``): the first of those frames (where the mask is given)
  and the ``frame_nums - 1``-th are skipped and the object's values fill ``frame_nums - 2``
  slots. The 2022 tool (``lvos-2022``) skipped neither and filled ``frame_nums`` slots. A slot
  no frame fills counts 0, as the official arrays start at zero. Numbers made under one rule
  are not comparable with the other's; the protocol's name is recorded with every result.
* J and F per frame are DAVIS's, on the object's mask alone (no void); a predicted id that is
  no object is ignored.
* Per object: J and F means over its slots; V, the spread of J&F over its slots:
  ``sqrt(round(mean((mean(J&F) - J&F)**2), 4))`` (rounded before the root, as the tool does).
* Seen and unseen: by the split's list of unseen videos. Global row, named as the tool prints
  it: ``J&F-Mean`` = (J_seen + F_seen + J_unseen + F_unseen) / 4 of the groups' means over
  objects; ``J-Mean`` and ``F-Mean`` the mean of the two groups'; ``V-Mean`` likewise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from vosbench.datasets.base import DatasetLayoutError, Video
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import FrameRule, ScoringProtocol
from vosbench.evaluation.protocols.youtube import seen_unseen_interval
from vosbench.evaluation.summary import ObjectResult, object_result
from vosbench.evaluation.tasks import SequenceTask
from vosbench.evaluation.uncertainty import Interval, score_interval

OFFICIAL = {2024: "c05e889 (2024)", 2022: "9ff733c (2022)"}  # the tool's commits each rule matches
COLUMNS = (
    "J&F-Mean", "J-Mean", "J-seen-Mean", "J-unseen-Mean", "F-Mean", "F-seen-Mean", "F-unseen-Mean",
    "V-Mean", "V-seen-Mean", "V-unseen-Mean",
)  # fmt: skip


def object_slots(video: Video, frame_range: dict[str, int], rule: int) -> tuple[str | None, ...]:
    """The frames filling an object's slots in the official order (``None``: a slot left 0)."""
    start, end, count = frame_range["start"], frame_range["end"], frame_range["frame_nums"]
    slots: list[str | None] = [None] * (count - 2 if rule == 2024 else count)
    for index, number in enumerate(range(start, end, 5)):
        if rule == 2024 and index in (0, count - 1):
            continue
        slot = index - 1 if rule == 2024 else index
        if slot >= len(slots):
            raise DatasetLayoutError(
                f"video {video.name!r}: frame {number:08d} lies past the object's {count} frames "
                f"(frame_range {frame_range}); the official tool fails on it too"
            )
        slots[slot] = f"{number:08d}"
    return tuple(slots)


def _task(video: Video, rule: int) -> SequenceTask:
    objects = video.objects or ()
    slots = tuple(object_slots(video, dict(o.meta["frame_range"]), rule) for o in objects)
    frames = tuple(sorted({f for s in slots for f in s if f is not None}))
    missing = [f for f in frames if f not in video.annotations]
    if missing:
        raise DatasetLayoutError(
            f"video {video.name!r}: no ground truth for frame {missing[0]} (Annotations/)"
        )
    for o in objects:
        if "unseen" not in o.meta:
            raise DatasetLayoutError(
                f"video {video.name!r}: no unseen_videos.txt beside the split (the official evaluator's "
                "list of unseen videos, from its repository LingyiHongfd/lvos-evaluation)"
            )
    n = len(objects)
    return SequenceTask(
        video.name, frames, tuple(video.annotations[f] for f in frames), tuple(o.id for o in objects),
        (0,) * n, (None,) * n, tuple(not o.meta["unseen"] for o in objects),
        max((o.id for o in objects), default=0), False, video.mask_encoding, slots,
    )  # fmt: skip


def _tasks(rule: int) -> Callable[[str, Path, list[Video]], list[SequenceTask]]:
    def tasks(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
        return [_task(v, rule) for v in videos if v.objects]

    return tasks


def spread(j: np.ndarray, f: np.ndarray) -> float:
    """V: the root of the mean squared deviation of J&F from its mean, rounded to 4 decimals
    before the root as the official ``db_statistics_var``."""
    jf = (j + f) / 2
    value = np.nansum((np.nanmean(jf) - jf) ** 2) / jf.size
    return math.sqrt(round(value, 4))


def _object(sequence: SequenceScores, k: int) -> ObjectResult:
    index = {name: i for i, name in enumerate(sequence.task.frames)}
    slots = sequence.task.object_frames[k]
    j = np.array([sequence.j[k, index[s]] if s is not None else 0.0 for s in slots])
    f = np.array([sequence.f[k, index[s]] if s is not None else 0.0 for s in slots])
    result = object_result(sequence, k, j, f, extras={"V-Mean": spread(j, f)})
    return ObjectResult(**{**result.__dict__, "frames": tuple(s or "" for s in slots)})


def lvos_global(objects: list[ObjectResult]) -> dict[str, float]:
    """The official global row from per-object means (an empty group makes NaN, as there)."""

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    groups = {}
    for name, seen in (("seen", True), ("unseen", False)):
        members = [o for o in objects if o.seen is seen]
        groups[name] = (
            mean([float(o.j_stats.mean) for o in members]),
            mean([float(o.f_stats.mean) for o in members]),
            mean([o.extras["V-Mean"] for o in members]),
        )
    (js, fs, vs), (ju, fu, vu) = groups["seen"], groups["unseen"]
    return {
        "J&F-Mean": ((js + fs) + (ju + fu)) / 4.0,
        "J-Mean": (js + ju) / 2,
        "J-seen-Mean": js,
        "J-unseen-Mean": ju,
        "F-Mean": (fs + fu) / 2,
        "F-seen-Mean": fs,
        "F-unseen-Mean": fu,
        "V-Mean": (vs + vu) / 2,
        "V-seen-Mean": vs,
        "V-unseen-Mean": vu,
    }


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = [_object(s, k) for s in scores for k in range(len(s.task.object_ids))]
    return objects, lvos_global(objects)


def lvos_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """The bootstrap interval of J&F (the four group means, as YouTube-VOS's G), videos resampled."""
    if not objects:
        return {"J&F-Mean": score_interval({})}
    return {"J&F-Mean": seen_unseen_interval(objects)}


def _protocol(name: str, rule: int) -> ScoringProtocol:
    return ScoringProtocol(
        name=name,
        description=f"LVOS ({rule} rule): each object on its own frame range, seen and unseen groups, V",
        checked_against=f"LingyiHongfd/lvos-evaluation at {OFFICIAL[rule]} (tests/test_official_lvos.py)",
        columns=COLUMNS,
        headline="J&F-Mean",
        tasks=_tasks(rule),
        summarize=_summarize,
        intervals=lvos_intervals,
        frame=FrameRule(check_ids=False),
        object_columns=("V-Mean",),
    )


LVOS = _protocol("lvos", 2024)
LVOS_2022 = _protocol("lvos-2022", 2022)
