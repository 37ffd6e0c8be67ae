"""Scoring a results folder: decode and score frames in parallel, then gather per object.

Work is split into chunks of consecutive frames of one sequence; each worker process reads
the ground truth and the prediction of its frames and returns J, F and whether each object
was segmented. Nothing is written here: the caller writes the outputs once all is scored,
so a bad file stops the run before any output exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vosbench.errors import VosbenchError
from vosbench.evaluation.protocols import FrameRule
from vosbench.evaluation.tasks import SequenceTask, ground_truth_labels, prediction_labels
from vosbench.io.masks import read_mask
from vosbench.io.results import mask_file, mask_path, video_folder
from vosbench.metrics.boundary import DEFAULT_BOUND_TH
from vosbench.system.processes import process_context
from vosbench.system.progress import progress_bar

CHUNK_FRAMES = 24


@dataclass(frozen=True)
class ScoringOptions:
    """How to score: the void rule, the boundary tolerance and the protocol's frame rule."""

    exclude_void: bool = False
    bound_th: float = DEFAULT_BOUND_TH
    rule: FrameRule = field(default_factory=FrameRule)


@dataclass
class SequenceScores:
    """Per-frame J and F (objects x frames) of one sequence, where each object was found, the
    protocol's other per-frame values by name, and whether the results lacked the video."""

    task: SequenceTask
    j: np.ndarray
    f: np.ndarray
    segmented: np.ndarray  # objects x frames: the prediction has the object's id there
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    missing: bool = False

    @classmethod
    def empty(cls, task: SequenceTask, missing: bool = False) -> SequenceScores:
        """Zeros for every object and frame (what a missing video scores)."""
        shape = (len(task.object_ids), task.n_frames)
        return cls(task, np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=bool), {}, missing)

    def store(self, start: int, stop: int, chunk: Chunk) -> None:
        """Frames ``start:stop`` from a scored chunk."""
        j, f, segmented, extras = chunk
        self.j[:, start:stop], self.f[:, start:stop], self.segmented[:, start:stop] = j, f, segmented
        for name, values in extras.items():
            self.extras.setdefault(name, np.zeros(self.j.shape, values.dtype))[:, start:stop] = values


Chunk = tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]


def _score_chunk(
    task: SequenceTask, results_dir: Path, start: int, stop: int, options: ScoringOptions
) -> Chunk:
    n_objects = len(task.object_ids)
    rows = np.asarray(task.object_ids) - 1
    j = np.empty((n_objects, stop - start))
    f = np.empty((n_objects, stop - start))
    segmented = np.zeros((n_objects, stop - start), dtype=bool)
    extras: dict[str, np.ndarray] = {}
    for column, index in enumerate(range(start, stop)):
        frame = task.frames[index]
        gt_raw = read_mask(task.gt_paths[index])
        pred_path = mask_path(results_dir, task.name, frame)
        pred_raw = read_mask(pred_path)
        if pred_raw.shape != gt_raw.shape:
            raise VosbenchError(
                f"{pred_path}: size {pred_raw.shape[1]}x{pred_raw.shape[0]}, expected "
                f"{gt_raw.shape[1]}x{gt_raw.shape[0]} (the ground truth's size)"
            )
        gt, void = ground_truth_labels(gt_raw, task.gt_encoding, task.merge, options.exclude_void)
        pred = prediction_labels(pred_raw, task.merge)
        top = int(pred.max())
        if options.rule.check_ids and top > task.n_labels:
            raise VosbenchError(
                f"{pred_path}: object id {top}, but sequence {task.name!r} has objects "
                f"1..{task.n_labels} (expected ids 0..{task.n_labels})"
            )
        scores = options.rule.score(gt, pred, task.n_labels, void, options.bound_th)
        j[:, column] = scores.j[rows]
        f[:, column] = scores.f[rows]
        segmented[:, column] = scores.found[rows]
        for name, values in (scores.extra or {}).items():
            extras.setdefault(name, np.zeros((n_objects, stop - start), values.dtype))[:, column] = values[
                rows
            ]
    return j, f, segmented, extras


def score_sequence(
    task: SequenceTask, results_dir: str | Path, options: ScoringOptions | None = None
) -> SequenceScores:
    """Score one sequence of a results folder (what ``score_results`` does for each)."""
    scores = SequenceScores.empty(task)
    scores.store(
        0, task.n_frames, _score_chunk(task, Path(results_dir), 0, task.n_frames, options or ScoringOptions())
    )
    return scores


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)  # one process per core already; threads would compete


def _chunks(tasks: list[SequenceTask], skip: set[str]) -> Iterator[tuple[int, int, int]]:
    for index, task in enumerate(tasks):
        if task.name in skip:
            continue
        for start in range(0, task.n_frames, CHUNK_FRAMES):
            yield index, start, min(start + CHUNK_FRAMES, task.n_frames)


def check_results_folder(tasks: list[SequenceTask], results_dir: Path, missing_ok: bool = False) -> set[str]:
    """Fail early, naming the first missing sequence folder or frame file; with ``missing_ok``
    a missing sequence folder is allowed instead (returns the names of those missing)."""
    if not results_dir.is_dir():
        raise VosbenchError(f"{results_dir}: results folder not found (expected <sequence>/<frame>.png)")
    missing = set()
    for task in tasks:
        folder = video_folder(results_dir, task.name)
        if not folder.is_dir():
            if missing_ok:
                missing.add(task.name)
                continue
            raise VosbenchError(
                f"{folder}: missing sequence folder (expected {task.n_frames} scored frames "
                f"{mask_file(task.frames[0])}..{mask_file(task.frames[-1])})"
                if task.frames
                else f"{folder}: missing sequence folder"
            )
        present = set(os.listdir(folder))
        for frame in task.frames:
            if mask_file(frame) not in present:
                raise VosbenchError(f"{folder / mask_file(frame)}: missing frame (scored by the benchmark)")
    return missing


def score_results(
    tasks: list[SequenceTask],
    results_dir: str | Path,
    options: ScoringOptions | None = None,
    workers: int | None = None,
    progress: bool = True,
    missing_ok: bool = False,
) -> list[SequenceScores]:
    """Score every task's frames of ``results_dir``; ``workers`` defaults to the CPU count.
    With ``missing_ok`` a video the folder lacks scores 0 on every frame (marked ``missing``)."""
    options = options or ScoringOptions()
    results_dir = Path(results_dir)
    missing = check_results_folder(tasks, results_dir, missing_ok)
    scores = [SequenceScores.empty(t, missing=t.name in missing) for t in tasks]
    chunks = list(_chunks(tasks, missing))
    total = sum(stop - start for _, start, stop in chunks)
    workers = max(1, workers or os.cpu_count() or 1)
    bar = progress_bar(total=total, unit="frame", desc="evaluate", enabled=progress)

    def store(chunk: tuple[int, int, int], result: Chunk) -> None:
        index, start, stop = chunk
        scores[index].store(start, stop, result)
        bar.update(stop - start)

    try:
        if workers == 1 or len(chunks) <= 1:
            _init_worker()
            for chunk in chunks:
                index, start, stop = chunk
                store(chunk, _score_chunk(tasks[index], results_dir, start, stop, options))
        else:
            context = process_context(preload=[__name__])
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
                futures = [
                    (chunk, pool.submit(_score_chunk, tasks[chunk[0]], results_dir, *chunk[1:], options))
                    for chunk in chunks
                ]
                try:
                    for chunk, future in futures:
                        store(chunk, future.result())
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)  # stop at the first error
                    raise
    finally:
        bar.close()
    return scores
