"""Small datasets in the exact DAVIS 2017 and YouTube-VOS layouts, built by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

# `vosbench train` for one iteration of one two-frame clip at 64x64: a CPU second or two
ONE_TINY_ITERATION = [
    "--iterations",
    "1",
    "--batch-size",
    "1",
    "--size",
    "64",
    "--frames",
    "2",
    "--workers",
    "0",
    "--quiet",
]


def write_davis2017(
    root: Path,
    sequences: dict[str, list[np.ndarray]],
    split: str = "val",
    year: str = "2017",
    resolution: str = "480p",
) -> Path:
    """A DAVIS 2017 release root holding ``sequences`` (name -> ground-truth label maps)."""
    for name, masks in sequences.items():
        for t, mask in enumerate(masks):
            write_mask(root / "Annotations" / resolution / name / f"{t:05d}.png", mask)
            image = np.zeros((*mask.shape, 3), np.uint8)
            write_image(root / "JPEGImages" / resolution / name / f"{t:05d}.jpg", image)
    (root / "ImageSets" / year).mkdir(parents=True, exist_ok=True)
    (root / "ImageSets" / year / f"{split}.txt").write_text("\n".join(sequences) + "\n")
    return root


def write_results(
    folder: Path, sequences: dict[str, list[np.ndarray]], start: int = 0, frames: list[int] | None = None
) -> Path:
    """A results folder: ``<sequence>/<frame>.png`` for frames ``frames`` or start, start+1, ..."""
    for name, masks in sequences.items():
        numbers = frames if frames is not None else range(start, start + len(masks))
        for t, mask in zip(numbers, masks, strict=True):
            write_mask(folder / name / f"{t:05d}.png", mask)
    return folder


def write_youtube(
    root: Path,
    split: str,
    videos: dict[str, dict],
    train_categories: list[str],
) -> Path:
    """A YouTube-VOS root.

    ``videos[name]`` holds ``frames`` (frame indices of the images, e.g. 0, 5, 10, ...),
    ``masks`` (frame index -> label map) and ``objects`` (id -> category).
    """
    meta: dict = {"videos": {}}
    for name, video in videos.items():
        objects = {}
        for obj_id, category in video["objects"].items():
            frames = [f"{t:05d}" for t in sorted(video["masks"]) if (video["masks"][t] == obj_id).any()]
            objects[str(obj_id)] = {"category": category, "frames": frames}
        meta["videos"][name] = {"objects": objects}
        shape = next(iter(video["masks"].values())).shape
        for t in video["frames"]:
            write_image(root / split / "JPEGImages" / name / f"{t:05d}.jpg", np.zeros((*shape, 3), np.uint8))
        for t, mask in video["masks"].items():
            write_mask(root / split / "Annotations" / name / f"{t:05d}.png", mask)
    (root / split / "meta.json").write_text(json.dumps(meta))
    train = {
        "videos": {
            "t0": {
                "objects": {
                    str(i + 1): {"category": c, "frames": ["00000"]} for i, c in enumerate(train_categories)
                }
            }
        }
    }
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "train" / "meta.json").write_text(json.dumps(train))
    return root


def ellipse_masks(
    n_frames: int,
    shape: tuple[int, int],
    n_objects: int,
    seed: int,
    jitter: float = 0.0,
    scale: int = 1,
) -> list[np.ndarray]:
    """Label maps of ``n_objects`` moving ellipses (deterministic for a seed); ``scale``
    multiplies their axes and speeds (1: axes of 4 to 11 pixels)."""
    import cv2

    rng = np.random.default_rng(seed)
    params = [
        (
            rng.uniform(0.2, 0.8),
            rng.uniform(0.2, 0.8),
            rng.uniform(-2, 2),
            rng.uniform(-2, 2),
            int(rng.integers(4, 12)),
            int(rng.integers(3, 10)),
        )
        for _ in range(n_objects)
    ]
    out = []
    jitter_rng = np.random.default_rng(seed + 1000)
    for t in range(n_frames):
        labels = np.zeros(shape, np.uint8)
        for k, (cx, cy, vx, vy, ax, ay) in enumerate(params, start=1):
            dx, dy = jitter_rng.normal(0, jitter, 2) if jitter else (0.0, 0.0)
            centre = (int(cx * shape[1] + scale * vx * t + dx), int(cy * shape[0] + scale * vy * t + dy))
            cv2.ellipse(labels, centre, (scale * ax, scale * ay), 0, 0, 360, k, -1)
        out.append(labels)
    return out


def youtube_late_object(
    root: Path,
    name: str,
    frames: list[int],
    late_frame: int,
    categories: tuple[str, str] = ("cat", "dog"),
    all_frames: int = 0,
    shape: tuple[int, int] = (32, 48),
) -> Path:
    """A YouTube-VOS valid root with one video: object 1 given on frame 0, object 2 on ``late_frame``.

    Only the first category is a training ("seen") one. With ``all_frames``, valid_all_frames
    holds images for frames 0..all_frames-1.
    """
    first = np.zeros(shape, np.uint8)
    first[4:12, 4:12] = 1
    late = np.zeros(shape, np.uint8)
    late[20:28, 30:40] = 2
    video = {
        "frames": frames,
        "masks": {0: first, late_frame: late},
        "objects": dict(enumerate(categories, 1)),
    }
    write_youtube(root, "valid", {name: video}, train_categories=[categories[0]])
    for t in range(all_frames):
        write_image(
            root / "valid_all_frames" / "JPEGImages" / name / f"{t:05d}.jpg", np.zeros((*shape, 3), np.uint8)
        )
    return root


def checkpoint_round_trip(method: str, tmp_path: Path, **settings: str):
    """Save a random-weight ``method``'s network, load it back through the method's options,
    check every tensor came back equal, and return the checkpoint's path."""
    import torch

    from vosbench.checkpoints import save_checkpoint
    from vosbench.methods import create_method

    source = create_method(method, {"init": "random", **settings})
    path = tmp_path / f"{method}.pth"
    save_checkpoint(path, source.model, source.model.config)
    loaded = create_method(method, {"checkpoint": str(path), **settings})
    pairs = zip(source.model.state_dict().values(), loaded.model.state_dict().values(), strict=True)
    assert all(torch.equal(a, b) for a, b in pairs)
    return path


def frame_tensor(image: np.ndarray):
    """An RGB ``uint8`` frame (H, W, 3) as the networks take it: (1, 3, H, W) float in [0, 1]."""
    import torch

    return torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255


def batch_norms(model) -> list:
    """Every batch norm of ``model``, trainable or frozen (whatever its class is called)."""
    from torch import nn
    from torchvision.ops.misc import FrozenBatchNorm2d

    return [m for m in model.modules() if isinstance(m, (nn.modules.batchnorm._BatchNorm, FrozenBatchNorm2d))]
