"""Scoring results against a benchmark's ground truth: a whole folder (:func:`evaluate`, what
`vosbench evaluate` does), or video by video as a run writes it (:func:`scoring_tasks`,
:func:`score_video`, :func:`summarize_scores`), with the same rules and the same numbers.
The rules are the dataset's scoring protocol (:mod:`vosbench.evaluation.protocols`)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from vosbench.datasets import Video, default_split, load_videos, select_videos
from vosbench.errors import VosbenchError
from vosbench.evaluation.engine import ScoringOptions, SequenceScores, score_results, score_sequence
from vosbench.evaluation.protocols import protocol_of
from vosbench.evaluation.report import result_contents, result_names
from vosbench.evaluation.summary import EvaluationResult, summarize
from vosbench.evaluation.tasks import SequenceTask


def evaluate(
    dataset: str,
    root: str | Path,
    results_dir: str | Path,
    split: str | None = None,
    options: ScoringOptions | None = None,
    workers: int | None = None,
    resolution: str = "480p",
    sequences: list[str] | None = None,
    progress: bool = False,
    protocol: str | None = None,
) -> EvaluationResult:
    """Score ``results_dir`` (``<sequence>/<frame>.png``) on a dataset split by its protocol
    (or ``protocol``, a registered one's name); writes nothing."""
    rules = protocol_of(dataset, protocol)
    split = split or default_split(dataset)
    videos = select_videos(load_videos(dataset, root, split, resolution), sequences, root, split)
    tasks = rules.tasks(dataset, Path(root), videos)
    if not any(task.frames for task in tasks) or rules.server_only(videos):
        raise VosbenchError(
            f"{root}: the {split} split of {dataset} has no ground truth to score here (its annotations "
            "give each object's first mask only; the benchmark's server holds the rest): make its "
            "submission zip with `vosbench submit` and upload that"
        )
    options = replace(options or ScoringOptions(), rule=rules.frame)
    missing_ok = rules.missing_video == "zero"
    scores = score_results(tasks, results_dir, options, workers, progress, missing_ok)
    result = summarize(scores, dataset, split, rules.name)
    if result.missing:
        names = ", ".join(result.missing[:5]) + (" ..." if len(result.missing) > 5 else "")
        print(
            f"vosbench: warning: {results_dir} lacks {len(result.missing)} video(s), scored 0 as the "
            f"{rules.name} protocol's official tool does: {names}",
            file=sys.stderr,
        )
    return result


def build_tasks(
    dataset: str, root: str | Path, split: str | None = None, resolution: str = "480p"
) -> list[SequenceTask]:
    """The scoring tasks of a whole dataset split (reads only what fixes the object ids)."""
    split = split or default_split(dataset)
    return protocol_of(dataset).tasks(dataset, Path(root), load_videos(dataset, root, split, resolution))


def scoring_tasks(dataset: str, root: str | Path, videos: list[Video]) -> dict[str, SequenceTask]:
    """What the benchmark scores in each of ``videos`` (by name; videos with nothing scored left
    out), to score them one at a time as they are written; none where the split's ground truth
    is its server's (first masks only)."""
    protocol = protocol_of(dataset)
    tasks = protocol.tasks(dataset, Path(root), videos)
    if not any(t.frames for t in tasks) or protocol.server_only(videos):
        return {}
    return {t.name: t for t in tasks}


def score_video(dataset: str, task: SequenceTask, results_dir: str | Path) -> SequenceScores:
    """One video's J and F per object and frame, read from ``results_dir``."""
    return score_sequence(task, results_dir, ScoringOptions(rule=protocol_of(dataset).frame))


def summarize_scores(scores: list[SequenceScores], dataset: str, split: str) -> EvaluationResult:
    """The benchmark's numbers from videos scored one at a time (in the dataset's order)."""
    return summarize(scores, dataset, split)


__all__ = [
    "EvaluationResult",
    "ScoringOptions",
    "SequenceScores",
    "SequenceTask",
    "build_tasks",
    "evaluate",
    "result_contents",
    "result_names",
    "score_video",
    "scoring_tasks",
    "summarize_scores",
]
