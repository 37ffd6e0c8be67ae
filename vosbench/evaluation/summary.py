"""From per-frame scores to per-object results and a protocol's global numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vosbench.evaluation.engine import SequenceScores
from vosbench.evaluation.protocols import protocol_of, protocol_spec
from vosbench.evaluation.uncertainty import Interval
from vosbench.metrics.statistics import Statistics, db_statistics


@dataclass(frozen=True)
class ObjectResult:
    """The scores of one object of one sequence over its scored frames.

    ``j`` and ``f`` are the protocol's per-frame J and F (its headline F: MOSEv2's is the
    object-size tolerance one); ``extras`` holds the protocol's other per-object values,
    named as its per-sequence table prints them.
    """

    sequence: str
    object_id: int
    frames: tuple[str, ...]
    j: np.ndarray
    f: np.ndarray
    j_stats: Statistics
    f_stats: Statistics
    category: str | None = None
    seen: bool | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    value: float | None = None  # the protocol's per-object headline where it is not J&F (VOST: J)

    @property
    def key(self) -> str:
        """``<sequence>_<object id>``, as the official per-sequence table names rows."""
        return f"{self.sequence}_{self.object_id}"

    @property
    def jf(self) -> float:
        """The object's J&F: the mean of its J-Mean and F-Mean."""
        return float((self.j_stats.mean + self.f_stats.mean) / 2)

    @property
    def score(self) -> float:
        """The object's headline value: J&F, or the protocol's own (``value``)."""
        return self.jf if self.value is None else float(self.value)


@dataclass(frozen=True)
class EvaluationResult:
    """Every object's result and the global numbers of one dataset split."""

    dataset: str
    split: str
    protocol: str  # the registered scoring protocol's name
    objects: list[ObjectResult]
    global_metrics: dict[str, float] = field(default_factory=dict)
    # 95% bootstrap intervals of the headline and its parts (J&F, J, F; G on YouTube-VOS)
    intervals: dict[str, Interval] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # videos the results lack, scored 0 (protocols that allow it)

    @property
    def columns(self) -> tuple[str, ...]:
        """The global columns, as the protocol's official tool names them."""
        return protocol_spec(self.protocol).columns

    @property
    def headline(self) -> tuple[str, float]:
        """The benchmark's main number: J&F for DAVIS, G for YouTube-VOS, ..."""
        key = protocol_spec(self.protocol).headline
        return key, self.global_metrics[key]


def object_result(
    sequence: SequenceScores, k: int, j: np.ndarray, f: np.ndarray, **fields: Any
) -> ObjectResult:
    """Object ``k`` of ``sequence`` with per-frame ``j`` and ``f`` over its scored frames."""
    task = sequence.task
    first = task.first_scored[k]
    return ObjectResult(
        sequence=task.name,
        object_id=task.object_ids[k],
        frames=task.frames[first:],
        j=j,
        f=f,
        j_stats=db_statistics(j),
        f_stats=db_statistics(f),
        category=task.categories[k],
        seen=task.seen[k],
        **fields,
    )


def scored_objects(scores: list[SequenceScores]) -> list[ObjectResult]:
    """Every object with its J and F from its first scored frame on (DAVIS and YouTube-VOS)."""
    objects = []
    for sequence in scores:
        for k in range(len(sequence.task.object_ids)):
            first = sequence.task.first_scored[k]
            objects.append(
                object_result(sequence, k, sequence.j[k, first:].copy(), sequence.f[k, first:].copy())
            )
    return objects


def summarize(
    scores: list[SequenceScores], dataset: str, split: str, protocol_name: str | None = None
) -> EvaluationResult:
    """Per-object results, global numbers and intervals by the dataset's protocol (or the
    protocol named)."""
    protocol = protocol_of(dataset, protocol_name)
    objects, metrics = protocol.summarize(scores)
    missing = tuple(s.task.name for s in scores if s.missing)
    return EvaluationResult(
        dataset, split, protocol.name, objects, metrics, protocol.intervals(objects), missing
    )
