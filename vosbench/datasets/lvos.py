"""LVOS v1 (ICCV 2023) and v2 loaders: long videos, objects that leave and return.

Layout (``ROOT`` is the folder given on the command line)::

    ROOT/<split>/JPEGImages/<video>/<8-digit>.jpg    every frame
    ROOT/<split>/Annotations/<video>/<8-digit>.png   every 5th frame, palette masks
    ROOT/<split>/<split>_meta.json                   videos -> <id> -> objects -> <obj> ->
                                                     frame_range {start, end, frame_nums}
    ROOT/<split>/unseen_videos.txt                   the videos of unseen categories

Each object is annotated from its ``start`` to its ``end`` frame (every 5th); the scoring
protocol (``lvos``) reads the range, and the unseen list splits the objects into the seen
and unseen groups. The list is the one the official evaluator reads (its repository's
``unseen_videos.txt``); copy it beside the split if your download lacks it.
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
    read_list,
)
from vosbench.datasets.spec import DatasetSpec, SubmissionLayout

UNSEEN_LIST = "unseen_videos.txt"


def _read_meta(path: Path) -> dict:
    try:
        videos = json.loads(path.read_text(encoding="utf-8"))["videos"]
        for entry in videos.values():
            for key, obj in entry["objects"].items():
                int(key), int(obj["frame_range"]["start"]), int(obj["frame_range"]["end"])
                int(obj["frame_range"]["frame_nums"])
    except FileNotFoundError:
        raise DatasetLayoutError(
            f"{path}: missing (expected the LVOS meta file of this split); "
            f"{path.parent} holds {describe_folder(path.parent)}"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DatasetLayoutError(
            f"{path}: expected {{'videos': {{video: {{'objects': {{id: {{'frame_range': "
            f"{{'start', 'end', 'frame_nums'}}}}}}}}}}}} ({type(exc).__name__}: {exc})"
        ) from None
    return videos


def load_lvos(root: str | Path, split: str, name: str = "LVOS") -> list[Video]:
    """The videos of an LVOS split (v1 and v2 share the layout)."""
    root = Path(root)
    split_root = root / split
    if not split_root.is_dir():
        raise DatasetLayoutError(
            f"{root}: not an {name} root: expected a {split}/ folder with JPEGImages/, Annotations/ "
            f"and {split}_meta.json; found {describe_folder(root)}"
        )
    meta = _read_meta(split_root / f"{split}_meta.json")
    unseen_file = split_root / UNSEEN_LIST
    unseen = set(read_list(unseen_file, "LVOS unseen list")) if unseen_file.is_file() else None
    videos = []
    for video in sorted(meta):
        images = list_stems(split_root / "JPEGImages" / video, ".jpg")
        masks = list_stems(split_root / "Annotations" / video, ".png")
        if not images and not masks:
            raise DatasetLayoutError(f"{split_root / 'JPEGImages' / video}: no frames for video {video!r}")
        objects, annotated = [], set()
        for key, obj in sorted(meta[video]["objects"].items(), key=lambda kv: int(kv[0])):
            extent = {k: int(v) for k, v in obj["frame_range"].items() if k in ("start", "end", "frame_nums")}
            info = {"frame_range": extent, **({"unseen": video in unseen} if unseen is not None else {})}
            objects.append(VideoObject(id=int(key), first_frame=f"{extent['start']:08d}", meta=info))
            annotated.update(f"{i:08d}" for i in range(extent["start"], extent["end"] + 1, 5))
        videos.append(
            palette_video(
                video,
                images,
                masks,
                objects=tuple(objects),
                # every 5th frame of each object's range: what the benchmark scores
                scored_frames=tuple(f for f in images if f in annotated) if images else None,
            )
        )
    return videos


def _spec(version: int) -> DatasetSpec:
    def load(root: Path, split: str, resolution: str) -> list[Video]:
        return load_lvos(root, split, f"LVOS v{version}")  # one resolution

    return DatasetSpec(
        name=f"lvos{version}",
        description=f"LVOS v{version}: long videos, objects that leave and return; seen and unseen",
        load=load,
        default_split="valid",
        splits=("train", "valid", "test"),
        scored_splits=("train", "valid"),
        evaluation_splits=("valid", "test"),
        protocol="lvos",
        submission=SubmissionLayout(prefix="Annotations/", default_split="test"),
    )


LVOS1 = _spec(1)
LVOS2 = _spec(2)
