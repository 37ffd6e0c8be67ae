"""The typed description of a video that every loader returns.

A :class:`Video` holds names and paths only: nothing is decoded until a caller asks for a
frame, a mask or the size (read from the first image's header), so listing a dataset is
cheap. Reading goes through :mod:`vosbench.io`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from vosbench.errors import VosbenchError
from vosbench.io.images import image_size, read_image
from vosbench.io.masks import VOID_LABEL, read_mask


class MaskEncoding(Enum):
    """How a dataset stores its ground-truth masks."""

    BINARY = "binary"  # DAVIS 2016 release: grayscale, 0 background, 255 object
    INDEXED = "indexed"  # DAVIS 2017, YouTube-VOS: palette PNG, ids 1..N, 255 void


@dataclass(frozen=True)
class VideoObject:
    """One annotated object: its id, the frame where its mask is first given, its category,
    and what else its dataset's metadata says of it that a scoring protocol reads (LVOS: its
    ``frame_range`` and whether its video is ``unseen``)."""

    id: int
    first_frame: str
    category: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Video:
    """One video of a dataset split.

    ``frames`` are the frame names (file stems) in temporal order and ``image_paths`` their
    images; ``annotations`` maps the frames that carry ground truth to their mask files.
    ``objects`` is filled from the dataset's metadata where it has any (YouTube-VOS, a
    user's folder); otherwise (DAVIS) :meth:`resolve_objects` reads them from the first
    annotated frame. ``merge_objects`` makes every id above 0 one object (DAVIS 2016 read
    from a DAVIS 2017 root).
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
    merge_objects: bool = False
    # SA-V: each object's own binary masks (folder name -> frame -> file), where objects may
    # overlap; object k (1-based, in folder order) is the k-th folder. ``annotations`` then maps
    # each annotated frame to one of its files.
    object_masks: Mapping[str, Mapping[str, Path]] | None = None

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def annotated_frames(self) -> tuple[str, ...]:
        """The frames with a ground-truth mask, in temporal order."""
        return tuple(sorted(self.annotations))

    @property
    def output_frames(self) -> tuple[str, ...]:
        """The frames whose masks a method's results must hold for the benchmark."""
        return self.scored_frames if self.scored_frames is not None else self.frames

    @cached_property
    def size(self) -> tuple[int, int]:
        """The original ``(height, width)``, read from the first image's header."""
        if self.image_paths:
            return image_size(self.image_paths[0])
        first = self.annotated_frames[0]
        return read_mask(self.annotations[first]).shape  # type: ignore[return-value]

    def read_frame(self, index: int) -> np.ndarray:
        """The RGB ``uint8`` image of frame ``index``."""
        return read_image(self.image_paths[index])

    @property
    def object_folders(self) -> dict[int, str] | None:
        """Object id -> its folder of masks, for videos whose objects have masks of their own."""
        return None if self.object_masks is None else dict(enumerate(self.object_masks, start=1))

    def read_labels(self, frame: str) -> np.ndarray:
        """The object labels of an annotated frame: ids 1..N, void and background as 0 (objects
        with masks of their own: composed in id order, a later object over an earlier one)."""
        if self.object_masks is None:
            return object_labels(read_mask(self.annotations[frame]), self.mask_encoding, self.merge_objects)
        labels = np.zeros(read_mask(self.annotations[frame]).shape, np.uint8)
        for obj, name in (self.object_folders or {}).items():
            path = self.object_masks[name].get(frame)
            if path is not None:
                labels[read_mask(path) > 0] = obj
        return labels

    def resolve_objects(self) -> tuple[VideoObject, ...]:
        """The video's objects; for DAVIS, ids 1..N with N the largest id of the first mask."""
        if self.objects is not None:
            return self.objects
        if self.object_masks is not None:  # each from its first own mask
            return tuple(
                VideoObject(id=obj, first_frame=min(self.object_masks[name]))
                for obj, name in (self.object_folders or {}).items()
            )
        annotated = self.annotated_frames
        if not annotated:
            raise DatasetLayoutError(f"video {self.name!r}: no annotation PNGs found")
        top = int(self.read_labels(annotated[0]).max())
        return tuple(VideoObject(id=i, first_frame=annotated[0]) for i in range(1, top + 1))

    def given_masks(self) -> dict[str, tuple[int, ...]]:
        """The frames where object masks are given, each with the ids that first appear there."""
        given: dict[str, list[int]] = {}
        for obj in self.resolve_objects():
            given.setdefault(obj.first_frame, []).append(obj.id)
        return {frame: tuple(ids) for frame, ids in given.items()}


def palette_video(name: str, images: Mapping[str, Path], masks: Mapping[str, Path], **fields: Any) -> Video:
    """A video of ``images`` and palette ``masks`` (frame -> file, in order), as the YouTube-VOS,
    MOSE and LVOS layouts store them; its frames are the images' (the masks' without images)."""
    return Video(
        name=name,
        frames=tuple(images) if images else tuple(masks),
        image_paths=tuple(images.values()),
        annotations=masks,
        mask_encoding=MaskEncoding.INDEXED,
        **fields,
    )


def object_labels(raw: np.ndarray, encoding: MaskEncoding, merge: bool = False) -> np.ndarray:
    """Object ids of a stored mask: binary masks give 0/1, void (255) becomes background."""
    if encoding is MaskEncoding.BINARY:
        return (raw > 0).view(np.uint8)
    void = raw == VOID_LABEL
    labels = np.where(void, 0, raw).astype(np.uint8) if void.any() else raw
    return (labels > 0).view(np.uint8) if merge else labels


class DatasetLayoutError(VosbenchError):
    """A dataset root is not in the layout its loader expects."""


def read_list(path: Path, what: str) -> list[str]:
    """Read a list file (one entry per line, blank lines ignored)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetLayoutError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def list_stems(folder: Path, *suffixes: str) -> dict[str, Path]:
    """Map file stems to paths for the files of ``folder`` ending in one of ``suffixes``, sorted."""
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in suffixes and p.is_file())
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
