"""A generated COCO-format instance-segmentation dataset: textured shapes on textured scenes.

Written in the real COCO 2017 layout (``<split>2017/*.jpg`` and
``annotations/instances_<split>2017.json``). Visible regions are stored as polygons, as in
COCO; every few groups of objects is stored as one crowd annotation with uncompressed RLE,
as COCO stores crowds, so readers meet both encodings.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from vosbench.demo_data.scene import SceneObject, compose
from vosbench.demo_data.textures import texture
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image

SIZE = (480, 640)
CATEGORIES = ({"id": 1, "name": "blob", "supercategory": "shape"},)
IMAGES_PER_SPLIT = {"train": 24, "val": 8}
CROWD_EVERY = 7


def uncompressed_rle(mask: np.ndarray) -> dict:
    """COCO's uncompressed RLE: column-major run lengths starting with a run of zeros."""
    flat = np.asarray(mask, dtype=np.uint8).ravel(order="F")
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0, *counts]
    return {"size": list(mask.shape), "counts": counts}


def polygons(mask: np.ndarray) -> list[list[float]]:
    """The outer contours of a binary mask as COCO polygons ``[x1, y1, x2, y2, ...]``."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [c.reshape(-1).astype(float).tolist() for c in contours if len(c) >= 3]


def _bbox(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]


def write_coco_demo(root: str | Path, seed: int = 0) -> Path:
    """Write the demo COCO dataset to ``root`` and return ``root``."""
    root = Path(root)
    annotation_id = 1
    for split_index, (split, n_images) in enumerate(IMAGES_PER_SPLIT.items()):
        images, annotations = [], []
        for index in range(n_images):
            rng = np.random.default_rng([seed, 100 + split_index, index])
            n_objects = int(rng.integers(1, 5))
            objects = [
                SceneObject.random(rng, SIZE, min(SIZE) * rng.uniform(0.08, 0.2)) for _ in range(n_objects)
            ]
            image, labels = compose(texture(rng, SIZE), [obj.draw(0, SIZE) for obj in objects])
            image_id = split_index * 1000 + index + 1
            file_name = f"{image_id:012d}.jpg"
            write_image(root / f"{split}2017" / file_name, image)
            images.append({"id": image_id, "file_name": file_name, "height": SIZE[0], "width": SIZE[1]})
            for k in range(1, n_objects + 1):
                visible = labels == k
                if visible.sum() < 16 or not polygons(visible):
                    continue
                crowd = annotation_id % CROWD_EVERY == 0
                annotations.append(
                    {
                        "id": annotation_id,
                        "image_id": image_id,
                        "category_id": 1,
                        "segmentation": uncompressed_rle(visible) if crowd else polygons(visible),
                        "area": float(visible.sum()),
                        "bbox": _bbox(visible),
                        "iscrowd": int(crowd),
                    }
                )
                annotation_id += 1
        dataset = {
            "info": {"description": "vosbench generated demo data (textured shapes)"},
            "images": images,
            "annotations": annotations,
            "categories": list(CATEGORIES),
        }
        write_atomic(root / "annotations" / f"instances_{split}2017.json", json.dumps(dataset))
    return root
