"""Scoring results against a benchmark's ground truth: a whole folder (:func:`evaluate`, what
`vosbench evaluate` does), or video by video as a run writes it (:func:`scoring_tasks`,
:func:`score_video`, :func:`summarize_scores`), with the same rules and the same numbers."""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets import Video, default_split, load_videos, select_videos
from vosbench.errors import VosbenchError
from vosbench.evaluation.engine import ScoringOptions, SequenceScores, score_results, score_sequence
from vosbench.evaluation.protocol import (
    Benchmark,
    SequenceTask,
    benchmark_of,
    first_masks_only,
    tasks_for_videos,
)
from vosbench.evaluation.report import result_contents, result_names
from vosbench.evaluation.summary import EvaluationResult, summarize


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
) -> EvaluationResult:
    """Score ``results_dir`` (``<sequence>/<frame>.png``) on a dataset split; writes nothing."""
    benchmark = benchmark_of(dataset)
    split = split or default_split(dataset)
    videos = select_videos(load_videos(dataset, root, split, resolution), sequences, root, split)
    tasks = tasks_for_videos(dataset, root, videos)
    server_only = benchmark is Benchmark.YOUTUBE and first_masks_only(videos)
    if server_only or not any(task.frames for task in tasks):
        raise VosbenchError(
            f"{root}: the {split} split of {dataset} has no ground truth to score here (its annotations "
            "give each object's first mask only; the benchmark's server holds the rest): make its "
            "submission zip with `vosbench submit` and upload that"
        )
    scores = score_results(tasks, results_dir, options, workers, progress)
    return summarize(scores, dataset, split, benchmark)


def scoring_tasks(dataset: str, root: str | Path, videos: list[Video]) -> dict[str, SequenceTask]:
    """What the benchmark scores in each of ``videos`` (by name; videos with nothing scored left
    out), to score them one at a time as they are written."""
    return {t.name: t for t in tasks_for_videos(dataset, root, videos)}


def score_video(task: SequenceTask, results_dir: str | Path) -> SequenceScores:
    """One video's J and F per object and frame, read from ``results_dir``."""
    return score_sequence(task, results_dir, ScoringOptions())


def summarize_scores(scores: list[SequenceScores], dataset: str, split: str) -> EvaluationResult:
    """The benchmark's numbers from videos scored one at a time (in the dataset's order)."""
    return summarize(scores, dataset, split, benchmark_of(dataset))


__all__ = [
    "EvaluationResult",
    "ScoringOptions",
    "SequenceScores",
    "SequenceTask",
    "evaluate",
    "result_contents",
    "result_names",
    "score_video",
    "scoring_tasks",
    "summarize_scores",
]
