"""J, F and statistics against hand-computed values and a literal reading of the definitions."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from reference_davis import ref_f_measure, ref_jaccard, ref_seg2bmap, ref_statistics
from skimage.morphology import disk as skimage_disk

from vosbench.metrics import boundary_radius, db_statistics, f_measure, jaccard, score_frame, seg2bmap
from vosbench.metrics.bitplane import Bitplane
from vosbench.metrics.statistics import decay_bin_edges, official_decay_edges_wrap


def masks(max_side: int = 24) -> st.SearchStrategy[np.ndarray]:
    shape = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shape.flatmap(lambda s: arrays(np.bool_, s))


# --- J -------------------------------------------------------------------------------------


def test_jaccard_hand_computed() -> None:
    gt = np.zeros((4, 4), bool)
    gt[0:2, 0:2] = True  # 4 pixels
    pred = np.zeros((4, 4), bool)
    pred[1:3, 1:3] = True  # 4 pixels, 1 shared
    assert jaccard(pred, gt) == 1 / 7


def test_jaccard_empty_union_is_one_and_void_is_left_out() -> None:
    empty = np.zeros((3, 3), bool)
    assert jaccard(empty, empty) == 1.0
    gt = np.array([[1, 1, 0]], bool)
    pred = np.array([[1, 0, 1]], bool)
    void = np.array([[0, 0, 1]], bool)
    assert jaccard(pred, gt) == 1 / 3
    assert jaccard(pred, gt, void) == 1 / 2


@settings(max_examples=200, deadline=None)
@given(masks().flatmap(lambda a: st.tuples(st.just(a), arrays(np.bool_, a.shape), arrays(np.bool_, a.shape))))
def test_jaccard_matches_definition(triple: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    pred, gt, void = triple
    assert jaccard(pred, gt) == ref_jaccard(gt, pred)
    assert jaccard(pred, gt, void) == ref_jaccard(gt, pred, void)


# --- boundaries ----------------------------------------------------------------------------


def test_seg2bmap_hand_computed_interior_square() -> None:
    seg = np.zeros((5, 5), bool)
    seg[1:3, 1:3] = True
    # A pixel is on the boundary when it differs from its E, S or SE neighbour: the square's
    # pixels at its right and bottom edges, plus the background pixels just above/left.
    expected = np.array(
        [
            [1, 1, 1, 0, 0],
            [1, 0, 1, 0, 0],
            [1, 1, 1, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
        ],
        bool,
    )
    assert np.array_equal(seg2bmap(seg), expected)


def test_seg2bmap_border_rules() -> None:
    # Full mask: no pixel differs from a neighbour inside the image, and the borders compare
    # only along the border, so there is no boundary at all.
    assert not seg2bmap(np.ones((4, 6), bool)).any()
    # Last row: compared with the east neighbour only.
    seg = np.zeros((3, 4), bool)
    seg[2, 0:2] = True
    expected = np.zeros((3, 4), bool)
    expected[1, 0:2] = True  # (1,0) and (1,1): the south neighbour differs
    expected[2, 1] = True  # last row: (2,1) differs from its east neighbour (2,2)
    assert np.array_equal(seg2bmap(seg), expected)
    # Bottom-right pixel is never a boundary; last column compares with south only.
    seg = np.zeros((3, 3), bool)
    seg[2, 2] = True
    b = seg2bmap(seg)
    assert not b[2, 2]
    assert b[1, 2]  # last column: (1,2) != (2,2)
    assert b[2, 1]  # last row: (2,1) != (2,2)
    assert b[1, 1]  # interior: SE neighbour differs


@settings(max_examples=300, deadline=None)
@given(masks())
def test_seg2bmap_matches_definition(seg: np.ndarray) -> None:
    assert np.array_equal(seg2bmap(seg), ref_seg2bmap(seg))


@settings(max_examples=300, deadline=None)
@given(masks(40), st.integers(0, 9))
def test_bitplane_boundary_and_dilation_match_opencv(seg: np.ndarray, radius: int) -> None:
    plane = Bitplane(seg.shape[0], seg.shape[1], radius)
    bits = plane.boundary(plane.pack(seg))
    assert bits == plane.pack(ref_seg2bmap(seg))
    boundary = ref_seg2bmap(seg).astype(np.uint8)
    dilated = cv2.dilate(boundary, skimage_disk(radius).astype(np.uint8)).astype(bool)
    everything = plane.pack(np.ones(seg.shape, bool))
    assert plane.dilate(bits) & everything == plane.pack(dilated)


def test_radius_for_davis_480p() -> None:
    # ceil(0.008 * sqrt(480^2 + 854^2)) = ceil(7.837) = 8
    assert boundary_radius((480, 854)) == 8
    assert boundary_radius((1080, 1920)) == math.ceil(0.008 * math.hypot(1080, 1920)) == 18
    assert boundary_radius((10, 10), bound_th=3) == 3
    with pytest.raises(ValueError):
        boundary_radius((10, 10), bound_th=2.5)


def test_f_measure_edge_cases() -> None:
    empty = np.zeros((20, 20), bool)
    square = np.zeros((20, 20), bool)
    square[5:10, 5:10] = True
    assert f_measure(empty, empty) == 1.0  # both empty: P = R = 1
    assert f_measure(empty, square) == 0.0  # no prediction: P = 1, R = 0
    assert f_measure(square, empty) == 0.0  # nothing to find: P = 0, R = 1
    assert f_measure(square, square) == 1.0


def test_f_measure_hand_computed_far_apart() -> None:
    # Two 3x3 squares 30 pixels apart with a tolerance of 2 pixels: nothing matches.
    gt = np.zeros((40, 60), bool)
    pred = np.zeros((40, 60), bool)
    gt[5:8, 5:8] = True
    pred[5:8, 40:43] = True
    assert f_measure(pred, gt, bound_th=2) == 0.0
    # Shift by one pixel: the 4x4 boundary ring of 12 pixels... every pixel within 2 -> F = 1.
    pred = np.zeros((40, 60), bool)
    pred[6:9, 5:8] = True
    assert f_measure(pred, gt, bound_th=2) == 1.0
    # bound_th = 0 gives a radius of 0: only coinciding boundary pixels match. Both
    # boundaries are 4x4 rings of 12 pixels (rows 4..7, cols 4..7 for the ground truth);
    # shifted down by one row they share 6, so precision = recall = 6/12 and F = 0.5.
    assert f_measure(pred, gt, bound_th=0) == 0.5
    # A tolerance under one pixel rounds up to one: every pixel is within 1 of the other ring.
    assert f_measure(pred, gt, bound_th=1e-9) == 1.0


@settings(max_examples=300, deadline=None)
@given(
    masks(32).flatmap(lambda a: st.tuples(st.just(a), arrays(np.bool_, a.shape), arrays(np.bool_, a.shape))),
    st.sampled_from([0.008, 0.05, 0.2, 1, 3]),
)
def test_f_measure_matches_definition(
    triple: tuple[np.ndarray, np.ndarray, np.ndarray], bound_th: float
) -> None:
    pred, gt, void = triple
    assert f_measure(pred, gt, bound_th=bound_th) == ref_f_measure(gt, pred, bound_th=bound_th)
    assert f_measure(pred, gt, void, bound_th=bound_th) == ref_f_measure(gt, pred, void, bound_th=bound_th)


def _blobs(shape: tuple[int, int], n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.zeros(shape, np.uint8)
    for k in range(1, n + 1):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        h, w = rng.integers(1, shape[0] // 2 + 2), rng.integers(1, shape[1] // 2 + 2)
        labels[y : y + h, x : x + w] = k
    return labels


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5), st.tuples(st.integers(2, 60), st.integers(2, 60)))
def test_score_frame_matches_per_object_definition(seed: int, n: int, shape: tuple[int, int]) -> None:
    gt = _blobs(shape, n, seed)
    pred = _blobs(shape, n + 1, seed + 1)  # one id more than the ground truth: ignored
    void = _blobs(shape, 1, seed + 2) > 0
    for v in (None, void):
        scores = score_frame(gt, pred, n, v)
        for k in range(1, n + 1):
            assert scores.j[k - 1] == ref_jaccard(gt == k, pred == k, v)
            assert scores.f[k - 1] == ref_f_measure(gt == k, pred == k, v)
            expected_found = ((pred == k) & (True if v is None else ~v)).any()
            assert scores.found[k - 1] == expected_found


# --- statistics ----------------------------------------------------------------------------


def test_statistics_hand_computed() -> None:
    # n = 4: edges round(linspace(1, 4, 5)) - 1 = [0, 1, 2, 2, 3]; first bin frames 0..1,
    # last bin frames 2..3.
    values = np.array([1.0, 0.8, 0.4, 0.2])
    assert list(decay_bin_edges(4)) == [0, 1, 2, 2, 3]
    stats = db_statistics(values)
    assert stats.mean == pytest.approx(0.6)
    assert stats.recall == 0.5  # 1.0 and 0.8 are above 0.5
    assert stats.decay == pytest.approx((1.0 + 0.8) / 2 - (0.4 + 0.2) / 2)
    # n = 8: linspace(1, 8, 5) = 1, 2.75, 4.5, 6.25, 8 -> round(+1e-10) = 1, 3, 5, 6, 8 -> -1
    assert list(decay_bin_edges(8)) == [0, 2, 4, 5, 7]
    # A value of exactly 0.5 is not a recall hit.
    assert db_statistics(np.array([0.5, 0.51])).recall == 0.5


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, st.integers(1, 255), elements=st.floats(0, 1)))
def test_statistics_match_official_up_to_255_frames(values: np.ndarray) -> None:
    ours = db_statistics(values)
    mean, recall, decay = ref_statistics(values)
    assert (ours.mean, ours.recall) == pytest.approx((mean, recall), abs=1e-12)
    assert ours.decay == pytest.approx(decay, abs=1e-12)


def test_statistics_past_256_frames_use_the_true_quarters() -> None:
    n = 300
    values = np.linspace(1.0, 0.0, n)
    assert official_decay_edges_wrap(n) and official_decay_edges_wrap(256)
    assert not official_decay_edges_wrap(255)
    # By hand: linspace(1, 300, 5) = 1, 75.75, 150.5, 225.25, 300; rounded (150.5 + 1e-10 -> 151)
    # and less one: the quarters are frames 0..75 and 224..299, inclusive.
    assert list(decay_bin_edges(n)) == [0, 75, 150, 224, 299]
    # value i = 1 - i/299, so a quarter's mean is 1 - (mean index)/299: the first quarter's mean
    # index is 37.5, the last one's (224 + 299) / 2 = 261.5; Decay = (261.5 - 37.5) / 299.
    stats = db_statistics(values)
    assert stats.decay == pytest.approx(224 / 299, abs=1e-12)
    assert stats.mean == pytest.approx(0.5, abs=1e-12) and stats.recall == pytest.approx(150 / 300)
    # The official uint8 edges wrap (299 -> 43) and give another number.
    assert ref_statistics(values)[2] != pytest.approx(stats.decay)
