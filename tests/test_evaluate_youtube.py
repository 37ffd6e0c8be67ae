"""YouTube-VOS scoring rules, each on a small root in the exact YouTube-VOS layout."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from builders import write_results, write_youtube
from reference_davis import ref_f_measure, ref_jaccard

from vosbench.cli import main
from vosbench.evaluation import evaluate

SHAPE = (30, 40)
FRAMES = [0, 5, 10, 15, 20]


def _box(y: int, x: int, h: int = 8, w: int = 10, label: int = 1) -> np.ndarray:
    m = np.zeros(SHAPE, np.uint8)
    m[y : y + h, x : x + w] = label
    return m


def _case(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    v1 = {}
    for i, t in enumerate(FRAMES):
        m = _box(2, 2 + i)  # object 1 (seen) from frame 0
        if t >= 10:
            m[15:22, 20 + i : 28 + i] = 2  # object 2 (unseen) first given at frame 10
        if t == 20:
            m[25:28, 0:3] = 3  # object 3 first given on the last frame: never scored
        v1[t] = m
    v2 = {t: (_box(5, 5) if t < 15 else np.zeros(SHAPE, np.uint8)) for t in FRAMES}  # object leaves
    gt = {"v1": v1, "v2": v2}
    videos = {
        "v1": {"frames": FRAMES, "masks": v1, "objects": {1: "dog", 2: "zebra", 3: "dog"}},
        "v2": {"frames": FRAMES, "masks": v2, "objects": {1: "cat"}},
    }
    root = write_youtube(tmp_path / "ytvos", "valid", videos, train_categories=["dog", "person"])
    pred = {
        "v1": [np.roll(v1[t], 1, axis=1) for t in FRAMES],
        "v2": [np.zeros(SHAPE, np.uint8) for _ in FRAMES],  # object of v2 never segmented
    }
    results = write_results(tmp_path / "results", pred, frames=FRAMES)
    return root, results, gt, pred


def test_youtube_rules(tmp_path: Path) -> None:
    root, results, gt, pred = _case(tmp_path)
    result = evaluate("youtube2019", root, results, workers=1)
    by_key = {o.key: o for o in result.objects}
    assert sorted(by_key) == ["v1_1", "v1_2", "v2_1"]  # v1_3 has no frame after its first
    # Scored from the frame after the one where the mask is first given.
    assert by_key["v1_1"].frames == ("00005", "00010", "00015", "00020")
    assert by_key["v1_2"].frames == ("00015", "00020")
    assert (by_key["v1_1"].seen, by_key["v1_2"].seen, by_key["v2_1"].seen) == (True, False, False)
    # Per-frame values follow the DAVIS definitions, also for an object the prediction never
    # segments (as every public evaluator scores it; the server's code is not public).
    for key, obj_id in (("v1_1", 1), ("v1_2", 2), ("v2_1", 1)):
        video = key.split("_")[0]
        for k, frame in enumerate(by_key[key].frames):
            index = FRAMES.index(int(frame))
            g, p = gt[video][int(frame)] == obj_id, pred[video][index] == obj_id
            assert by_key[key].j[k] == ref_jaccard(g, p)
            assert by_key[key].f[k] == ref_f_measure(g, p)
    # v2's object is never segmented: 0 where it is present, 1 where it is absent from both
    assert list(by_key["v2_1"].j) == [0.0, 0.0, 1.0, 1.0] and list(by_key["v2_1"].f) == [0.0, 0.0, 1.0, 1.0]
    j_seen = by_key["v1_1"].j.mean()
    j_unseen = (by_key["v1_2"].j.mean() + by_key["v2_1"].j.mean()) / 2
    f_seen = by_key["v1_1"].f.mean()
    f_unseen = (by_key["v1_2"].f.mean() + by_key["v2_1"].f.mean()) / 2
    g = result.global_metrics
    assert g["J-Seen"] == pytest.approx(j_seen) and g["J-Unseen"] == pytest.approx(j_unseen)
    assert g["F-Seen"] == pytest.approx(f_seen) and g["F-Unseen"] == pytest.approx(f_unseen)
    assert g["G"] == pytest.approx((j_seen + j_unseen + f_seen + f_unseen) / 4)


def test_youtube_cli_writes_g_table(tmp_path: Path) -> None:
    root, results, _, _ = _case(tmp_path)
    out = tmp_path / "out"
    args = ["evaluate", "--dataset", "youtube2018", "--root", str(root), "--results", str(results)]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    with open(out / "global_results-valid.csv") as handle:
        header = next(csv.reader(handle))
    assert header == ["G", "J-Seen", "J-Unseen", "F-Seen", "F-Unseen"]
    with open(out / "per-sequence_results-valid.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Sequence"], r["Category"], r["Seen"]) for r in rows] == [
        ("v1_1", "dog", "true"),
        ("v1_2", "zebra", "false"),
        ("v2_1", "cat", "false"),
    ]


def test_youtube_prediction_with_unknown_id_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results, _, _ = _case(tmp_path)
    bad = np.zeros(SHAPE, np.uint8)
    bad[0, 0] = 7
    from vosbench.io.masks import write_mask

    write_mask(results / "v2" / "00010.png", bad)
    out = tmp_path / "out"
    args = ["evaluate", "--dataset", "youtube2018", "--root", str(root), "--results", str(results)]
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "v2/00010.png" in err and "object id 7" in err
    assert not out.exists()


def test_a_split_without_ground_truth_points_to_submit(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The real valid split gives each object's first mask only: nothing can be scored
    locally, so evaluate says so in one line and points to `vosbench submit` (no nan table)."""
    first_only = {0: _box(2, 2), 10: _box(15, 20, label=2)}  # each object where it is first given
    videos = {"v1": {"frames": FRAMES, "masks": first_only, "objects": {1: "dog", 2: "zebra"}}}
    root = write_youtube(tmp_path / "ytvos", "valid", videos, train_categories=["dog"])
    results = write_results(tmp_path / "results", {"v1": [_box(2, 2) for _ in FRAMES]}, frames=FRAMES)
    out = tmp_path / "out"
    args = ["evaluate", "--dataset", "youtube2018", "--root", str(root), "--results", str(results)]
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no ground truth" in err and "vosbench submit" in err, err
    assert not out.exists()
