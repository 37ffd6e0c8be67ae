"""MOSE and MOSEv2: the demo data in their layouts, MOSEv2's frame metrics against their
definitions (scikit-image's disk, DAVIS's F at whole-pixel tolerances), its disappearance
segments, and the command on each layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.morphology import disk

from vosbench.cli import main
from vosbench.demo_data import make_demo_data
from vosbench.evaluation import evaluate
from vosbench.evaluation.protocols.mosev2 import absence_segments
from vosbench.io.masks import read_mask, write_mask
from vosbench.metrics.adaptive import boundary_f_radius, disk_footprint, mosev2_frame, tolerances
from vosbench.metrics.boundary import f_measure


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 14.0) | st.integers(1, 14).map(float))
def test_footprint_is_scikit_images_disk(radius: float) -> None:
    np.testing.assert_array_equal(disk_footprint(radius), disk(radius))


def _blob(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for _ in range(int(rng.integers(1, 4))):
        y, x = rng.integers(0, shape[0]), rng.integers(0, shape[1])
        mask[max(0, y - 6) : y + int(rng.integers(1, 12)), max(0, x - 5) : x + int(rng.integers(1, 14))] = (
            True
        )
    return mask


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_whole_pixel_tolerance_is_davis_f(seed: int, radius: int) -> None:
    rng = np.random.default_rng(seed)
    gt, pred = _blob(rng, (40, 52)), _blob(rng, (40, 52))
    assert boundary_f_radius(pred, gt, float(radius)) == f_measure(pred, gt, bound_th=radius)


def test_smoothed_j_and_the_tolerances() -> None:
    gt = np.zeros((480, 854), np.uint8)
    gt[10, 10:13] = 1  # 3 pixels
    pred = np.zeros_like(gt)
    pred[10, 12:14] = 1  # 1 shared, 1 extra: I = 1, U = 4
    scores = mosev2_frame(gt, pred, 2)
    assert scores.j[0] == (1 + 1) / (4 + 1)
    assert scores.j[1] == 1.0 and scores.f[1] == 1.0 and scores.extra["empty"].tolist() == [False, True]
    cap = 0.008 * np.sqrt(480**2 + 854**2)
    assert tolerances((480, 854), 3) == (8.0, 1.0)  # ceil(0.1 * sqrt(3)) = 1; F keeps ceil(cap)
    assert tolerances((480, 854), 3600) == (8.0, 6.0)
    assert tolerances((480, 854), 10_000) == (cap, cap)  # 10 > cap: both the fractional cap
    assert tolerances((480, 854), 0) == (cap, cap)  # empty ground truth: 0.1 x diagonal, capped


@pytest.mark.parametrize(
    ("empty", "disappear", "reappear"),
    [
        ("FFFF", [], []),
        ("FTTF", [(1, 3)], [(3, 4)]),
        ("TTFF", [], [(2, 4)]),  # absent from the start: not a disappearance
        ("FFTT", [(2, 4)], []),  # gone for good
        ("TFTFT", [(2, 3), (4, 5)], [(1, 2), (3, 4)]),
    ],
)
def test_absence_segments(empty: str, disappear: list, reappear: list) -> None:
    assert absence_segments(np.array([c == "T" for c in empty])) == (disappear, reappear)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    make_demo_data(out, n_frames=8, size=(96, 160), benchmarks=True)
    return out


def _perturbed(root: Path, out: Path, skip: str = "") -> Path:
    for video in sorted((root / "train" / "Annotations").iterdir()):
        if video.name == skip:
            continue
        for frame in sorted(video.iterdir()):
            write_mask(out / video.name / frame.name, np.roll(read_mask(frame), 2, axis=1))
    return out


def test_mosev2_demo_layout_scores_and_a_missing_video_scores_zero(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = demo / "MOSEv2"
    meta = json.loads((root / "train" / "meta.json").read_text())["videos"]
    videos = sorted(meta)
    results = _perturbed(root, tmp_path / "results", skip=videos[0])
    out = tmp_path / "out"
    args = [
        "evaluate",
        "--dataset",
        "mosev2",
        "--root",
        str(root),
        "--split",
        "train",
        "--results",
        str(results),
    ]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    assert "lacks 1 video(s), scored 0" in capsys.readouterr().err
    document = json.loads((out / "results.json").read_text())
    assert document["protocol"] == "mosev2" and document["missing"] == [videos[0]]
    assert set(document["global"]) == {
        "J&F_new",
        "J",
        "F_new",
        "disappear_J&F_new",
        "reappear_J&F_new",
        "F",
        "J&F",
    }
    assert all(o["J-Mean"] == 0 for o in document["sequences"][videos[0]].values())
    # the demo's objects leave and return: both kinds of segment are scored
    assert (
        document["global"]["disappear_J&F_new"] is not None
        and document["global"]["reappear_J&F_new"] is not None
    )
    # valid keeps only the first masks: scored by the server, so refused here
    valid = ["evaluate", "--dataset", "mosev2", "--root", str(root), "--results", str(results)]
    assert main([*valid, "--out", str(tmp_path / "v"), "--quiet"]) == 2
    assert "vosbench submit" in capsys.readouterr().err


def test_mose_demo_layout_scores_as_davis(demo: Path, tmp_path: Path) -> None:
    root = demo / "MOSE"
    assert not (root / "train" / "meta.json").exists()  # MOSE v1: objects from the first mask
    results = _perturbed(root, tmp_path / "results")
    result = evaluate("mose", root, results, split="train", workers=1)
    assert result.protocol == "davis" and result.headline[0] == "J&F-Mean"
    assert 0 < result.headline[1] < 1
    shutil.rmtree(results / sorted(p.name for p in results.iterdir())[0])
    with pytest.raises(Exception, match="missing sequence folder"):
        evaluate("mose", root, results, split="train", workers=1)
