"""A user's own videos: a folder of ``<video>/<frame>.jpg`` with ``<video>/<frame>.png`` masks.

Layout::

    ROOT/<video>/00000.jpg, 00001.jpg, ...   the frames (.jpg or .jpeg), in name order
    ROOT/<video>/00000.png                   the given masks (usually only the first frame)

A mask is an indexed PNG with object ids 1..N (255 = void), or a grayscale 0/255 mask for a
single object. An object's mask is given on the first frame whose PNG contains its id, so
objects may start later in the video. There is no ground truth to score against.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.datasets.base import (
    DatasetLayoutError,
    MaskEncoding,
    Video,
    VideoObject,
    describe_folder,
    list_stems,
    object_labels,
)
from vosbench.datasets.spec import DatasetSpec
from vosbench.io.masks import VOID_LABEL, read_mask

IMAGE_SUFFIXES = (".jpg", ".jpeg")


def load_folder(root: str | Path) -> list[Video]:
    """The videos of a folder of ``<video>/<frame>.jpg`` plus ``<frame>.png`` masks."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetLayoutError(f"{root}: not a folder (expected <video>/<frame>.jpg and <frame>.png)")
    videos = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        images = list_stems(folder, *IMAGE_SUFFIXES)
        masks = list_stems(folder, ".png")
        if not images:
            continue
        if not masks:
            raise DatasetLayoutError(
                f"{folder}: no mask PNG (expected <frame>.png for at least the first frame, "
                f"e.g. {next(iter(images))}.png)"
            )
        stray = sorted(set(masks) - set(images))
        if stray:
            raise DatasetLayoutError(f"{masks[stray[0]]}: a mask without a frame image of the same name")
        videos.append(_video(folder, images, masks))
    if not videos:
        raise DatasetLayoutError(
            f"{root}: no video folders with frames (expected <video>/<frame>.jpg); "
            f"found {describe_folder(root)}"
        )
    return videos


def _video(folder: Path, images: dict[str, Path], masks: dict[str, Path]) -> Video:
    stored = {frame: read_mask(path) for frame, path in masks.items()}
    binary = all(np.isin(m, (0, VOID_LABEL)).all() for m in stored.values())
    encoding = MaskEncoding.BINARY if binary else MaskEncoding.INDEXED
    objects: dict[int, str] = {}
    for frame in sorted(stored):
        for obj_id in np.unique(object_labels(stored[frame], encoding)):
            objects.setdefault(int(obj_id), frame)
    objects.pop(0, None)
    if not objects:
        raise DatasetLayoutError(f"{masks[min(masks)]}: the masks of {folder.name!r} hold no object")
    return Video(
        name=folder.name,
        frames=tuple(images),
        image_paths=tuple(images.values()),
        annotations=masks,
        mask_encoding=encoding,
        objects=tuple(VideoObject(id=i, first_frame=f) for i, f in sorted(objects.items())),
    )


def _load(root: Path, split: str, resolution: str) -> list[Video]:
    return load_folder(root)  # no splits, one resolution


FOLDER = DatasetSpec(
    name="folder",
    description="your own videos: <video>/<frame>.jpg with <frame>.png masks (nothing to score)",
    load=_load,
    default_split="",
)
