"""The demo videos in the YouTube-VOS 2018/2019 layout (train and valid splits).

As in the real dataset, frames are sampled every 5th (``JPEGImages``), ``valid_all_frames``
holds every frame, and ``meta.json`` gives each object's category and annotated frames.
Unlike the real valid split, whose masks past the first are held by the benchmark server,
the demo's ``valid/Annotations`` holds every annotated frame's full masks, so that
``vosbench evaluate`` can score it locally with the server's protocol.
"""

from __future__ import annotations

import json
from pathlib import Path

from vosbench.demo_data.vos import DemoVideo
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

STEP = 5
SPLITS = {"train": "train", "val": "valid"}
# Demo objects are textured blobs: the categories are labels that make seen and unseen groups.
SEEN = ("kite", "hare", "boat")
UNSEEN = ("yak", "emu")


def write_youtube_demo(root: str | Path, videos: list[DemoVideo]) -> Path:
    """Write ``videos`` to ``root`` in the YouTube-VOS layout and return ``root``.

    Training objects take seen categories; valid objects alternate between a seen and an
    unseen category, so both groups of G are present.
    """
    root = Path(root)
    metas: dict[str, dict] = {split: {"videos": {}} for split in SPLITS.values()}
    valid_objects = 0
    for video in videos:
        split = SPLITS[video.split]
        sampled = range(0, len(video.frames), STEP)
        objects: dict[str, dict] = {}
        for t in sampled:
            image, labels = video.frames[t]
            name = f"{t:05d}"
            write_image(root / split / "JPEGImages" / video.name / f"{name}.jpg", image)
            write_mask(root / split / "Annotations" / video.name / f"{name}.png", labels)
            for obj_id in sorted(int(i) for i in set(labels.ravel().tolist()) - {0}):
                objects.setdefault(str(obj_id), {"frames": []})["frames"].append(name)
        if split == "valid":
            for t, (image, _) in enumerate(video.frames):
                write_image(root / "valid_all_frames" / "JPEGImages" / video.name / f"{t:05d}.jpg", image)
        for key in sorted(objects, key=int):
            if split == "train":
                category = SEEN[(int(key) - 1) % len(SEEN)]
            else:
                group = UNSEEN if valid_objects % 2 else SEEN
                category = group[valid_objects // 2 % len(group)]
                valid_objects += 1
            objects[key] = {"category": category, **objects[key]}
        metas[split]["videos"][video.name] = {"objects": objects}
    for split, meta in metas.items():
        write_atomic(root / split / "meta.json", json.dumps(meta, indent=1))
    return root
