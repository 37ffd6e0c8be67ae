"""J, F and their statistics, exactly as the official DAVIS 2017 evaluation defines them.

The metrics know nothing about datasets or methods: they take label maps and return numbers.
"""

from vosbench.metrics.boundary import DEFAULT_BOUND_TH, boundary_radius, f_measure, seg2bmap
from vosbench.metrics.frame import FrameScores, score_frame
from vosbench.metrics.region import jaccard
from vosbench.metrics.statistics import Statistics, db_statistics

__all__ = [
    "DEFAULT_BOUND_TH",
    "FrameScores",
    "Statistics",
    "boundary_radius",
    "db_statistics",
    "f_measure",
    "jaccard",
    "score_frame",
    "seg2bmap",
]
