"""Small image files for reports: animated GIFs and palette PNGs, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vosbench.io.atomic import atomic_path


def write_gif(path: str | Path, frames: Sequence[np.ndarray], fps: float = 8.0) -> Path:
    """Write RGB ``frames`` as a looping GIF (one shared adaptive palette per frame)."""
    from PIL import Image

    if not frames:
        raise ValueError(f"{path}: no frames to animate")
    images = [Image.fromarray(f).convert("P", palette=Image.Palette.ADAPTIVE, colors=255) for f in frames]
    with atomic_path(path) as tmp:
        images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0
        )
    return Path(path)


def write_palette_png(path: str | Path, rgb: np.ndarray, colours: int = 256) -> Path:
    """Write ``rgb`` as a PNG with an adaptive palette: a fraction of the size of an RGB PNG
    for photographs, with the mask colours kept."""
    from PIL import Image

    with atomic_path(path) as tmp:
        Image.fromarray(rgb).quantize(colours).save(tmp, format="PNG", optimize=True)
    return Path(path)
