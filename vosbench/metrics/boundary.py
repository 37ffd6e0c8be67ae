"""Boundary accuracy F: the F-measure of boundary pixels matched within a tolerance.

Follows the official DAVIS 2017 evaluation (``davis2017/metrics.py``):

* boundaries come from :func:`seg2bmap` (a pixel is on the boundary when it differs from its
  east, south or south-east neighbour; the last row compares only with the east neighbour,
  the last column only with the south one, and the bottom-right pixel is never a boundary);
* the tolerance is ``ceil(bound_th * sqrt(H**2 + W**2))`` pixels for ``bound_th < 1``
  (8 pixels at 854x480), or ``bound_th`` itself when it is 1 or more;
* a boundary pixel is matched when the other mask's boundary, dilated by a disk of that
  radius, covers it; precision is the matched fraction of predicted boundary pixels and
  recall the matched fraction of ground-truth boundary pixels;
* no predicted boundary with some ground truth: precision 1, recall 0; the other way round:
  precision 0, recall 1; neither: both 1. F is 0 when precision + recall is 0.

The work is done on the bounding box of both masks grown by one pixel (see
:mod:`vosbench.metrics.crop`), with the masks packed into integers (see
:mod:`vosbench.metrics.bitplane`): the same values as the full-frame definition at a small
fraction of its cost.
"""

from __future__ import annotations

import math

import numpy as np

from vosbench.metrics.bitplane import Bitplane, matched
from vosbench.metrics.crop import grow_box, nonzero_box

DEFAULT_BOUND_TH = 0.008


def seg2bmap(seg: np.ndarray) -> np.ndarray:
    """The one-pixel-wide boundary map of a binary mask, with seg2bmap's border rules."""
    seg = np.asarray(seg).astype(bool, copy=False)
    if seg.ndim != 2:
        raise ValueError(f"seg2bmap needs a 2-D mask, got shape {seg.shape}")
    b = np.zeros(seg.shape, dtype=bool)
    core = seg[:-1, :-1]
    b[:-1, :-1] = (core ^ seg[:-1, 1:]) | (core ^ seg[1:, :-1]) | (core ^ seg[1:, 1:])
    b[-1, :-1] = seg[-1, :-1] ^ seg[-1, 1:]  # last row: east neighbour only
    b[:-1, -1] = seg[:-1, -1] ^ seg[1:, -1]  # last column: south neighbour only
    b[-1, -1] = False
    return b


def boundary_radius(shape: tuple[int, ...], bound_th: float = DEFAULT_BOUND_TH) -> int:
    """The matching tolerance in pixels for an image of ``shape`` (H, W)."""
    if bound_th >= 1:
        if bound_th != int(bound_th):
            raise ValueError(f"a tolerance of 1 or more is in whole pixels, got {bound_th}")
        return int(bound_th)
    height, width = shape[:2]
    # np.linalg.norm of (H, W) in the official code: the correctly rounded sqrt of H^2 + W^2.
    return math.ceil(bound_th * math.sqrt(height * height + width * width))


def f_score(n_pred: int, n_gt: int, pred_matched: int, gt_matched: int) -> float:
    """F from boundary pixel counts, with the official precision/recall edge cases."""
    if n_pred == 0 and n_gt == 0:
        precision = recall = 1.0
    elif n_pred == 0:
        precision, recall = 1.0, 0.0
    elif n_gt == 0:
        precision, recall = 0.0, 1.0
    else:
        precision = pred_matched / float(n_pred)
        recall = gt_matched / float(n_gt)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def boundary_f(plane: Bitplane, pred: int, gt: int) -> float:
    """F of two masks packed on ``plane`` (see :mod:`vosbench.metrics.bitplane`)."""
    pred_b = plane.boundary(pred)
    gt_b = plane.boundary(gt)
    n_pred = pred_b.bit_count()
    n_gt = gt_b.bit_count()
    if n_pred == 0 or n_gt == 0:
        return f_score(n_pred, n_gt, 0, 0)
    return f_score(n_pred, n_gt, matched(pred_b, gt_b, plane), matched(gt_b, pred_b, plane))


def f_measure(
    pred: np.ndarray,
    gt: np.ndarray,
    void: np.ndarray | None = None,
    bound_th: float = DEFAULT_BOUND_TH,
) -> float:
    """F of a predicted and a ground-truth binary mask; ``void`` pixels are cleared in both."""
    if pred.shape != gt.shape:
        raise ValueError(f"prediction {pred.shape} and ground truth {gt.shape} differ in shape")
    radius = boundary_radius(pred.shape, bound_th)
    pred = pred.astype(bool, copy=False)
    gt = gt.astype(bool, copy=False)
    if void is not None:
        keep = ~void.astype(bool, copy=False)
        pred = pred & keep
        gt = gt & keep
    box = grow_box([nonzero_box(pred), nonzero_box(gt)], pred.shape)
    if box is None:
        return 1.0  # no boundary in either mask: precision = recall = 1
    pred, gt = pred[box], gt[box]
    plane = Bitplane(pred.shape[0], pred.shape[1], radius)
    return boundary_f(plane, plane.pack(pred), plane.pack(gt))
