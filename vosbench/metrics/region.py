"""Region similarity J: the Jaccard index (intersection over union) of two binary masks."""

from __future__ import annotations

import numpy as np


def jaccard(pred: np.ndarray, gt: np.ndarray, void: np.ndarray | None = None) -> float:
    """J of a predicted and a ground-truth binary mask, as the official DAVIS code defines it.

    Pixels where ``void`` is true are left out of both the intersection and the union. When
    the union is empty (neither mask has a pixel) J is 1.
    """
    if pred.shape != gt.shape:
        raise ValueError(f"prediction {pred.shape} and ground truth {gt.shape} differ in shape")
    pred = pred.astype(bool, copy=False)
    gt = gt.astype(bool, copy=False)
    inter = pred & gt
    union = pred | gt
    if void is not None:
        keep = ~void.astype(bool, copy=False)
        inter &= keep
        union &= keep
    n_union = int(np.count_nonzero(union))
    if n_union == 0:
        return 1.0
    return int(np.count_nonzero(inter)) / n_union
