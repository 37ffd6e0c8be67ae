"""SA-V (the SAM 2 dataset) val and test: one binary mask per object and annotated frame;
objects may overlap.

Layout (``ROOT`` is the folder given on the command line)::

    ROOT/sav_<split>/sav_<split>.txt                       the split's videos
    ROOT/sav_<split>/JPEGImages_24fps/<video>/<5-digit>.jpg  every frame (24 fps)
    ROOT/sav_<split>/Annotations_6fps/<video>/<object>/<5-digit>.png
                                                           each object's binary mask, every 4th frame

Object k (1-based) is the k-th object folder (``000``, ``001``, ...), first given on its first
mask. Results are written in the same per-object layout (``<video>/<object>/<frame>.png``),
which SA-V's evaluator reads; both splits' ground truth is public.
"""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets.base import (
    DatasetLayoutError,
    MaskEncoding,
    Video,
    describe_folder,
    list_stems,
    read_list,
)
from vosbench.datasets.spec import DatasetSpec


def load_sav(root: str | Path, split: str) -> list[Video]:
    """The videos of an SA-V split (``val`` or ``test``)."""
    root = Path(root)
    split_root = root / f"sav_{split}"
    listing = split_root / f"sav_{split}.txt"
    if not listing.is_file():
        raise DatasetLayoutError(
            f"{root}: not an SA-V root: expected sav_{split}/sav_{split}.txt; found {describe_folder(root)}"
        )
    videos = []
    for name in read_list(listing, "SA-V split"):
        images = list_stems(split_root / "JPEGImages_24fps" / name, ".jpg")
        folder = split_root / "Annotations_6fps" / name
        objects = (
            {p.name: list_stems(p, ".png") for p in sorted(folder.iterdir()) if p.is_dir()}
            if folder.is_dir()
            else {}
        )
        objects = {k: v for k, v in objects.items() if v}
        if not objects:
            raise DatasetLayoutError(
                f"{folder}: no object folders of masks for video {name!r} (expected 000/<frame>.png)"
            )
        annotated: dict[str, Path] = {}
        for masks in objects.values():
            for frame, path in masks.items():
                annotated.setdefault(frame, path)
        annotations = dict(sorted(annotated.items()))
        videos.append(
            Video(
                name=name,
                frames=tuple(images) if images else tuple(annotations),
                image_paths=tuple(images.values()),
                annotations=annotations,
                mask_encoding=MaskEncoding.BINARY,
                scored_frames=tuple(f for f in images if f in annotations) if images else None,
                object_masks=objects,
            )
        )
    return videos


def _load(root: Path, split: str, resolution: str) -> list[Video]:
    return load_sav(root, split)  # one resolution


SAV = DatasetSpec(
    name="sav",
    description="SA-V (SAM 2): one binary mask per object, objects may overlap; J&F",
    load=_load,
    default_split="val",
    splits=("val", "test"),
    scored_splits=("val", "test"),
    evaluation_splits=("val", "test"),
    protocol="sav",
)
