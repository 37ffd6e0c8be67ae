"""`vosbench coco-clips`: write example synthetic clips and a contact sheet to look at."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vosbench.io.images import write_image
from vosbench.io.masks import write_mask
from vosbench.sampling.clip import ClipOptions
from vosbench.sampling.coco_clips import CocoClips
from vosbench.system.progress import progress_bar
from vosbench.visual.overlay import contact_sheet, overlay


def write_coco_clips(
    coco_root: str | Path,
    annotation_file: str | Path,
    out: str | Path,
    n: int = 16,
    seed: int = 0,
    options: ClipOptions | None = None,
    progress: bool = True,
) -> Path:
    """Write ``n`` clips as ``clip_XXX/<t>.jpg`` + ``<t>.png`` and ``contact_sheet.png``; return the sheet."""
    dataset = CocoClips(coco_root, annotation_file, options, seed=seed, samples=n)
    out = Path(out)
    rows, captions = [], []
    for index in progress_bar(iterable=range(n), desc="coco-clips", unit="clip", enabled=progress):
        clip = dataset[index]
        row = []
        for t in range(clip["images"].shape[0]):
            image = np.ascontiguousarray(clip["images"][t].permute(1, 2, 0).numpy())
            labels = clip["labels"][t].numpy()
            write_image(out / f"clip_{index:03d}" / f"{t:05d}.jpg", image)
            write_mask(out / f"clip_{index:03d}" / f"{t:05d}.png", labels)
            row.append(overlay(image, labels))
        rows.append(row)
        captions.append([f"clip_{index:03d} frame {t}" for t in range(len(row))])
    sheet = out / "contact_sheet.png"
    write_image(sheet, contact_sheet(rows, tile_height=192, captions=captions))
    return sheet
