"""`vosbench make-demo-data`: small, generated datasets in real layouts (no download).

Deterministic from a seed. Textures are real photographs and textures that scikit-image
ships in its wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vosbench.demo_data.coco import write_coco_demo
from vosbench.demo_data.vos import render_demo_videos, write_davis_demo
from vosbench.demo_data.youtube import write_youtube_demo
from vosbench.io.atomic import atomic_folder


@dataclass(frozen=True)
class DemoData:
    """Where the demo datasets were written."""

    davis_root: Path  # DAVIS 2017 layout (ImageSets/2016 too), splits train and val
    youtube_root: Path  # YouTube-VOS layout, splits train and valid, the same videos
    coco_root: Path  # COCO 2017 layout, splits train and val


def make_demo_data(
    out: str | Path, seed: int = 0, n_frames: int = 20, size: tuple[int, int] = (480, 854)
) -> DemoData:
    """Write the demo videos to ``out/DAVIS`` and ``out/YouTube``, the COCO set to ``out/COCO``.

    Each of the three folders is replaced whole (written beside it, then swapped in), so data
    made earlier with other settings (more frames, another seed) never lies beside the new."""
    out = Path(out)
    videos = render_demo_videos(seed, n_frames, size)
    with atomic_folder(out / "DAVIS") as davis:
        write_davis_demo(davis, videos)
    with atomic_folder(out / "YouTube") as youtube:
        write_youtube_demo(youtube, videos)
    with atomic_folder(out / "COCO") as coco:
        write_coco_demo(coco, seed=seed)
    return DemoData(davis_root=out / "DAVIS", youtube_root=out / "YouTube", coco_root=out / "COCO")
