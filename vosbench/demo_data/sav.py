"""The demo's SA-V dataset: its layout (``sav_<split>/JPEGImages_24fps``, one binary mask per
object in ``Annotations_6fps/<video>/<object>/``, every 4th frame), with objects that overlap
(each object's mask is whole, also where another covers it) and one first seen late."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.demo_data.scene import PanningBackground, SceneObject, compose
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

NAMES = {"val": ("sav_000011", "sav_000042"), "test": ("sav_000107",)}
STEP = 4


def write_sav_demo(root: str | Path, seed: int, n_frames: int, size: tuple[int, int]) -> Path:
    """Write the demo's SA-V-layout dataset (val and test, both with their masks) to ``root``."""
    root = Path(root)
    for split_index, (split, names) in enumerate(NAMES.items()):
        base = root / f"sav_{split}"
        for video_index, name in enumerate(names):
            rng = np.random.default_rng([seed, 17, split_index, video_index])
            radius = min(size) * 0.18
            objects = [SceneObject.random(rng, size, radius * rng.uniform(0.8, 1.2)) for _ in range(3)]
            background = PanningBackground(rng, size, n_frames)
            late = STEP if n_frames > 2 * STEP else 0  # object 002 is first annotated here
            for t in range(n_frames):
                layers = [obj.draw(t, size) for obj in objects]
                image, _ = compose(background.frame(t), layers)
                write_image(base / "JPEGImages_24fps" / name / f"{t:05d}.jpg", image)
                if t % STEP == 0:
                    for index, layer in enumerate(layers):
                        if index == 2 and t < late:
                            continue
                        full = np.zeros(size, np.uint8)  # the object's whole mask: may overlap others
                        h, w = layer.mask.shape
                        full[layer.top : layer.top + h, layer.left : layer.left + w] = layer.mask
                        write_mask(base / "Annotations_6fps" / name / f"{index:03d}" / f"{t:05d}.png", full)
                for obj in objects:
                    obj.step(size)
        write_atomic(base / f"sav_{split}.txt", "".join(f"{n}\n" for n in names))
    return root
