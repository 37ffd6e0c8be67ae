"""The layout of a results folder: ``<folder>/<video>/<frame>.png``, one indexed mask per frame;
or, for a dataset whose objects have masks of their own (SA-V, where objects may overlap),
``<folder>/<video>/<object>/<frame>.png``, one binary mask per object and frame.

Every command that writes or reads results (run, evaluate, submit, reproduce's figures, the
run state) names its files through these functions, so the layout is said once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from vosbench.io.masks import write_mask

MASK_SUFFIX = ".png"
LAYOUT = "<video>/<frame>.png"


def video_folder(results: Path, video: str) -> Path:
    """The folder of one video's masks."""
    return results / video


def mask_file(frame: str) -> str:
    """A frame's mask file name inside its video folder."""
    return f"{frame}{MASK_SUFFIX}"


def mask_path(results: Path, video: str, frame: str) -> Path:
    """Where the mask of ``frame`` of ``video`` lives."""
    return results / video / mask_file(frame)


def holds_masks(folder: Path) -> bool:
    """Whether a folder holds at least one mask file."""
    return any(folder.glob(f"*{MASK_SUFFIX}"))


def frame_paths(
    results: Path, video: str, frame: str, objects: Mapping[int, str] | None = None
) -> list[Path]:
    """The files holding ``frame``'s masks: one, or one per object (id -> its folder name)."""
    if objects is None:
        return [mask_path(results, video, frame)]
    return [mask_path(results / video, name, frame) for name in objects.values()]


def write_frame(
    results: Path, video: str, frame: str, labels: np.ndarray, objects: Mapping[int, str] | None = None
) -> None:
    """Write a frame's predicted labels: one indexed mask, or a binary mask per object."""
    if objects is None:
        write_mask(mask_path(results, video, frame), labels)
        return
    for obj, name in objects.items():
        write_mask(mask_path(results / video, name, frame), (labels == obj).view(np.uint8))
