"""A generated VOS dataset in the DAVIS 2017 release layout (train and val splits, 480p)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vosbench.demo_data.scene import Layer, PanningBackground, SceneObject, compose
from vosbench.io.atomic import write_atomic
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask

SIZE = (480, 854)
NAMES = {
    "train": ("meadow", "harbour", "quarry", "orchard", "canyon", "lagoon"),
    "val": ("juggle", "crossing", "parade"),
}
MIN_FIRST_FRAME_PIXELS = 2500
EMPTY = Layer(np.zeros((0, 0, 3), np.uint8), np.zeros((0, 0), np.uint8), 0, 0)  # out of sight


def render_video(
    rng: np.random.Generator,
    n_frames: int,
    n_objects: int,
    size: tuple[int, int] = SIZE,
    absent: dict[int, range] | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_frames`` (image, labels) pairs; every object is clearly visible on its first frame.
    ``absent``: object index (0-based) -> the frames where it is out of sight (MOSE-like)."""
    absent = absent or {}
    while True:
        radius = min(size) * rng.uniform(0.1, 0.2)
        objects = [SceneObject.random(rng, size, radius * rng.uniform(0.7, 1.2)) for _ in range(n_objects)]
        background = PanningBackground(rng, size, n_frames)
        frames = []
        for t in range(n_frames):
            layers = [EMPTY if t in absent.get(i, ()) else obj.draw(t, size) for i, obj in enumerate(objects)]
            image, labels = compose(background.frame(t), layers)
            frames.append((image, labels))
            for obj in objects:
                obj.step(size)
        # every object clearly visible on the frame where it is first given
        least = MIN_FIRST_FRAME_PIXELS * frames[0][1].size / (SIZE[0] * SIZE[1])
        firsts = [
            next(t for t in range(n_frames) if t not in absent.get(k - 1, ()))
            for k in range(1, n_objects + 1)
        ]
        if all((frames[t][1] == k).sum() >= least for k, t in enumerate(firsts, start=1)):
            return frames


@dataclass(frozen=True)
class DemoVideo:
    """One rendered demo video: its split, name and (image, labels) frames."""

    split: str
    name: str
    frames: list[tuple[np.ndarray, np.ndarray]]


def render_demo_videos(seed: int = 0, n_frames: int = 20, size: tuple[int, int] = SIZE) -> list[DemoVideo]:
    """Every demo video, deterministic for ``seed`` (each video has its own random stream)."""
    videos = []
    for split_index, (split, names) in enumerate(NAMES.items()):
        for video_index, name in enumerate(names):
            rng = np.random.default_rng([seed, split_index, video_index])
            n_objects = int(rng.integers(1, 4))
            videos.append(DemoVideo(split, name, render_video(rng, n_frames, n_objects, size)))
    return videos


def write_davis_demo(root: str | Path, videos: list[DemoVideo]) -> Path:
    """Write ``videos`` to ``root`` in the DAVIS 2017 layout and return ``root``.

    Each video's ``split`` names the list it goes in (``ImageSets/<year>/<split>.txt``).
    ``ImageSets/2016`` lists the same videos, so the root serves ``davis2016`` too (objects
    merged, as DAVIS 2016 scores a DAVIS 2017 root). The folder is named ``480p`` whatever the
    frame size, as the layout requires.
    """
    root = Path(root)
    for video in videos:
        for t, (image, labels) in enumerate(video.frames):
            write_image(root / "JPEGImages" / "480p" / video.name / f"{t:05d}.jpg", image)
            write_mask(root / "Annotations" / "480p" / video.name / f"{t:05d}.png", labels)
    for split in dict.fromkeys(v.split for v in videos):
        listing = "".join(f"{v.name}\n" for v in videos if v.split == split)
        for year in ("2016", "2017"):
            write_atomic(root / "ImageSets" / year / f"{split}.txt", listing)
    return root
