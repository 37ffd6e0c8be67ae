"""The bundled example: a small DAVIS 2017-layout dataset and a method's results on it.

Generated from a fixed seed (no download, well under a second): three sequences of moving,
overlapping ellipses over a noisy background, and "results" that follow the objects with a
growing drift and a missed object on a few frames, so every statistic (Mean, Recall,
Decay) has something to show.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

SEQUENCES = {"orbit": 2, "crossing": 3, "drift": 1}
N_FRAMES = 14
HEIGHT, WIDTH = 240, 427


def _draw(frame: int, n_objects: int, rng_seed: int, offset: float) -> np.ndarray:
    rng = np.random.default_rng(rng_seed)
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    for obj in range(1, n_objects + 1):
        cx0, cy0 = rng.uniform(0.25, 0.75) * WIDTH, rng.uniform(0.3, 0.7) * HEIGHT
        vx, vy = rng.uniform(-6, 6), rng.uniform(-3, 3)
        axes = (int(rng.uniform(25, 60)), int(rng.uniform(18, 45)))
        t = frame + offset
        centre = (int(cx0 + vx * t), int(cy0 + vy * t + 10 * np.sin(t / 3)))
        cv2.ellipse(labels, centre, axes, float(5 * t), 0, 360, obj, -1)
    return labels


def write_example(out: str | Path) -> tuple[Path, Path]:
    """Write the example dataset to ``out/DAVIS`` and its results to ``out/results``."""
    out = Path(out)
    root, results = out / "DAVIS", out / "results"
    rng = np.random.default_rng(0)
    for seq_index, (name, n_objects) in enumerate(SEQUENCES.items()):
        for frame in range(N_FRAMES):
            gt = _draw(frame, n_objects, seq_index, 0.0)
            # The "method" lags behind more and more, and loses object 1 on two frames.
            pred = _draw(frame, n_objects, seq_index, -0.15 * frame)
            if frame in (8, 9):
                pred[pred == 1] = 0
            image = rng.integers(0, 60, (HEIGHT, WIDTH, 3), dtype=np.uint8)
            image[gt > 0] += np.uint8(120)
            stem = f"{frame:05d}"
            write_image(root / "JPEGImages" / "480p" / name / f"{stem}.jpg", image)
            write_mask(root / "Annotations" / "480p" / name / f"{stem}.png", gt)
            write_mask(results / name / f"{stem}.png", pred)
    write_atomic(root / "ImageSets" / "2017" / "val.txt", "\n".join(SEQUENCES) + "\n")
    return root, results
