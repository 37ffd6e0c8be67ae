"""`vosbench evaluate`: score a results folder against a benchmark's ground truth."""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets import DEFAULT_SPLITS
from vosbench.evaluation.engine import ScoringOptions, score_results
from vosbench.evaluation.protocol import DATASETS, benchmark_of, build_tasks
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
    split = split or DEFAULT_SPLITS[dataset]
    tasks = build_tasks(dataset, root, split, resolution, sequences)
    scores = score_results(tasks, results_dir, options, workers, progress)
    return summarize(scores, dataset, split, benchmark)


__all__ = ["DATASETS", "EvaluationResult", "ScoringOptions", "evaluate"]
