"""J and F of every object of one frame, from two label maps.

Both label maps are cropped to the box of their non-zero pixels; each object is then scored
on its own box (its ground truth and prediction, grown by one pixel) with the masks packed
as integers, so the cost follows the objects' size and not the frame's.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vosbench.metrics.bitplane import Bitplane
from vosbench.metrics.boundary import DEFAULT_BOUND_TH, boundary_f, boundary_radius
from vosbench.metrics.crop import grow_box, nonzero_box


class FrameScores(NamedTuple):
    """Per-object J, F and whether the prediction has the object at all (float64, bool); a
    protocol's own per-object values by name in ``extra`` (e.g. MOSEv2's DAVIS-style F)."""

    j: np.ndarray
    f: np.ndarray
    found: np.ndarray
    extra: dict[str, np.ndarray] | None = None


def score_frame(
    gt: np.ndarray,
    pred: np.ndarray,
    n_objects: int,
    void: np.ndarray | None = None,
    bound_th: float = DEFAULT_BOUND_TH,
) -> FrameScores:
    """J and F of objects 1..n_objects, each an array of length ``n_objects``.

    ``gt`` and ``pred`` are (H, W) uint8 label maps; labels above ``n_objects`` belong to no
    object. Pixels where ``void`` is true are left out as the official functions' void
    argument does: cleared from both masks, so they count in neither J's intersection and
    union nor F's boundaries.
    """
    gt, pred = _without_void(gt, pred, void)
    j = np.ones(n_objects, dtype=np.float64)
    f = np.ones(n_objects, dtype=np.float64)
    found = np.zeros(n_objects, dtype=bool)
    if n_objects == 0:
        return FrameScores(j, f, found)
    radius = boundary_radius(gt.shape, bound_th)
    region = grow_box([nonzero_box(gt | pred)], gt.shape)
    if region is None:
        return FrameScores(
            j, f, found
        )  # every object empty in both: J = 1 (empty union), F = 1 (no boundary)
    gt_region, pred_region = gt[region], pred[region]
    for index in range(n_objects):
        label = index + 1
        g = gt_region == label
        p = pred_region == label
        box = grow_box([nonzero_box(g | p)], gt_region.shape)
        if box is None:
            continue
        # A box grown inside the region is the box grown in the frame: the region itself
        # was grown by one pixel except where it meets the frame's edge.
        g, p = g[box], p[box]
        plane = Bitplane(g.shape[0], g.shape[1], radius)
        g_bits, p_bits = plane.pack(g), plane.pack(p)
        j[index] = (g_bits & p_bits).bit_count() / (g_bits | p_bits).bit_count()
        f[index] = boundary_f(plane, p_bits, g_bits)
        found[index] = p_bits != 0
    return FrameScores(j, f, found)


def _without_void(gt: np.ndarray, pred: np.ndarray, void: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``gt`` and ``pred`` (same shape, or a ValueError) with ``void`` pixels cleared from both."""
    if gt.shape != pred.shape:
        raise ValueError(f"prediction {pred.shape} and ground truth {gt.shape} differ in shape")
    if void is None:
        return gt, pred
    keep = ~void.astype(bool, copy=False)
    return np.where(keep, gt, 0).astype(np.uint8), np.where(keep, pred, 0).astype(np.uint8)


def score_frame_j(
    gt: np.ndarray,
    pred: np.ndarray,
    n_objects: int,
    void: np.ndarray | None = None,
    bound_th: float = DEFAULT_BOUND_TH,
) -> FrameScores:
    """J of objects 1..n_objects, as :func:`score_frame`, for protocols that score no F (VOST);
    ``f`` is NaN."""
    gt, pred = _without_void(gt, pred, void)
    labels = np.arange(1, n_objects + 1, dtype=np.int64)
    # one pass over the pixels: counts of (gt label, predicted label) pairs
    pairs = np.bincount(
        gt.astype(np.int64).ravel() * 256 + pred.astype(np.int64).ravel(), minlength=256 * 256
    ).reshape(256, 256)
    inter = pairs[labels, labels]
    union = pairs[labels, :].sum(1) + pairs[:, labels].sum(0) - inter
    j = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return FrameScores(j, np.full(n_objects, np.nan), pairs[:, labels].sum(0) > 0)


def score_frame_presence(
    gt: np.ndarray,
    pred: np.ndarray,
    n_objects: int,
    void: np.ndarray | None = None,
    bound_th: float = DEFAULT_BOUND_TH,
) -> FrameScores:
    """:func:`score_frame`, and in ``extra`` whether the ground truth has each object
    (``present``): SA-V counts an object from its first frame in either mask."""
    scores = score_frame(gt, pred, n_objects, void, bound_th)
    present = np.array([(gt == k).any() for k in range(1, n_objects + 1)], dtype=bool)
    return scores._replace(extra={"present": present})
