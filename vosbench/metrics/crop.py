"""Bounding boxes for scoring a mask on a crop instead of the whole frame.

Scoring on the box of both masks grown by one pixel gives exactly the full-frame values: one
pixel above and to the left holds the boundary pixels seg2bmap puts just outside a mask, and
one background row and column below and to the right make the crop's last-row and
last-column rules agree with the full frame's (where the box reaches the frame's edge the
rules are the frame's own).
"""

from __future__ import annotations

import numpy as np

Box = tuple[slice, slice]


def nonzero_box(mask: np.ndarray) -> Box | None:
    """The tight box (rows, columns) of the non-zero pixels of a 2-D array, ``None`` if none."""
    if mask.dtype == bool:
        mask = mask.view(np.uint8)
    rows = np.flatnonzero(mask.max(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.max(axis=0))
    return (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))


def grow_box(boxes: list[Box | None], shape: tuple[int, int]) -> Box | None:
    """The union of ``boxes`` grown by one pixel on each side, clipped to ``shape``."""
    present = [b for b in boxes if b is not None]
    if not present:
        return None
    height, width = shape
    y0 = max(min(b[0].start for b in present) - 1, 0)
    y1 = min(max(b[0].stop for b in present) + 1, height)
    x0 = max(min(b[1].start for b in present) - 1, 0)
    x1 = min(max(b[1].stop for b in present) + 1, width)
    return (slice(y0, y1), slice(x0, x1))
