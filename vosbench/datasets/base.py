"""The typed description of a video that every loader returns.

A :class:`Video` holds names and paths only: nothing is decoded until a caller reads a file
through :mod:`vosbench.io.masks` (or an image reader), so listing a dataset is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from vosbench.errors import VosbenchError


class MaskEncoding(Enum):
    """How a dataset stores its ground-truth masks."""

    BINARY = "binary"  # DAVIS 2016 release: grayscale, 0 background, 255 object
    INDEXED = "indexed"  # DAVIS 2017, YouTube-VOS: palette PNG, ids 1..N, 255 void


@dataclass(frozen=True)
class VideoObject:
    """One annotated object: its id, the frame where its mask is first given, its category."""

    id: int
    first_frame: str
    category: str | None = None


@dataclass(frozen=True)
class Video:
    """One video of a dataset split.

    ``frames`` are the frame names (file stems) in temporal order and ``image_paths`` their
    images; ``annotations`` maps the frames that carry ground truth to their mask files.
    ``objects`` is filled from the dataset's metadata where it has any (YouTube-VOS); for
    DAVIS the objects are the ids of the first annotated frame, read when needed.
    """

    name: str
    frames: tuple[str, ...]
    image_paths: tuple[Path, ...]
    annotations: Mapping[str, Path]
    mask_encoding: MaskEncoding
    objects: tuple[VideoObject, ...] | None = None
    # YouTube-VOS valid/test: the frames the benchmark scores (every 5th frame), when the
    # video's images cover all frames (valid_all_frames).
    scored_frames: tuple[str, ...] | None = field(default=None)

    @property
    def annotated_frames(self) -> tuple[str, ...]:
        """The frames with a ground-truth mask, in temporal order."""
        return tuple(sorted(self.annotations))


class DatasetLayoutError(VosbenchError):
    """A dataset root is not in the layout its loader expects."""


def read_list(path: Path, what: str) -> list[str]:
    """Read a list file (one entry per line, blank lines ignored)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetLayoutError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def list_stems(folder: Path, suffix: str) -> dict[str, Path]:
    """Map file stems to paths for the files of ``folder`` ending in ``suffix``, sorted."""
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == suffix and p.is_file())
    return {p.stem: p for p in files}


def describe_folder(root: Path, limit: int = 8) -> str:
    """A short listing of what a folder holds, for layout errors."""
    if not root.exists():
        return "nothing (the folder does not exist)"
    if not root.is_dir():
        return "a file, not a folder"
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in root.iterdir())
    if not names:
        return "an empty folder"
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} entries)" if len(names) > limit else "")
