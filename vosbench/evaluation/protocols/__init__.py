"""Scoring protocols: what a benchmark scores and how its numbers are made, as plugins.

A protocol registers one :class:`ScoringProtocol` under the entry-point group
``vosbench.protocols`` (``davis``, ``youtube`` and the others register theirs like any
plugin), and a dataset names its protocol in its :class:`~vosbench.datasets.DatasetSpec`.
The evaluation engine, the report writers, `run`'s live scoring and reproduce's columns
read everything protocol-specific from here: which frames and objects count
(``tasks``), how one frame is scored (``frame``), how per-frame values become per-object
and global numbers (``summarize``), the global columns as the official tool prints them,
the headline, and the bootstrap intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vosbench.datasets import dataset_spec
from vosbench.errors import VosbenchError
from vosbench.metrics.frame import score_frame
from vosbench.registry import Registry

if TYPE_CHECKING:
    from vosbench.datasets.base import Video
    from vosbench.evaluation.engine import SequenceScores
    from vosbench.evaluation.summary import ObjectResult
    from vosbench.evaluation.tasks import SequenceTask
    from vosbench.evaluation.uncertainty import Interval


@dataclass(frozen=True)
class FrameRule:
    """How one frame is scored; sent to worker processes, so it holds module-level functions.

    ``score(gt, pred, n_objects, void, bound_th)`` returns a
    :class:`~vosbench.metrics.frame.FrameScores` (its ``extra`` arrays, one value per object,
    are kept per frame under their names); ``check_ids``: a predicted id above the sequence's
    objects is an error (DAVIS's evaluator refuses it), else it is ignored.
    """

    score: Callable[..., Any] = score_frame
    check_ids: bool = True


@dataclass(frozen=True)
class ScoringProtocol:
    """One benchmark's scoring rules.

    * ``tasks(dataset, root, videos)``: the :class:`~vosbench.evaluation.tasks.SequenceTask`
      of each video that has anything scored;
    * ``summarize(scores)``: per-object results and the global row (``columns``, named as the
      official tool prints them; ``headline`` is the one papers report);
    * ``intervals(objects)``: 95% bootstrap intervals of the headline (and its parts);
    * ``object_stats``: the per-object statistics of J and F the per-sequence table prints
      (no F for a protocol without one), then ``object_columns``: per-object values beyond
      them (``ObjectResult.extras``); ``object_score``: what the per-object headline is;
    * ``server_only(videos)``: the split's ground truth stays on the benchmark's server;
    * ``missing_video``: ``"error"`` (a results folder must hold every video), or ``"zero"``
      (the official tool scores a missing video 0; vosbench says which are missing);
    * ``checked_against``: the official code it is proven equal to (or why none can be).
    """

    name: str
    description: str
    checked_against: str
    columns: tuple[str, ...]
    headline: str
    tasks: Callable[[str, Path, list[Video]], list[SequenceTask]]
    summarize: Callable[[list[SequenceScores]], tuple[list[ObjectResult], dict[str, float]]]
    intervals: Callable[[list[ObjectResult]], dict[str, Interval]]
    frame: FrameRule = field(default_factory=FrameRule)
    object_columns: tuple[str, ...] = ()
    object_stats: tuple[str, ...] = ("J-Mean", "F-Mean", "J-Recall", "J-Decay", "F-Recall", "F-Decay")
    object_score: str = "J&F"
    server_only: Callable[[list[Video]], bool] = lambda videos: False
    missing_video: str = "error"

    def __post_init__(self) -> None:
        if self.headline not in self.columns:
            raise ValueError(f"protocol {self.name}: headline {self.headline!r} is not one of its columns")
        if self.missing_video not in ("error", "zero"):
            raise ValueError(f"protocol {self.name}: missing_video must be 'error' or 'zero'")


PROTOCOLS: Registry[ScoringProtocol] = Registry(
    "vosbench.protocols",
    "protocol",
    lambda obj: isinstance(obj, ScoringProtocol),
    "a vosbench ScoringProtocol",
)

# In this process (tests, notebooks); a package registers through its entry point.
register_protocol = PROTOCOLS.add
protocol_spec = PROTOCOLS.get
protocol_names = PROTOCOLS.names


def protocol_of(dataset: str, override: str | None = None) -> ScoringProtocol:
    """The scoring protocol of a registered dataset (its spec's ``protocol``), or ``override``
    (another registered protocol, e.g. ``lvos-2022`` for LVOS numbers of 2022)."""
    spec = dataset_spec(dataset)
    if spec.protocol is None:
        raise VosbenchError(f"dataset {dataset!r} has no ground truth to score ({spec.description})")
    return protocol_spec(override or spec.protocol)


def protocol_catalogue() -> str:
    """`vosbench protocols`: every protocol with its columns and the official tool it matches."""
    lines = []
    names, broken = PROTOCOLS.available()
    for name in names:
        protocol = protocol_spec(name)
        lines.append(f"{name}: {protocol.description}")
        lines.append(f"    columns {', '.join(protocol.columns)}; headline {protocol.headline}")
        lines.append(f"    checked against: {protocol.checked_against}")
    return "\n".join(lines + [f"(not loaded) {line}" for line in broken])
