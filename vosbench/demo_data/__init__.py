"""`vosbench make-demo-data`: small, generated datasets in real layouts (no download).

Deterministic from a seed. Textures are real photographs and textures that scikit-image
ships in its wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vosbench.demo_data.coco import write_coco_demo
from vosbench.demo_data.vos import write_davis_demo


@dataclass(frozen=True)
class DemoData:
    """Where the demo datasets were written."""

    davis_root: Path  # DAVIS 2017 layout, splits train and val, 480p
    coco_root: Path  # COCO 2017 layout, splits train and val


def make_demo_data(
    out: str | Path, seed: int = 0, n_frames: int = 20, size: tuple[int, int] = (480, 854)
) -> DemoData:
    """Write the demo VOS dataset to ``out/DAVIS`` and the demo COCO dataset to ``out/COCO``."""
    out = Path(out)
    return DemoData(
        davis_root=write_davis_demo(out / "DAVIS", seed=seed, n_frames=n_frames, size=size),
        coco_root=write_coco_demo(out / "COCO", seed=seed),
    )
