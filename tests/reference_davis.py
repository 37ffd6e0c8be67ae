"""A slow, literal reading of the official DAVIS 2017 metric definitions, for the tests.

Written from the definitions, full-frame, one operation per formula step, and sharing no
code with vosbench.metrics, so that the fast implementation is checked against something
independent. The structuring element comes from scikit-image and the dilation from OpenCV,
as in the official toolkit.
"""

from __future__ import annotations

import math
import warnings

import cv2
import numpy as np
from skimage.morphology import disk as skimage_disk


def ref_jaccard(gt: np.ndarray, pred: np.ndarray, void: np.ndarray | None = None) -> float:
    gt = gt.astype(bool)
    pred = pred.astype(bool)
    valid = np.ones_like(gt) if void is None else ~void.astype(bool)
    inters = np.sum((pred & gt) & valid)
    union = np.sum((pred | gt) & valid)
    return 1.0 if union == 0 else float(inters / union)


def ref_seg2bmap(seg: np.ndarray) -> np.ndarray:
    seg = seg.astype(bool)
    east = np.zeros_like(seg)
    south = np.zeros_like(seg)
    south_east = np.zeros_like(seg)
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    south_east[:-1, :-1] = seg[1:, 1:]
    b = (seg ^ east) | (seg ^ south) | (seg ^ south_east)
    b[-1, :] = seg[-1, :] ^ east[-1, :]
    b[:, -1] = seg[:, -1] ^ south[:, -1]
    b[-1, -1] = False
    return b


def ref_f_measure(
    gt: np.ndarray, pred: np.ndarray, void: np.ndarray | None = None, bound_th: float = 0.008
) -> float:
    valid = np.ones(gt.shape, bool) if void is None else ~void.astype(bool)
    radius = bound_th if bound_th >= 1 else np.ceil(bound_th * np.linalg.norm(gt.shape))
    fg_b = ref_seg2bmap(pred.astype(bool) & valid)
    gt_b = ref_seg2bmap(gt.astype(bool) & valid)
    kernel = skimage_disk(int(radius)).astype(np.uint8)
    fg_dil = cv2.dilate(fg_b.astype(np.uint8), kernel)
    gt_dil = cv2.dilate(gt_b.astype(np.uint8), kernel)
    n_fg = np.sum(fg_b)
    n_gt = np.sum(gt_b)
    if n_fg == 0 and n_gt > 0:
        precision, recall = 1, 0
    elif n_fg > 0 and n_gt == 0:
        precision, recall = 0, 1
    elif n_fg == 0 and n_gt == 0:
        precision, recall = 1, 1
    else:
        precision = np.sum(fg_b * gt_dil) / float(n_fg)
        recall = np.sum(gt_b * fg_dil) / float(n_gt)
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def ref_statistics(values: np.ndarray) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=np.float64)
    mean = float(np.nanmean(values))
    recall = float(np.nanmean(values > 0.5))
    edges = np.round(np.linspace(1, len(values), 5) + 1e-10) - 1
    edges = edges.astype(np.uint8)  # as the official code, which wraps past 256 frames
    bins = [values[edges[i] : edges[i + 1] + 1] for i in range(4)]
    with warnings.catch_warnings():
        # wrapped edges can leave a bin empty: NaN, as the official code gives (with this warning)
        warnings.simplefilter("ignore", RuntimeWarning)
        decay = float(np.nanmean(bins[0]) - np.nanmean(bins[3]))
    return mean, recall, decay


def ref_sequence(gt_frames: list[np.ndarray], pred_frames: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Semi-supervised J and F (objects x scored frames) of one DAVIS 2017 sequence.

    ``gt_frames`` holds every annotated frame (void already cleared), ``pred_frames`` the
    predictions of the scored ones (all but the first and last).
    """
    n_objects = int(np.max(gt_frames[0]))
    scored = gt_frames[1:-1]
    j = np.zeros((n_objects, len(scored)))
    f = np.zeros((n_objects, len(scored)))
    for obj in range(n_objects):
        for t, (gt, pred) in enumerate(zip(scored, pred_frames, strict=True)):
            j[obj, t] = ref_jaccard(gt == obj + 1, pred == obj + 1)
            f[obj, t] = ref_f_measure(gt == obj + 1, pred == obj + 1)
    return j, f


def ref_radius(shape: tuple[int, int], bound_th: float = 0.008) -> int:
    return math.ceil(bound_th * np.linalg.norm(shape))
