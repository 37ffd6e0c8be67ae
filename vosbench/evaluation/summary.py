"""From per-frame scores to per-object statistics and the benchmark's global numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocol import Benchmark
from vosbench.evaluation.uncertainty import Interval, bootstrap_sequences, score_interval
from vosbench.metrics.statistics import Statistics, db_statistics

DAVIS_GLOBAL_COLUMNS = ("J&F-Mean", "J-Mean", "J-Recall", "J-Decay", "F-Mean", "F-Recall", "F-Decay")
YOUTUBE_GLOBAL_COLUMNS = ("G", "J-Seen", "J-Unseen", "F-Seen", "F-Unseen")


@dataclass(frozen=True)
class ObjectResult:
    """The scores of one object of one sequence over its scored frames."""

    sequence: str
    object_id: int
    frames: tuple[str, ...]
    j: np.ndarray
    f: np.ndarray
    j_stats: Statistics
    f_stats: Statistics
    category: str | None = None
    seen: bool | None = None

    @property
    def key(self) -> str:
        """``<sequence>_<object id>``, as the official per-sequence table names rows."""
        return f"{self.sequence}_{self.object_id}"

    @property
    def jf(self) -> float:
        """The object's J&F: the mean of its J-Mean and F-Mean."""
        return float((self.j_stats.mean + self.f_stats.mean) / 2)


@dataclass(frozen=True)
class EvaluationResult:
    """Every object's result and the global numbers of one dataset split."""

    dataset: str
    split: str
    benchmark: Benchmark
    objects: list[ObjectResult]
    global_metrics: dict[str, float] = field(default_factory=dict)
    # 95% bootstrap intervals of the overall means (J&F, J, F; G on YouTube-VOS)
    intervals: dict[str, Interval] = field(default_factory=dict)

    @property
    def headline(self) -> tuple[str, float]:
        """The benchmark's main number: J&F for DAVIS, G for YouTube-VOS."""
        key = "G" if self.benchmark is Benchmark.YOUTUBE else "J&F-Mean"
        return key, self.global_metrics[key]


def summarize(
    scores: list[SequenceScores], dataset: str, split: str, benchmark: Benchmark
) -> EvaluationResult:
    """Per-object statistics and global numbers from the scored sequences."""
    objects: list[ObjectResult] = []
    for seq in scores:
        task = seq.task
        for k, obj_id in enumerate(task.object_ids):
            first = task.first_scored[k]
            j = seq.j[k, first:].copy()
            f = seq.f[k, first:].copy()
            if benchmark is Benchmark.YOUTUBE and not seq.segmented[k, first:].any():
                j[:] = 0.0  # never segmented: the object scores 0
                f[:] = 0.0
            objects.append(
                ObjectResult(
                    sequence=task.name,
                    object_id=obj_id,
                    frames=task.frames[first:],
                    j=j,
                    f=f,
                    j_stats=db_statistics(j),
                    f_stats=db_statistics(f),
                    category=task.categories[k],
                    seen=task.seen[k],
                )
            )
    youtube = benchmark is Benchmark.YOUTUBE
    metrics = youtube_global(objects) if youtube else davis_global(objects)
    intervals = youtube_intervals(objects) if youtube else davis_intervals(objects)
    return EvaluationResult(dataset, split, benchmark, objects, metrics, intervals)


def davis_intervals(objects: list[ObjectResult]) -> dict[str, Interval]:
    """Bootstrap intervals of J&F, J and F (means over objects), sequences resampled."""
    return {
        "J&F-Mean": score_interval({o.key: o.jf for o in objects}),
        "J-Mean": score_interval({o.key: float(o.j_stats.mean) for o in objects}),
        "F-Mean": score_interval({o.key: float(o.f_stats.mean) for o in objects}),
    }


def _g(js, fs, ns, ju, fu, nu, axis: int = -1) -> np.ndarray:
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
    names = sorted({o.sequence for o in objects})
    index = {n: i for i, n in enumerate(names)}
    columns = np.zeros((6, len(names)))
    for o in objects:
        if o.seen is None:
            continue
        row = 0 if o.seen else 3
        columns[row : row + 3, index[o.sequence]] += (o.j_stats.mean, o.f_stats.mean, 1.0)
    return {"G": bootstrap_sequences(tuple(columns), _g)}


def davis_global(objects: list[ObjectResult]) -> dict[str, float]:
    """The official global row: means over all objects, J&F the mean of J-Mean and F-Mean."""
    if not objects:
        return {name: math.nan for name in DAVIS_GLOBAL_COLUMNS}
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


def youtube_global(objects: list[ObjectResult]) -> dict[str, float]:
    """G and its four parts; a group with no object is NaN and left out of G."""
    parts: dict[str, float] = {}
    for group, is_seen in (("Seen", True), ("Unseen", False)):
        members = [o for o in objects if o.seen is is_seen]
        parts[f"J-{group}"] = float(np.mean([o.j_stats.mean for o in members])) if members else math.nan
        parts[f"F-{group}"] = float(np.mean([o.f_stats.mean for o in members])) if members else math.nan
    present = [v for v in parts.values() if not math.isnan(v)]
    g = float(np.mean(present)) if present else math.nan
    return {"G": g, **{name: parts[name] for name in YOUTUBE_GLOBAL_COLUMNS[1:]}}
