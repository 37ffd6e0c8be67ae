"""The demo's MOSE and MOSEv2 datasets: videos whose objects leave the view and come back.

Layout as the real releases (``<split>/JPEGImages``, ``<split>/Annotations``, 5-digit
names): ``train`` holds a mask on every frame, ``valid`` only the first (the server keeps
the rest). MOSEv2's splits also get the ``meta.json`` its scorer reads (each video's length,
size and objects).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vosbench.demo_data.vos import render_video
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

NAMES = {"train": ("ferry", "market", "stairs"), "valid": ("tunnel", "crowd")}


def absences(rng: np.random.Generator, n_frames: int, n_objects: int) -> dict[int, range]:
    """A gap for every other object: it leaves after a third of the video and returns (the
    last object of a video may stay away to the end)."""
    gaps = {}
    for index in range(0, n_objects, 2):
        start = max(1, n_frames // 3 + int(rng.integers(0, 3)))
        stop = n_frames if index == n_objects - 1 and n_objects > 2 else start + max(2, n_frames // 4)
        gaps[index] = range(start, min(stop, n_frames))
    return gaps


def write_mose_demo(root: str | Path, seed: int, n_frames: int, size: tuple[int, int], meta: bool) -> Path:
    """Write the demo's MOSE-layout dataset to ``root`` (with meta.json when ``meta``)."""
    root = Path(root)
    for split_index, (split, names) in enumerate(NAMES.items()):
        videos = {}
        for video_index, name in enumerate(names):
            rng = np.random.default_rng([seed, 7, split_index, video_index])
            n_objects = int(rng.integers(2, 4))
            frames = render_video(rng, n_frames, n_objects, size, absences(rng, n_frames, n_objects))
            for t, (image, labels) in enumerate(frames):
                write_image(root / split / "JPEGImages" / name / f"{t:05d}.jpg", image)
                if split == "train" or t == 0:
                    write_mask(root / split / "Annotations" / name / f"{t:05d}.png", labels)
            objects = {str(i): {"category": "blob"} for i in range(1, n_objects + 1)}
            videos[name] = {"length": n_frames, "height": size[0], "width": size[1], "objects": objects}
        if meta:
            write_atomic(root / split / "meta.json", json.dumps({"videos": videos}, indent=1))
    return root
