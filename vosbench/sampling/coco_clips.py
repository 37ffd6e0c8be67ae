"""Pre-training clips synthesised from a COCO-format instance dataset (paper section 3.5).

For each clip: the instances of one image (polygons or RLE, read with pycocotools) are cut
out and pasted onto another, randomly chosen image; foreground and background then get
their own random affine transform (rotation, scale, shear, translation) in every frame, so
the objects move, deform and occlude each other against a moving scene.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from vosbench.errors import VosbenchError
from vosbench.io.images import read_image
from vosbench.sampling.clip import (
    ClipOptions,
    SeededClips,
    clip_tensors,
    colour_jitter,
    keep_objects,
    single_threaded,
)


@dataclass(frozen=True)
class AffineRange:
    """Ranges of a random affine transform about the crop centre."""

    rotation: float = 20.0  # degrees, +-
    scale: tuple[float, float] = (0.85, 1.15)
    shear: float = 10.0  # degrees, +-
    translation: float = 0.1  # fraction of the crop side, +-

    def sample(self, rng: np.random.Generator, side: int) -> np.ndarray:
        """A random 3x3 affine matrix acting on pixel coordinates of a ``side`` crop."""
        angle = np.deg2rad(rng.uniform(-self.rotation, self.rotation))
        scale = rng.uniform(*self.scale)
        shear = np.tan(np.deg2rad(rng.uniform(-self.shear, self.shear)))
        tx, ty = rng.uniform(-self.translation, self.translation, 2) * side
        c, s = np.cos(angle), np.sin(angle)
        linear = scale * np.array([[c, -s], [s, c]]) @ np.array([[1.0, shear], [0.0, 1.0]])
        centre = np.array([side / 2, side / 2])
        matrix = np.eye(3)
        matrix[:2, :2] = linear
        matrix[:2, 2] = centre - linear @ centre + (tx, ty)
        return matrix


FOREGROUND = AffineRange()
BACKGROUND = AffineRange(rotation=10.0, scale=(1.0, 1.2), shear=5.0, translation=0.08)


def image_folder(coco_root: Path, annotation_file: Path, first_file: str) -> Path:
    """Where the images of an annotation file live: ``coco_root`` or ``coco_root/<split>``."""
    candidates = [coco_root]
    match = re.fullmatch(r"instances_(\w+)\.json", annotation_file.name)
    if match:
        candidates.insert(0, coco_root / match.group(1))
    for folder in candidates:
        if (folder / first_file).is_file():
            return folder
    raise VosbenchError(
        f"{coco_root}: image {first_file!r} of {annotation_file} not found in "
        + " or ".join(str(c) for c in candidates)
        + " (expected the COCO layout <root>/<split>2017/<file_name>)"
    )


class CocoClips(SeededClips):
    """Synthetic ``n_frames`` clips; ``len`` is ``samples`` (default: one per usable image)."""

    def __init__(
        self,
        coco_root: str | Path,
        annotation_file: str | Path,
        options: ClipOptions | None = None,
        seed: int = 0,
        samples: int | None = None,
        min_area: float = 400.0,
    ) -> None:
        from pycocotools.coco import COCO

        self.options = options or ClipOptions()
        annotation_file = Path(annotation_file)
        if not annotation_file.is_file():
            raise VosbenchError(f"{annotation_file}: annotation file not found (expected instances_*.json)")
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
                self.coco = COCO(str(annotation_file))
        except Exception as exc:
            raise VosbenchError(f"{annotation_file}: not a COCO instance annotation file ({exc})") from None
        self.image_ids = sorted(self.coco.getImgIds())
        if not self.image_ids:
            raise VosbenchError(f"{annotation_file}: holds no images")
        self.foregrounds = [
            i
            for i in self.image_ids
            if any(
                not a.get("iscrowd", 0) and a["area"] >= min_area
                for a in self.coco.loadAnns(self.coco.getAnnIds(imgIds=i))
            )
        ]
        if not self.foregrounds:
            raise VosbenchError(f"{annotation_file}: no image has a non-crowd instance of area >= {min_area}")
        first = self.coco.loadImgs(self.image_ids[0])[0]["file_name"]
        self.images = image_folder(Path(coco_root), annotation_file, first)
        self.min_area = min_area
        super().__init__(seed, samples or len(self.foregrounds))

    def _instances(self, image_id: int, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
        """A label map of up to ``max_objects`` random instances, larger ones painted first."""
        anns = [
            a
            for a in self.coco.loadAnns(self.coco.getAnnIds(imgIds=image_id))
            if not a.get("iscrowd", 0) and a["area"] >= self.min_area
        ]
        chosen = [anns[i] for i in rng.permutation(len(anns))[: self.options.max_objects]]
        chosen.sort(key=lambda a: -a["area"])
        labels = np.zeros(shape, np.uint8)
        for k, ann in enumerate(chosen, start=1):
            mask = self.coco.annToMask(ann)
            if mask.shape != shape:
                raise VosbenchError(f"annotation {ann['id']}: mask {mask.shape} but image {shape}")
            labels[mask > 0] = k
        return labels

    def _read(self, image_id: int) -> np.ndarray:
        return read_image(self.images / self.coco.loadImgs(image_id)[0]["file_name"])

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        single_threaded()
        images, labels, n_objects = self.frames(index)
        return clip_tensors(images, labels, n_objects, self.options.max_objects)

    def frames(self, index: int) -> tuple[list[np.ndarray], list[np.ndarray], int]:
        """Clip ``index`` as arrays: RGB frames, label maps (ids ``1..n``) and ``n``, the
        number of objects (0 when no try left one visible in the first frame)."""
        rng = self.rng(index)
        opts = self.options
        side = opts.size
        fg_id = self.foregrounds[index % len(self.foregrounds)]
        others = [i for i in self.image_ids if i != fg_id] or [fg_id]
        bg_id = others[int(rng.integers(len(others)))]
        fg_image, bg_image = self._read(fg_id), self._read(bg_id)
        fg_labels = self._instances(fg_id, rng, fg_image.shape[:2])
        fg_base = _fit_objects(fg_labels, side, rng)
        bg_base = _cover(bg_image.shape[:2], side)
        for _ in range(opts.attempts):
            images, labels = [], []
            for _t in range(opts.n_frames):
                fg = FOREGROUND.sample(rng, side) @ fg_base
                bg = BACKGROUND.sample(rng, side) @ bg_base
                warped = _warp(fg_labels, fg, side, cv2.INTER_NEAREST, reflect=False)
                image = _warp(bg_image, bg, side, cv2.INTER_LINEAR, reflect=True)
                foreground = _warp(fg_image, fg, side, cv2.INTER_LINEAR, reflect=False)
                np.copyto(image, foreground, where=(warped > 0)[..., None])
                if rng.random() < opts.flip / opts.n_frames:  # rare per-frame mirror: more variety
                    image, warped = cv2.flip(image, 1), cv2.flip(warped, 1)
                images.append(colour_jitter(image, rng, opts.jitter))
                labels.append(warped)
            kept, n_objects = keep_objects(labels, rng, opts)
            if n_objects:
                break
        return images, kept, n_objects


def _warp(image: np.ndarray, matrix: np.ndarray, side: int, interpolation: int, reflect: bool) -> np.ndarray:
    # The background reflects at its borders to fill the frame; the foreground must not, or
    # mirrored copies of the objects would appear (unlabelled in the image, labelled in masks).
    border = cv2.BORDER_REFLECT_101 if reflect else cv2.BORDER_CONSTANT
    return cv2.warpAffine(image, matrix[:2], (side, side), flags=interpolation, borderMode=border)


def _cover(shape: tuple[int, int], side: int) -> np.ndarray:
    """Scale an image so it covers a ``side`` square, centred."""
    h, w = shape
    scale = side / min(h, w)
    matrix = np.eye(3)
    matrix[0, 0] = matrix[1, 1] = scale
    matrix[:2, 2] = (side - w * scale) / 2, (side - h * scale) / 2
    return matrix


def _fit_objects(labels: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    """Scale and centre the objects' bounding box into a ``side`` square (60-90% of it)."""
    left, top, width, height = cv2.boundingRect((labels > 0).view(np.uint8))
    if width == 0:
        return _cover(labels.shape, side)
    x0, x1, y0, y1 = left, left + width, top, top + height
    extent = max(x1 - x0, y1 - y0)
    scale = min(side * rng.uniform(0.6, 0.9) / extent, 2.0 * side / min(labels.shape))
    matrix = np.eye(3)
    matrix[0, 0] = matrix[1, 1] = scale
    matrix[:2, 2] = side / 2 - scale * (x0 + x1) / 2, side / 2 - scale * (y0 + y1) / 2
    return matrix
