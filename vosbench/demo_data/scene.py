"""Rendering textured, moving, deforming objects over a textured, panning background."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vosbench.demo_data.shapes import Blob
from vosbench.demo_data.textures import texture

TEXTURE_SIZE = 384


@dataclass
class SceneObject:
    """One object's look and motion; ``step`` advances it by a frame."""

    blob: Blob
    skin: np.ndarray
    centre: np.ndarray  # (x, y)
    velocity: np.ndarray
    angle: float
    spin: float
    scale_period: float

    @classmethod
    def random(cls, rng: np.random.Generator, size: tuple[int, int], radius: float) -> SceneObject:
        h, w = size
        speed = rng.uniform(0.004, 0.012) * w
        direction = rng.uniform(0, 2 * np.pi)
        return cls(
            blob=Blob.random(rng, radius),
            skin=texture(rng, (TEXTURE_SIZE, TEXTURE_SIZE)),
            centre=np.array([rng.uniform(0.2, 0.8) * w, rng.uniform(0.25, 0.75) * h]),
            velocity=speed * np.array([np.cos(direction), np.sin(direction)]),
            angle=float(rng.uniform(0, 2 * np.pi)),
            spin=float(rng.uniform(-0.05, 0.05)),
            scale_period=float(rng.uniform(12, 40)),
        )

    def pose(self, t: int) -> tuple[np.ndarray, float, float]:
        """Centre, angle and scale at frame ``t`` (bouncing off the borders is in ``step``)."""
        scale = 1.0 + 0.15 * np.sin(2 * np.pi * t / self.scale_period)
        return self.centre, self.angle + self.spin * t, float(scale)

    def step(self, size: tuple[int, int]) -> None:
        h, w = size
        self.centre = self.centre + self.velocity
        for axis, limit in ((0, w), (1, h)):
            if not 0.1 * limit < self.centre[axis] < 0.9 * limit:
                self.velocity[axis] = -self.velocity[axis]

    def draw(self, t: int, size: tuple[int, int]) -> Layer:
        """The object's layer at frame ``t``: its texture moves and turns with it."""
        centre, angle, scale = self.pose(t)
        outline = self.blob.outline(t, (centre[0], centre[1]), angle, scale)
        # Render only the object's bounding box: a full-frame warp per object is 10x slower.
        x0, y0 = np.maximum(np.floor(outline.min(0)).astype(int), 0)
        x1 = min(int(np.ceil(outline[:, 0].max())) + 1, size[1])
        y1 = min(int(np.ceil(outline[:, 1].max())) + 1, size[0])
        if x1 <= x0 or y1 <= y0:
            return Layer(np.zeros((0, 0, 3), np.uint8), np.zeros((0, 0), np.uint8), 0, 0)
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        local = np.round((outline - (x0, y0)) * 16).astype(np.int32)
        cv2.fillPoly(mask, [local], 1, lineType=cv2.LINE_8, shift=4)
        c, s = scale * np.cos(angle), scale * np.sin(angle)
        half = TEXTURE_SIZE / 2
        cx, cy = centre[0] - x0, centre[1] - y0
        matrix = np.array([[c, -s, cx - c * half + s * half], [s, c, cy - s * half - c * half]])
        pixels = cv2.warpAffine(
            self.skin, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        return Layer(pixels, mask, int(y0), int(x0))


@dataclass(frozen=True)
class Layer:
    """An object's pixels and mask inside its bounding box, whose top-left is ``(top, left)``."""

    pixels: np.ndarray
    mask: np.ndarray
    top: int
    left: int


class PanningBackground:
    """A textured background seen through a window that drifts like a panning camera."""

    def __init__(self, rng: np.random.Generator, size: tuple[int, int], n_frames: int) -> None:
        h, w = size
        self.size = size
        speed = rng.uniform(0.5, 2.5, 2) * rng.choice((-1, 1), 2)
        margin = np.ceil(np.abs(speed) * n_frames).astype(int) + 2
        self.canvas = texture(rng, (h + margin[1], w + margin[0]))
        self.start = np.where(speed < 0, margin - 1, 0).astype(float)
        self.speed = speed

    def frame(self, t: int) -> np.ndarray:
        x, y = np.round(self.start + self.speed * t).astype(int)
        h, w = self.size
        return self.canvas[y : y + h, x : x + w]


def compose(background: np.ndarray, layers: list[Layer]) -> tuple[np.ndarray, np.ndarray]:
    """Paint layers back to front; returns the image and the label map (layer k has id k+1)."""
    image = background.copy()
    labels = np.zeros(background.shape[:2], np.uint8)
    for index, layer in enumerate(layers, start=1):
        h, w = layer.mask.shape
        window = (slice(layer.top, layer.top + h), slice(layer.left, layer.left + w))
        inside = layer.mask.astype(bool)
        np.copyto(image[window], layer.pixels, where=inside[..., None])
        labels[window][inside] = index
    return image, labels
