"""The demo's VOST dataset: its layout (every frame in ``JPEGImages_10fps``, every 2nd with its
image in ``JPEGImages`` and its mask in ``Annotations``, ``ImageSets/<split>.txt``), objects
that leave and return, and void (255) where an object's edge is uncertain, as VOST marks it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vosbench.demo_data.mose import absences
from vosbench.demo_data.vos import render_video
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import VOID_LABEL, write_mask

NAMES = {"train": ("dough", "paper"), "val": ("carrot", "origami")}


def write_vost_demo(root: str | Path, seed: int, n_frames: int, size: tuple[int, int]) -> Path:
    """Write the demo's VOST-layout dataset (train and val, ground truth local) to ``root``."""
    root = Path(root)
    for split_index, (split, names) in enumerate(NAMES.items()):
        for video_index, name in enumerate(names):
            rng = np.random.default_rng([seed, 13, split_index, video_index])
            n_objects = int(rng.integers(1, 3))
            frames = render_video(rng, n_frames, n_objects, size, absences(rng, n_frames, n_objects))
            for t, (image, labels) in enumerate(frames):
                write_image(root / "JPEGImages_10fps" / name / f"{t:05d}.jpg", image)
                if t % 2 == 0:  # annotations at half the frame rate
                    edge = cv2.morphologyEx(labels, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
                    void = edge & (rng.random(labels.shape) < 0.5) if t else np.zeros_like(edge)
                    write_image(root / "JPEGImages" / name / f"{t:05d}.jpg", image)
                    write_mask(
                        root / "Annotations" / name / f"{t:05d}.png", np.where(void, VOID_LABEL, labels)
                    )
        write_atomic(root / "ImageSets" / f"{split}.txt", "".join(f"{n}\n" for n in names))
    return root
