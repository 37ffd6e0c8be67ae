"""Real image textures for the generated demo data, from the images scikit-image ships.

Every image here is bundled in scikit-image's wheel (no download). Grayscale textures
(brick, grass, gravel, ...) are tinted with a random colour so objects differ in hue.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

COLOUR_IMAGES = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry")
GRAY_TEXTURES = ("brick", "grass", "gravel", "moon", "camera", "coins")


@cache
def _load(name: str) -> np.ndarray:
    import skimage.data

    image = np.asarray(getattr(skimage.data, name)())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def texture(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A random (H, W, 3) RGB texture: a random crop of a bundled image, resized to ``size``."""
    names = COLOUR_IMAGES + GRAY_TEXTURES
    name = names[int(rng.integers(len(names)))]
    image = _load(name)
    h, w = image.shape[:2]
    crop_h = int(rng.integers(h // 3, h + 1))
    crop_w = int(rng.integers(w // 3, w + 1))
    y, x = int(rng.integers(0, h - crop_h + 1)), int(rng.integers(0, w - crop_w + 1))
    patch = cv2.resize(
        image[y : y + crop_h, x : x + crop_w], (size[1], size[0]), interpolation=cv2.INTER_LINEAR
    )
    if name in GRAY_TEXTURES:
        tint = rng.uniform(0.35, 1.0, 3).astype(np.float32)
        patch = (patch.astype(np.float32) * tint).astype(np.uint8)
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
    return np.ascontiguousarray(patch)
