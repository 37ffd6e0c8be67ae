"""MOSEv2's frame metrics (henghuiding/MOSE-api, ``MOSEv2/.../tools/metricsv2.py``):

* J is smoothed: ``(I + 1) / (U + 1)``, and 1 where the union is empty;
* Ḟ (``F_new``) matches boundaries within a tolerance that follows the object:
  ``ceil(0.1 * sqrt(area))`` pixels for the ground truth's area (``ceil(0.1 * diagonal)``
  when the ground truth is empty), capped at ``0.008 * diagonal`` of the image; the cap is
  used as it is, a fractional radius;
* F (DAVIS's tolerance) is reported beside it: ``ceil(0.008 * diagonal)`` pixels, except
  where Ḟ's tolerance reached the cap, where both use the fractional cap;
* a tolerance is a disk as scikit-image's ``disk(radius)`` draws it, which for a
  fractional radius is the integer grid offset by the radius's fraction (not symmetric),
  applied by OpenCV's ``dilate`` around the footprint's centre, as the official code does.

Boundaries and the F-measure's edge cases are DAVIS's (:mod:`vosbench.metrics.boundary`).
Each object is scored on the box of its masks grown by one pixel: every boundary pixel and
every match lies inside it.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from vosbench.metrics.boundary import f_score, seg2bmap
from vosbench.metrics.crop import grow_box, nonzero_box
from vosbench.metrics.frame import FrameScores

AREA_TH = 0.1  # Ḟ's tolerance: this times the square root of the object's area
CAP_TH = 0.008  # ... at most this times the image diagonal (DAVIS's tolerance)


@lru_cache(maxsize=64)
def disk_footprint(radius: float) -> np.ndarray:
    """The structuring element of ``skimage.morphology.disk(radius)`` (uint8): grid points
    ``-radius + i`` on both axes whose squared distance is at most ``radius**2``."""
    axis = np.arange(-radius, radius + 1)
    x, y = np.meshgrid(axis, axis)
    return (x**2 + y**2 <= radius**2).astype(np.uint8)


def boundary_f_radius(pred: np.ndarray, gt: np.ndarray, radius: float) -> float:
    """F of two binary masks with boundaries matched within the disk of ``radius``."""
    pred_b = seg2bmap(pred)
    gt_b = seg2bmap(gt)
    n_pred, n_gt = int(pred_b.sum()), int(gt_b.sum())
    if n_pred == 0 or n_gt == 0:
        return f_score(n_pred, n_gt, 0, 0)
    footprint = disk_footprint(radius)
    pred_dil = cv2.dilate(pred_b.view(np.uint8), footprint).astype(bool)
    gt_dil = cv2.dilate(gt_b.view(np.uint8), footprint).astype(bool)
    return f_score(n_pred, n_gt, int((pred_b & gt_dil).sum()), int((gt_b & pred_dil).sum()))


def tolerances(shape: tuple[int, int], area: int) -> tuple[float, float]:
    """(F's radius, Ḟ's radius) for an image of ``shape`` and a ground truth of ``area`` pixels."""
    diagonal = math.sqrt(shape[0] * shape[0] + shape[1] * shape[1])
    cap = CAP_TH * diagonal
    adaptive = math.ceil(AREA_TH * (math.sqrt(area) if area else diagonal))
    if adaptive < cap:
        return float(math.ceil(cap)), float(adaptive)
    return cap, cap


def mosev2_frame(
    gt: np.ndarray, pred: np.ndarray, n_objects: int, void: np.ndarray | None = None, bound_th: float = 0.0
) -> FrameScores:
    """Objects 1..n_objects of a frame: smoothed J, Ḟ as ``f``, and in ``extra`` DAVIS-style
    ``F`` and ``empty`` (the ground truth lacks the object). ``void`` and ``bound_th`` are
    not MOSEv2's and are ignored."""
    j = np.ones(n_objects)
    f = np.ones(n_objects)
    f_davis = np.ones(n_objects)
    empty = np.ones(n_objects, dtype=bool)
    found = np.zeros(n_objects, dtype=bool)
    for index in range(n_objects):
        g_full, p_full = gt == index + 1, pred == index + 1
        area = int(np.count_nonzero(g_full))
        box = grow_box([nonzero_box(g_full | p_full)], gt.shape)
        empty[index], found[index] = area == 0, p_full.any()
        if box is None:
            continue  # absent from both: J = 1 (empty union), F = 1 (no boundary)
        g, p = g_full[box], p_full[box]
        inter, union = int(np.count_nonzero(g & p)), int(np.count_nonzero(g | p))
        j[index] = min(1.0, (inter + 1) / (union + 1))
        radius_f, radius_adaptive = tolerances(gt.shape, area)
        f[index] = boundary_f_radius(p, g, radius_adaptive)
        f_davis[index] = f[index] if radius_f == radius_adaptive else boundary_f_radius(p, g, radius_f)
    return FrameScores(j, f, found, {"F": f_davis, "empty": empty})
