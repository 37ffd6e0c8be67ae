"""VOST: J alone (equal to the DAVIS J per object), the demo data in its layout, the run on its
10 fps frames, and the per-sequence table without F."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vosbench.cli import main
from vosbench.datasets import load_videos
from vosbench.demo_data import make_demo_data
from vosbench.metrics.frame import score_frame, score_frame_j


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 4), st.booleans())
def test_j_alone_is_the_davis_j(seed: int, n_objects: int, void: bool) -> None:
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, n_objects + 2, (20, 30)).astype(np.uint8)
    pred = np.where(rng.random((20, 30)) < 0.3, rng.integers(0, n_objects + 2, (20, 30)), gt).astype(np.uint8)
    mask = rng.random((20, 30)) < 0.1 if void else None
    expected = score_frame(gt, pred, n_objects, mask)
    got = score_frame_j(gt, pred, n_objects, mask)
    np.testing.assert_array_equal(got.j, expected.j)
    np.testing.assert_array_equal(got.found, expected.found)
    assert np.isnan(got.f).all()


def test_vost_demo_runs_on_every_frame_and_scores_the_annotated(tmp_path: Path) -> None:
    make_demo_data(tmp_path / "demo", n_frames=10, size=(64, 96), benchmarks=True)
    root = tmp_path / "demo" / "VOST"
    video = load_videos("vost", root, "val")[0]
    assert len(video.frames) == 10 and video.output_frames == tuple(f"{t:05d}" for t in range(0, 10, 2))
    out = tmp_path / "run"
    args = ["run", "--method", "first-frame-copy", "--dataset", "vost", "--root", str(root)]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    assert sorted(p.stem for p in (out / video.name).glob("*.png")) == list(video.output_frames)
    with open(out / "per-sequence_results-val.csv") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "Sequence",
        "J-Mean",
        "J-Recall",
        "J-Decay",
        "J_last-Mean",
        "J_last-Recall",
        "J_last-Decay",
    ]
    with open(out / "global_results-val.csv") as handle:
        assert next(csv.reader(handle))[0] == "J-Mean"


@pytest.mark.parametrize("dataset", ["mose", "mosev2", "lvos1", "lvos2", "vost"])
def test_every_benchmark_is_listed(dataset: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["datasets"]) == 0
    assert f"{dataset}:" in capsys.readouterr().out
