"""Per-object statistics over frames: Mean, Recall and Decay, as the official ``db_statistics``.

* Mean: the mean of the per-frame values (NaN values are ignored);
* Recall: the fraction of frames whose value is above 0.5;
* Decay: the mean of the first quarter of the frames minus the mean of the last quarter. The
  quarters are four bins whose edges are ``round(linspace(1, n, 5) + 1e-10) - 1`` and each
  bin runs from its start edge to its end edge inclusive, so neighbouring bins share a frame.

The official code casts the bin edges to ``uint8``, so from 256 scored frames on its edges
wrap around and Decay is computed on the wrong frames (at exactly 256 frames the last edge
is 255 and, under NumPy 2's integer rules, ``edge + 1`` wraps to 0 and empties the last
bin). Up to 255 frames (every DAVIS sequence) the values here are identical to it; from 256
on this module uses the intended edges, which give the correct Decay where the official
code gives a wrapped one. See :func:`official_decay_edges_wrap`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

N_BINS = 4


@dataclass(frozen=True)
class Statistics:
    """Mean, Recall and Decay of one object's per-frame values."""

    mean: float
    recall: float
    decay: float


def decay_bin_edges(n_frames: int) -> np.ndarray:
    """The five bin edges (frame indices) of the Decay statistic for ``n_frames`` frames."""
    edges = np.round(np.linspace(1, n_frames, N_BINS + 1) + 1e-10) - 1
    return edges.astype(np.int64)


def official_decay_edges_wrap(n_frames: int) -> bool:
    """Whether the official uint8 bin edges wrap around (and so give a wrong Decay)."""
    return n_frames >= 256


def db_statistics(values: np.ndarray) -> Statistics:
    """Mean, Recall and Decay of a 1-D array of per-frame values."""
    values = np.asarray(values, dtype=np.float64)
    with warnings.catch_warnings():
        # An empty array (a sequence with no scored frame) gives NaN, as the official code.
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = float(np.nanmean(values))
        recall = float(np.nanmean(values > 0.5))
        edges = decay_bin_edges(len(values))
        first = values[edges[0] : edges[1] + 1]
        last = values[edges[3] : edges[4] + 1]
        decay = float(np.nanmean(first) - np.nanmean(last))
    return Statistics(mean=mean, recall=recall, decay=decay)
