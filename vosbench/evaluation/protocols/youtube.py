"""YouTube-VOS 2018 and 2019, as the public evaluators score them.

* The objects and their categories come from the split's meta.json; an object is 'seen'
  when its category occurs among the training split's objects, 'unseen' otherwise.
* An object is scored on the annotated frames after the one where its mask is first given
  (objects can first appear in any annotated frame); an object with no such frame is left
  out.
* J and F per frame as DAVIS's (J = F = 1 where the object is absent from both masks), also
  for an object the prediction never segments: every public evaluator (DAVIS's,
  vos-benchmark, pytracking's YouTube-VOS evaluator, AGAME, LVOS, MOSEv2) scores it so.
* Per group, J and F are the mean over objects of their per-object means, and
  G = mean(J_seen, J_unseen, F_seen, F_unseen) (a group with no object is left out).

What cannot be known: the benchmark server's code was never released, so whether it scores
anything differently (say, objects never segmented) cannot be checked; the rules above are
the public evaluators'.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vosbench.datasets.base import Video
from vosbench.datasets.youtube import seen_categories
from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import ScoringProtocol
from vosbench.evaluation.summary import ObjectResult, scored_objects
from vosbench.evaluation.tasks import SequenceTask, first_frame, first_masks_only
from vosbench.evaluation.uncertainty import Interval, bootstrap_sequences

COLUMNS = ("G", "J-Seen", "J-Unseen", "F-Seen", "F-Unseen")


def youtube_task(video: Video, seen_set: frozenset[str]) -> SequenceTask | None:
    """Each object from the annotated frame after its first mask on; None if nothing is scored."""
    annotated = video.annotated_frames
    order = {name: i for i, name in enumerate(sorted(set(video.frames) | set(annotated)))}
    objects = video.objects or ()
    first_frames = [first_frame(video, obj.id, obj.first_frame) for obj in objects]
    scored_objects_ = []
    for obj, first in zip(objects, first_frames, strict=True):
        if first is not None and any(order[f] > order[first] for f in annotated):
            scored_objects_.append((obj, first))
    if not scored_objects_:
        return None
    start = min(order[first] for _, first in scored_objects_)
    frames = tuple(f for f in annotated if order[f] > start)
    first_scored = tuple(
        next(i for i, f in enumerate(frames) if order[f] > order[first]) for _, first in scored_objects_
    )
    return SequenceTask(
        name=video.name,
        frames=frames,
        gt_paths=tuple(video.annotations[f] for f in frames),
        object_ids=tuple(obj.id for obj, _ in scored_objects_),
        first_scored=first_scored,
        categories=tuple(obj.category for obj, _ in scored_objects_),
        seen=tuple(obj.category in seen_set for obj, _ in scored_objects_),
        n_labels=max(obj.id for obj in objects),
        merge=False,
        gt_encoding=video.mask_encoding,
    )


def youtube_tasks(dataset: str, root: Path, videos: list[Video]) -> list[SequenceTask]:
    seen = seen_categories(root)
    return [t for v in videos if (t := youtube_task(v, seen)) is not None]


def youtube_global(objects: list[ObjectResult]) -> dict[str, float]:
    """G and its four parts; a group with no object is NaN and left out of G."""
    parts: dict[str, float] = {}
    for group, is_seen in (("Seen", True), ("Unseen", False)):
        members = [o for o in objects if o.seen is is_seen]
        parts[f"J-{group}"] = float(np.mean([o.j_stats.mean for o in members])) if members else math.nan
        parts[f"F-{group}"] = float(np.mean([o.f_stats.mean for o in members])) if members else math.nan
    present = [v for v in parts.values() if not math.isnan(v)]
    g = float(np.mean(present)) if present else math.nan
    return {"G": g, **{name: parts[name] for name in COLUMNS[1:]}}


def _summarize(scores: list[SequenceScores]) -> tuple[list[ObjectResult], dict[str, float]]:
    objects = scored_objects(scores)
    for o in objects:
        o.extras.update({"Category": o.category or "", "Seen": "" if o.seen is None else str(o.seen).lower()})
    return objects, youtube_global(objects)


def _g(
    js: np.ndarray,
    fs: np.ndarray,
    ns: np.ndarray,
    ju: np.ndarray,
    fu: np.ndarray,
    nu: np.ndarray,
    axis: int = -1,
) -> np.ndarray:
    """G from per-sequence sums over seen (s) and unseen (u) objects: the mean of the four
    means, a group without objects left out (as :func:`youtube_global`)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        n_seen, n_unseen = ns.sum(axis), nu.sum(axis)
        parts = np.stack(
            [js.sum(axis) / n_seen, fs.sum(axis) / n_seen, ju.sum(axis) / n_unseen, fu.sum(axis) / n_unseen]
        )
    return np.nanmean(parts, axis=0)


def youtube_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """The bootstrap interval of G, videos resampled with their seen and unseen objects."""
    return {"G": seen_unseen_interval(objects)}


def seen_unseen_interval(objects: list[ObjectResult]) -> Interval:
    """The bootstrap interval of the mean of the seen and unseen groups' J and F means (G;
    LVOS's J&F), videos resampled with their objects."""
    names = sorted({o.sequence for o in objects})
    index = {n: i for i, n in enumerate(names)}
    columns = np.zeros((6, len(names)))
    for o in objects:
        if o.seen is None:
            continue
        row = 0 if o.seen else 3
        columns[row : row + 3, index[o.sequence]] += (o.j_stats.mean, o.f_stats.mean, 1.0)
    return bootstrap_sequences(tuple(columns), _g)


YOUTUBE = ScoringProtocol(
    name="youtube",
    description="YouTube-VOS: each object after its first mask, seen and unseen categories, G",
    checked_against="the public evaluators' rules (the server's code is not public; see the module)",
    columns=COLUMNS,
    headline="G",
    tasks=youtube_tasks,
    summarize=_summarize,
    intervals=youtube_intervals,
    object_columns=("Category", "Seen"),
    server_only=first_masks_only,
)
