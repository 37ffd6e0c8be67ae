"""Video datasets: one typed :class:`~vosbench.datasets.base.Video` API for every layout,
and the registry of :class:`~vosbench.datasets.spec.DatasetSpec` that names them."""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets.base import DatasetLayoutError, MaskEncoding, Video, VideoObject
from vosbench.datasets.spec import (
    DatasetSpec,
    SubmissionLayout,
    dataset_names,
    dataset_spec,
    register_dataset,
    scored_dataset_names,
    submittable_dataset_names,
)
from vosbench.errors import VosbenchError


def default_split(dataset: str) -> str:
    """The split a command uses for ``dataset`` when none is given."""
    return dataset_spec(dataset).default_split


def load_videos(
    dataset: str, root: str | Path, split: str | None = None, resolution: str = "480p"
) -> list[Video]:
    """The videos of a registered ``dataset`` at ``root``, split ``split`` (default: its own)."""
    return dataset_spec(dataset).videos(root, split, resolution)


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
    "DatasetLayoutError",
    "DatasetSpec",
    "MaskEncoding",
    "SubmissionLayout",
    "Video",
    "VideoObject",
    "dataset_names",
    "dataset_spec",
    "default_split",
    "load_videos",
    "register_dataset",
    "scored_dataset_names",
    "select_videos",
    "submittable_dataset_names",
]
