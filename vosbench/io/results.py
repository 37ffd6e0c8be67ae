"""The layout of a results folder: ``<folder>/<video>/<frame>.png``, one indexed mask per frame.

Every command that writes or reads results (run, evaluate, submit, reproduce's figures, the
run state) names its files through these functions, so the layout is said once.
"""

from __future__ import annotations

from pathlib import Path

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
