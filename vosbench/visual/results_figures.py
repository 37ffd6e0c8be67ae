"""Figures of one scored results folder: its masks over the frames (a contact sheet) and every
object's score with the mean and its interval, for a reader who would rather look than read."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.datasets.base import Video
from vosbench.evaluation.summary import EvaluationResult
from vosbench.io.images import write_image
from vosbench.io.masks import read_mask
from vosbench.io.results import frame_paths
from vosbench.visual.overlay import contact_sheet, draw_outline, overlay
from vosbench.visual.plots import pyplot, save_figure, set_wrapped_title


def _predicted(results: Path, video: Video, frame: str) -> bool:
    return any(p.is_file() for p in frame_paths(results, video.name, frame, video.object_folders))


def predicted_labels(results: Path, video: Video, frame: str) -> np.ndarray | None:
    """A frame's predicted labels from a results folder (one indexed mask, or one binary mask per
    object, later objects drawn over earlier ones); ``None`` when the folder lacks the frame."""
    objects = video.object_folders
    if not _predicted(results, video, frame):
        return None
    paths = frame_paths(results, video.name, frame, objects)
    if objects is None:
        return read_mask(paths[0])
    labels: np.ndarray | None = None
    for obj, path in zip(objects, paths, strict=True):
        if path.is_file():
            mask = read_mask(path)
            labels = np.zeros(mask.shape, np.uint8) if labels is None else labels
            labels[mask > 0] = obj
    return labels


SHEET_VIDEOS = 24  # rows of an overlay sheet at most: past that a sheet is too tall to look at
LABELLED_OBJECTS = 80  # objects named on the scores figure at most; past that, bars alone


def overlay_sheet(
    videos: list[Video],
    results: Path,
    path: Path,
    per_video: int = 3,
    scores: dict[str, float] | None = None,
    max_videos: int = SHEET_VIDEOS,
) -> Path | None:
    """A contact sheet of ``results`` over the frames: one row per video, ``per_video`` frames
    spread from its first to its last predicted one, each prediction tinted with the ground
    truth's outline in white where the frame has one, captioned with the video, the frame and,
    where given, the video's score (``scores``: video -> percent). Of more than ``max_videos``
    videos, the lowest-scoring ones where scores are given (where to look first), else the first.
    ``None`` if nothing is shown."""
    if scores:
        videos = sorted(videos, key=lambda v: scores.get(v.name, float("inf")))
    rows, captions = [], []
    for video in videos:
        if len(rows) == max_videos:
            break
        shown = [(i, f) for i, f in enumerate(video.frames) if _predicted(results, video, f)]
        if not shown:
            continue
        row, texts = [], []
        for k in spread(len(shown), per_video):
            index, frame = shown[k]
            tile = overlay(video.read_frame(index), predicted_labels(results, video, frame))
            if frame in video.annotations:  # the ground truth's outline, where this split has it
                tile = draw_outline(tile, video.read_labels(frame))
            row.append(tile)
            score = f" ({scores[video.name]:.1f})" if scores and video.name in scores else ""
            texts.append(f"{video.name}{score} {frame}")
        rows.append(row)
        captions.append(texts)
    if not rows:
        return None
    write_image(path, contact_sheet(rows, captions=captions))
    return path


def spread(n: int, k: int) -> list[int]:
    """``k`` indices of ``n`` items (all of them when fewer) from the first to the last, evenly
    spaced, in order."""
    if k <= 1 or n <= 1:
        return [0][:n]
    return sorted({(i * (n - 1) + (k - 1) // 2) // (k - 1) for i in range(k)}) if k < n else list(range(n))


def object_scores_figure(result: EvaluationResult, path: Path, title: str = "") -> Path:
    """Every object's score, sorted, as bars (J and F-Mean as marks where the protocol has
    both), with the overall mean and its 95% interval."""
    objects = sorted(result.objects, key=lambda o: o.score)
    names = [o.key for o in objects]
    y = np.arange(len(objects))
    labelled = len(objects) <= LABELLED_OBJECTS
    plt = pyplot()
    height = max(3.0, 0.2 * len(objects) + 1.4) if labelled else 6.0
    fig, ax = plt.subplots(figsize=(7, height), dpi=110)
    ax.barh(y, [100 * o.score for o in objects], color="tab:blue", alpha=0.75, label=_score_name(result))
    j = [100 * o.j_stats.mean for o in objects]
    f = [100 * o.f_stats.mean for o in objects]
    if np.all(np.isfinite(f)):  # VOST scores no F
        ax.plot(j, y, "|", color="k", ms=7 if labelled else 2, label="J-Mean")
        ax.plot(f, y, "x", color="tab:red", ms=4 if labelled else 1.5, label="F-Mean")
    name, value = result.headline
    ax.axvline(100 * value, color="k", lw=1.2, label=name)
    interval = result.intervals.get(name)
    if interval is not None and interval.low == interval.low:  # not NaN
        ax.axvspan(100 * interval.low, 100 * interval.high, color="k", alpha=0.12, label="95% interval")
    if labelled:
        ax.set_yticks(y, names, fontsize=8)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(objects)} objects, sorted by score")
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent")
    where = f"{result.dataset} {result.split}, {len(objects)} objects"
    heading = f"{where}: {name} {100 * value:.1f}"
    set_wrapped_title(ax, f"{title}\n{heading}" if title else heading, 9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def _score_name(result: EvaluationResult) -> str:
    from vosbench.evaluation.protocols import protocol_spec

    return f"{protocol_spec(result.protocol).object_score} per object"


def figure_names(split: str) -> list[str]:
    """The files :func:`draw_figures` writes: every object's score, the masks over the frames."""
    return [f"per-object-{split}.png", f"overlays-{split}.png"]


def draw_figures(
    dataset: str,
    root: Path,
    results: Path,
    out_dir: Path,
    split: str,
    resolution: str = "480p",
    sequences: list[str] | tuple[str, ...] | None = None,
    result: EvaluationResult | None = None,
) -> list[Path]:
    """:func:`figure_names`' files for a results folder: the scores' figure where it was scored
    (``result``), and the overlays, captioned with each video's mean score where known."""
    from vosbench.datasets import load_videos

    per_object, overlays = (out_dir / name for name in figure_names(split))
    written = [] if result is None else [object_scores_figure(result, per_object, title=str(results))]
    videos = load_videos(dataset, root, split, resolution=resolution)
    videos = [v for v in videos if sequences is None or v.name in sequences]
    by_video: dict[str, list[float]] = {}
    for o in result.objects if result is not None else []:
        by_video.setdefault(o.sequence, []).append(100 * o.score)
    means = {name: sum(v) / len(v) for name, v in by_video.items()}
    sheet = overlay_sheet(videos, results, overlays, scores=means)
    return written + ([sheet] if sheet is not None else [])
