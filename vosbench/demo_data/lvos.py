"""The demo's LVOS dataset: its layout (8-digit frames, a mask every 5th frame, each object's
frame range in ``<split>_meta.json``, the unseen list), objects that leave and return, one
that is first given after the start."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vosbench.demo_data.mose import absences
from vosbench.demo_data.vos import render_video
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

NAMES = {"train": ("lighthouse", "pier"), "valid": ("glacier", "bazaar", "rapids")}
STEP = 5
UNSEEN = ("bazaar",)  # videos of categories the training split lacks


def write_lvos_demo(root: str | Path, seed: int, n_frames: int, size: tuple[int, int]) -> Path:
    """Write the demo's LVOS-layout dataset (train and valid, ground truth local) to ``root``."""
    root = Path(root)
    last = (n_frames - 1) // STEP * STEP  # the last annotated frame
    for split_index, (split, names) in enumerate(NAMES.items()):
        videos = {}
        for video_index, name in enumerate(names):
            rng = np.random.default_rng([seed, 11, split_index, video_index])
            n_objects = int(rng.integers(2, 4))
            late = STEP if last >= 2 * STEP else 0  # the last object is given on frame 5
            hidden = absences(rng, n_frames, n_objects)
            hidden[n_objects - 1] = range(0, late)
            frames = render_video(rng, n_frames, n_objects, size, hidden)
            for t, (image, labels) in enumerate(frames):
                write_image(root / split / "JPEGImages" / name / f"{t:08d}.jpg", image)
                if t % STEP == 0:
                    write_mask(root / split / "Annotations" / name / f"{t:08d}.png", labels)
            objects = {}
            for obj in range(1, n_objects + 1):
                start = late if obj == n_objects else 0
                count = (last - start) // STEP + 1
                objects[str(obj)] = {"frame_range": {"start": start, "end": last, "frame_nums": count}}
            videos[name] = {"objects": objects}
        write_atomic(root / split / f"{split}_meta.json", json.dumps({"videos": videos}, indent=1))
        unseen = "".join(f"{v}\n" for v in names if v in UNSEEN)
        write_atomic(root / split / "unseen_videos.txt", unseen)
    return root
