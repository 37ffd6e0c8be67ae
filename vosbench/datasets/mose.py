"""MOSE (v1, ICCV 2023) and MOSEv2 loaders: complex scenes, objects that disappear and return.

Layout (``ROOT`` is the folder given on the command line), DAVIS-like per split::

    ROOT/<split>/JPEGImages/<video>/<5-digit>.jpg
    ROOT/<split>/Annotations/<video>/<5-digit>.png   palette masks, ids 1..N
    ROOT/<split>/meta.json                           optional: videos -> <id> -> objects -> <obj>

``train`` has a mask on every frame; ``valid`` (and MOSEv2's ``test``) only the first, the
servers keep the rest. Objects are those of meta.json where it lists them (the MOSEv2
scorer's ``--meta``), else those of the first mask.
"""

from __future__ import annotations

import json
from pathlib import Path

from vosbench.datasets.base import (
    DatasetLayoutError,
    Video,
    VideoObject,
    describe_folder,
    list_stems,
    palette_video,
)
from vosbench.datasets.spec import DatasetSpec, Loader, SubmissionLayout


def _meta_objects(path: Path) -> dict[str, list[int]]:
    """video -> object ids from an optional meta.json (``{"videos": {v: {"objects": {...}}}}``)."""
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        videos = meta["videos"]
        return {name: sorted(int(k) for k in entry.get("objects", {})) for name, entry in videos.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DatasetLayoutError(
            f"{path}: expected {{'videos': {{video: {{'objects': {{id: ...}}}}}}}} ({exc})"
        ) from None


def load_mose(root: str | Path, split: str, name: str = "MOSE") -> list[Video]:
    """The videos of a MOSE or MOSEv2 split."""
    root = Path(root)
    split_root = root / split
    images_root, masks_root = split_root / "JPEGImages", split_root / "Annotations"
    if not images_root.is_dir() and not masks_root.is_dir():
        raise DatasetLayoutError(
            f"{root}: not a {name} root: expected {split}/JPEGImages/ and {split}/Annotations/; "
            f"found {describe_folder(root)}"
        )
    meta = _meta_objects(split_root / "meta.json")
    names = sorted(
        {
            p.name
            for folder in (images_root, masks_root)
            if folder.is_dir()
            for p in folder.iterdir()
            if p.is_dir()
        }
    )
    videos = []
    for video in names:
        images = list_stems(images_root / video, ".jpg")
        masks = list_stems(masks_root / video, ".png")
        if not masks:
            raise DatasetLayoutError(
                f"{masks_root / video}: no masks for video {video!r} (expected <5-digit>.png)"
            )
        first = min(masks)
        objects = tuple(VideoObject(id=i, first_frame=first) for i in meta[video]) if video in meta else None
        videos.append(
            palette_video(
                video,
                images,
                masks,
                objects=objects,
            )
        )
    return videos


def _loader(name: str) -> Loader:
    def load(root: Path, split: str, resolution: str) -> list[Video]:
        return load_mose(root, split, name)  # one resolution

    return load


MOSE = DatasetSpec(
    name="mose",
    description="MOSE (v1): complex scenes; scored as DAVIS 2017 (its server's code is not public)",
    load=_loader("MOSE"),
    default_split="valid",
    splits=("train", "valid"),
    scored_splits=("train",),
    evaluation_splits=("valid",),
    protocol="davis",
    submission=SubmissionLayout(prefix="Annotations/", default_split="valid"),
)
MOSEV2 = DatasetSpec(
    name="mosev2",
    description="MOSEv2: complex scenes, disappearing and returning objects; J&Ḟ",
    load=_loader("MOSEv2"),
    default_split="valid",
    splits=("train", "valid", "test"),
    scored_splits=("train",),
    evaluation_splits=("valid", "test"),
    protocol="mosev2",
    submission=SubmissionLayout(prefix="Annotations/", default_split="valid"),
)
