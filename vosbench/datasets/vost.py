"""VOST (CVPR 2023) loader: videos of objects that change shape (cut, broken, folded).

Layout (``ROOT`` is the folder given on the command line), DAVIS-like::

    ROOT/ImageSets/<split>.txt                the split's videos
    ROOT/JPEGImages_10fps/<video>/<frame>.jpg every frame (10 fps): what a method runs on
    ROOT/JPEGImages/<video>/<frame>.jpg       the annotated frames' images (5 fps)
    ROOT/Annotations/<video>/<frame>.png      palette masks at 5 fps, void 255

A method runs on the 10 fps frames when they are there and writes masks for the annotated
ones, which the protocol (``vost``) scores.
"""

from __future__ import annotations

from pathlib import Path

from vosbench.datasets.base import (
    DatasetLayoutError,
    Video,
    describe_folder,
    list_stems,
    palette_video,
    read_list,
)
from vosbench.datasets.spec import DatasetSpec


def load_vost(root: str | Path, split: str) -> list[Video]:
    """The videos of a VOST split."""
    root = Path(root)
    listing = root / "ImageSets" / f"{split}.txt"
    if not listing.is_file():
        raise DatasetLayoutError(
            f"{root}: not a VOST root: expected {listing.relative_to(root)}; found {describe_folder(root)}"
        )
    videos = []
    for name in read_list(listing, "VOST split"):
        dense = list_stems(root / "JPEGImages_10fps" / name, ".jpg")
        images = dense or list_stems(root / "JPEGImages" / name, ".jpg")
        masks = list_stems(root / "Annotations" / name, ".png")
        if not masks:
            raise DatasetLayoutError(
                f"{root / 'Annotations' / name}: no masks for video {name!r} of {listing}"
            )
        scored = tuple(f for f in images if f in masks) if dense else None
        videos.append(palette_video(name, images, masks, scored_frames=scored))
    return videos


def _load(root: Path, split: str, resolution: str) -> list[Video]:
    return load_vost(root, split)  # one resolution


VOST = DatasetSpec(
    name="vost",
    description="VOST: objects that change shape; J and J_last (no F)",
    load=_load,
    default_split="val",
    splits=("train", "val", "test"),
    scored_splits=("train", "val"),
    evaluation_splits=("val", "test"),
    protocol="vost",
)
