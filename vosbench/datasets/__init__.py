"""Video datasets: one typed :class:`~vosbench.datasets.base.Video` API for every layout."""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets.base import DatasetLayoutError, MaskEncoding, Video, VideoObject
from vosbench.datasets.davis import load_davis
from vosbench.datasets.folder import load_folder
from vosbench.datasets.youtube import load_youtube
from vosbench.errors import VosbenchError

# The datasets a benchmark scores, and "folder" (a user's own videos, nothing to score).
BENCHMARK_DATASETS = ("davis2016", "davis2017", "youtube2018", "youtube2019")
DATASETS = (*BENCHMARK_DATASETS, "folder")
DEFAULT_SPLITS = {
    "davis2016": "val",
    "davis2017": "val",
    "youtube2018": "valid",
    "youtube2019": "valid",
    "folder": "",
}


def load_videos(
    dataset: str, root: str | Path, split: str | None = None, resolution: str = "480p"
) -> list[Video]:
    """The videos of ``dataset`` (one of :data:`DATASETS`) at ``root``, split ``split``."""
    if dataset not in DATASETS:
        raise VosbenchError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    split = split or DEFAULT_SPLITS[dataset]
    if dataset == "folder":
        return load_folder(root)
    if dataset.startswith("youtube"):
        return load_youtube(root, split)
    return load_davis(root, int(dataset[-4:]), split, resolution)


def select_videos(
    videos: list[Video], names: list[str] | tuple[str, ...] | None, root: str | Path, split: str
) -> list[Video]:
    """``videos`` restricted to ``names`` (in that order); an unknown name is an error."""
    if names is None:
        return videos
    by_name = {v.name: v for v in videos}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise VosbenchError(f"{root}: no sequence {missing[0]!r} in the {split} split")
    return [by_name[n] for n in names]


__all__ = [
    "BENCHMARK_DATASETS",
    "DATASETS",
    "DEFAULT_SPLITS",
    "DatasetLayoutError",
    "MaskEncoding",
    "Video",
    "VideoObject",
    "load_videos",
    "select_videos",
]
