"""YouTube-VOS 2018 and 2019 loaders.

Layout (``ROOT`` is the folder given on the command line)::

    ROOT/train/meta.json                      categories of the training objects
    ROOT/<split>/meta.json                    videos -> <id> -> objects -> <obj> -> {category, frames}
    ROOT/<split>/JPEGImages/<video>/<f>.jpg   every 5th frame in valid and test
    ROOT/<split>/Annotations/<video>/<f>.png  palette masks
    ROOT/valid_all_frames/JPEGImages/...      all frames (optional)

In valid, objects can first appear in any annotated frame: meta.json gives each object's
frames, the first of which is where its mask is given. When ``valid_all_frames`` exists it
is used for the images (a method sees every frame) while ``scored_frames`` keeps the
frames the benchmark scores.
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
from vosbench.datasets.spec import DatasetSpec, SubmissionLayout

YOUTUBE_SPLITS = ("train", "valid", "test")


def read_meta(path: Path) -> dict:
    """Read a YouTube-VOS meta.json and check its top-level shape."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetLayoutError(
            f"{path}: missing (expected the YouTube-VOS meta.json of this split); "
            f"{path.parent} holds {describe_folder(path.parent)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise DatasetLayoutError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("videos"), dict):
        raise DatasetLayoutError(f"{path}: expected an object with a 'videos' mapping")
    return meta


def seen_categories(root: str | Path) -> frozenset[str]:
    """The object categories of the training split: what makes an object 'seen'."""
    meta = read_meta(Path(root) / "train" / "meta.json")
    return frozenset(
        str(obj["category"])
        for video in meta["videos"].values()
        for obj in video.get("objects", {}).values()
        if "category" in obj
    )


def load_youtube(root: str | Path, split: str = "valid") -> list[Video]:
    """The videos of a YouTube-VOS split (2018 and 2019 share the layout)."""
    root = Path(root)
    split_root = root / split
    if not split_root.is_dir():
        raise DatasetLayoutError(
            f"{root}: not a YouTube-VOS root: expected a {split}/ folder with meta.json, "
            f"JPEGImages/ and Annotations/; found {describe_folder(root)}"
        )
    meta = read_meta(split_root / "meta.json")
    all_frames_root = root / f"{split}_all_frames" / "JPEGImages"
    videos = []
    for name in sorted(meta["videos"]):
        entry = meta["videos"][name]
        sparse = list_stems(split_root / "JPEGImages" / name, ".jpg")
        dense = list_stems(all_frames_root / name, ".jpg") if all_frames_root.is_dir() else {}
        images = dense or sparse
        masks = list_stems(split_root / "Annotations" / name, ".png")
        if not images and not masks:
            raise DatasetLayoutError(
                f"{split_root / 'JPEGImages' / name}: no frames for video {name!r} of "
                f"{split_root / 'meta.json'}"
            )
        objects = []
        for obj_key, obj in sorted(entry.get("objects", {}).items(), key=lambda kv: int(kv[0])):
            obj_frames = sorted(str(f) for f in obj.get("frames", []))
            first = obj_frames[0] if obj_frames else ""
            objects.append(VideoObject(id=int(obj_key), first_frame=first, category=obj.get("category")))
        videos.append(
            palette_video(
                name,
                images,
                masks,
                objects=tuple(objects),
                scored_frames=tuple(sparse) if dense and sparse else None,
            )
        )
    return videos


def _load(root: Path, split: str, resolution: str) -> list[Video]:
    return load_youtube(root, split)  # one resolution


def _spec(year: int) -> DatasetSpec:
    return DatasetSpec(
        name=f"youtube{year}",
        description=f"YouTube-VOS {year}: seen and unseen categories, objects that start late",
        load=_load,
        default_split="valid",
        splits=YOUTUBE_SPLITS,
        # valid and test give only each object's first mask: their scores come from the server
        scored_splits=(),
        evaluation_splits=("valid", "test"),
        protocol="youtube",
        submission=SubmissionLayout(prefix="Annotations/", default_split="valid"),
    )


YOUTUBE2018 = _spec(2018)
YOUTUBE2019 = _spec(2019)
