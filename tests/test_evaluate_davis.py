"""DAVIS evaluation end to end: the real DAVIS 2016 data and generated DAVIS 2017 roots."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, write_results
from reference_davis import ref_f_measure, ref_jaccard, ref_sequence, ref_statistics

from vosbench.cli import main
from vosbench.datasets.davis import load_davis
from vosbench.evaluation import ScoringOptions, evaluate
from vosbench.io.masks import read_mask

REAL_SEQUENCES = ["blackswan", "bmx-trees", "soapbox"]


def _reference_davis2016(root: Path, results: Path, sequence: str) -> tuple[np.ndarray, np.ndarray]:
    video = next(v for v in load_davis(root, 2016) if v.name == sequence)
    gts = [(read_mask(video.annotations[f]) > 0).astype(np.uint8) for f in video.annotated_frames]
    preds = [
        (read_mask(results / sequence / f"{f}.png") > 0).astype(np.uint8)
        for f in video.annotated_frames[1:-1]
    ]
    return ref_sequence(gts, preds)


def test_real_davis2016_matches_reference_to_1e9(davis2016_root: Path, osvos_results: Path) -> None:
    result = evaluate("davis2016", davis2016_root, osvos_results, sequences=REAL_SEQUENCES, workers=2)
    assert [o.key for o in result.objects] == [f"{s}_1" for s in REAL_SEQUENCES]
    j_means, f_means = [], []
    for obj in result.objects:
        ref_j, ref_f = _reference_davis2016(davis2016_root, osvos_results, obj.sequence)
        np.testing.assert_allclose(obj.j, ref_j[0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(obj.f, ref_f[0], rtol=0, atol=1e-9)
        for ours, ref in ((obj.j_stats, ref_statistics(ref_j[0])), (obj.f_stats, ref_statistics(ref_f[0]))):
            assert (ours.mean, ours.recall, ours.decay) == pytest.approx(ref, abs=1e-9)
        j_means.append(ref_statistics(ref_j[0])[0])
        f_means.append(ref_statistics(ref_f[0])[0])
    expected = (np.mean(j_means) + np.mean(f_means)) / 2
    assert result.global_metrics["J&F-Mean"] == pytest.approx(expected, abs=1e-9)


def test_real_davis2016_cli_writes_official_files(
    davis2016_root: Path, osvos_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    status = main(
        [
            "evaluate",
            "--dataset",
            "davis2016",
            "--root",
            str(davis2016_root),
            "--results",
            str(osvos_results),
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "J&F-Mean" in printed
    with open(tmp_path / "global_results-val.csv") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["J&F-Mean", "J-Mean", "J-Recall", "J-Decay", "F-Mean", "F-Recall", "F-Decay"]
    values = [float(v) for v in rows[1]]
    assert values[0] == pytest.approx((values[1] + values[4]) / 2, abs=1e-15)
    assert 0.5 < values[0] < 1.0
    with open(tmp_path / "per-sequence_results-val.csv") as handle:
        per_seq = list(csv.DictReader(handle))
    assert list(per_seq[0]) == ["Sequence", "J-Mean", "F-Mean", "J-Recall", "J-Decay", "F-Recall", "F-Decay"]
    assert len(per_seq) == 20 and per_seq[0]["Sequence"] == "blackswan_1"
    document = json.loads((tmp_path / "results.json").read_text())
    frames = document["sequences"]["blackswan"]["1"]["frames"]
    assert frames[0] == "00001" and len(frames) == 48  # 50 frames minus the first and last
    assert np.mean([float(r["J-Mean"]) for r in per_seq]) == pytest.approx(values[1], abs=1e-12)


def _multi_object_case(tmp_path: Path) -> tuple[Path, Path, dict, dict]:
    shape = (40, 64)
    gt = {"a": ellipse_masks(8, shape, 3, seed=1), "b": ellipse_masks(6, shape, 2, seed=2)}
    gt["a"][3][0:3, 0:5] = 255  # void pixels
    pred = {
        name: ellipse_masks(len(masks), shape, masks[0].max(), seed=i + 1, jitter=2.0)
        for i, (name, masks) in enumerate(gt.items())
    }
    pred["b"] = [np.where(m == 2, 0, m).astype(np.uint8) for m in pred["b"]]  # object 2 missing
    root = write_davis2017(tmp_path / "DAVIS", gt)
    results = write_results(tmp_path / "results", {k: v[1:-1] for k, v in pred.items()}, start=1)
    return root, results, gt, pred


def test_davis2017_multi_object_matches_reference(tmp_path: Path) -> None:
    root, results, gt, pred = _multi_object_case(tmp_path)
    result = evaluate("davis2017", root, results, workers=1)
    assert [o.key for o in result.objects] == ["a_1", "a_2", "a_3", "b_1", "b_2"]
    for obj in result.objects:
        gts = [np.where(m == 255, 0, m) for m in gt[obj.sequence]]  # void becomes background
        ref_j, ref_f = ref_sequence(gts, pred[obj.sequence][1:-1])
        np.testing.assert_allclose(obj.j, ref_j[obj.object_id - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(obj.f, ref_f[obj.object_id - 1], rtol=0, atol=1e-12)
    missing = next(o for o in result.objects if o.key == "b_2")
    assert missing.j_stats.mean == 0.0  # a missing id is an empty mask: J = 0 where gt has it


def test_void_exclusion_is_an_explicit_option(tmp_path: Path) -> None:
    root, results, gt, pred = _multi_object_case(tmp_path)
    official = evaluate("davis2017", root, results, workers=1)
    excluded = evaluate("davis2017", root, results, workers=1, options=ScoringOptions(exclude_void=True))
    void = gt["a"][3] == 255
    g, p = gt["a"][3], pred["a"][3]
    for obj_id in (1, 2, 3):
        o = next(o for o in excluded.objects if o.key == f"a_{obj_id}")
        assert o.j[2] == ref_jaccard(g == obj_id, p == obj_id, void)  # frame 3 is the third scored
        assert o.f[2] == ref_f_measure(g == obj_id, p == obj_id, void)
    assert official.objects[0].j[2] == ref_jaccard(np.where(void, 0, g) == 1, p == 1)


def test_davis2017_root_serves_davis2016_with_objects_merged(tmp_path: Path) -> None:
    root, results, gt, pred = _multi_object_case(tmp_path)
    (root / "ImageSets" / "2016").mkdir()
    (root / "ImageSets" / "2016" / "val.txt").write_text("a\n")
    result = evaluate("davis2016", root, results, workers=1)
    assert [o.key for o in result.objects] == ["a_1"]
    gts = [((m > 0) & (m != 255)).astype(np.uint8) for m in gt["a"]]
    preds = [(m > 0).astype(np.uint8) for m in pred["a"][1:-1]]
    ref_j, ref_f = ref_sequence(gts, preds)
    np.testing.assert_allclose(result.objects[0].j, ref_j[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.objects[0].f, ref_f[0], rtol=0, atol=1e-12)


def test_parallel_and_serial_give_identical_numbers(tmp_path: Path) -> None:
    root, results, _, _ = _multi_object_case(tmp_path)
    serial = evaluate("davis2017", root, results, workers=1)
    parallel = evaluate("davis2017", root, results, workers=2)
    assert serial.global_metrics == parallel.global_metrics
    for a, b in zip(serial.objects, parallel.objects, strict=True):
        assert np.array_equal(a.j, b.j) and np.array_equal(a.f, b.f)
