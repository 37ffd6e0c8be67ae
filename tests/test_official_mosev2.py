"""vosbench's MOSEv2 protocol against the official scorer (henghuiding/MOSE-api,
``MOSEv2/sam2_rcms/tools/score.py`` and ``metricsv2.py``), run from a checkout named by
``VOSBENCH_OFFICIAL_MOSE_API`` (skipped when unset; none of its code is in vosbench).

The data is built here in MOSEv2's layout at 480x854 (and one video at an odd size), so that
every branch of the metric is met: objects small enough for Ḟ's own tolerance and large
enough for the cap (a fractional disk), objects that leave and return, one absent on the
first scored frame, one that leaves for good, predicted ids that are no object, false
positives where the ground truth is empty, and a video the results lack.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from official_code import official_checkout, official_modules

from vosbench.evaluation import evaluate
from vosbench.io.masks import write_mask

FOLDER, needs_checkout = official_checkout("VOSBENCH_OFFICIAL_MOSE_API", "henghuiding/MOSE-api")
pytestmark = needs_checkout
TOOLS = Path(FOLDER) / "MOSEv2" / "sam2_rcms" / "tools" if FOLDER else Path()
N_FRAMES = 9


def _ellipse(labels: np.ndarray, obj: int, centre: tuple[int, int], axes: tuple[int, int]) -> None:
    cv2.ellipse(labels, centre, axes, 0, 0, 360, obj, -1)


def _video(shape: tuple[int, int], plan: dict[int, tuple[tuple[int, int], tuple[int, int], range]]) -> list:
    """Label maps: object -> (start centre, axes, frames where it is visible); it drifts right."""
    frames = []
    for t in range(N_FRAMES):
        labels = np.zeros(shape, np.uint8)
        for obj, (centre, axes, visible) in plan.items():
            if t in visible:
                _ellipse(labels, obj, (centre[0] + 6 * t, centre[1] + 2 * t), axes)
        frames.append(labels)
    return frames


GROUND_TRUTH = {
    # large (capped, fractional radius), medium (own tolerance 6), small (own tolerance 2)
    "sizes": ((480, 854), {1: ((300, 240), (150, 90), range(9)), 2: ((600, 120), (38, 30), range(9)),
                           3: ((700, 400), (9, 7), range(9))}),
    # leaves and returns; absent on the first scored frame, then appears; leaves for good
    "gone": ((480, 854), {1: ((200, 200), (60, 40), range(9)),
                          2: ((500, 300), (20, 14), range(0, 1)), 3: ((300, 350), (45, 30), range(0, 4))}),
    "odd": ((361, 641), {1: ((150, 150), (70, 50), range(9)), 2: ((400, 250), (15, 10), range(9))}),
    "absent": ((480, 854), {1: ((300, 240), (50, 40), range(9))}),
}  # fmt: skip


def _ground_truth() -> dict[str, list[np.ndarray]]:
    videos = {name: _video(shape, plan) for name, (shape, plan) in GROUND_TRUTH.items()}
    gone = videos["gone"]
    for t in (3, 4, 7):  # object 1 leaves twice and returns twice
        gone[t][gone[t] == 1] = 0
    for t in range(3, 7):  # object 2 (absent on frame 1, the first scored) comes back at 3
        _ellipse(gone[t], 2, (520 + 6 * t, 300), (20, 14))
    return videos


def _prediction(name: str, masks: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for t, gt in enumerate(masks):
        # boundaries displaced by 1 to 9 pixels: around every tolerance (2, 6, 7.84, 8)
        pred = np.roll(gt, ((t % 3) - 1, (0, 8, -7, 3, 9, -2, 6, 1, -8)[t]), axis=(0, 1))
        pred = cv2.dilate(pred, np.ones((3, 3), np.uint8)) if t % 2 else pred
        if name == "sizes" and t == 4:
            pred[pred == 3] = 0  # the small object missed once
        if name == "gone" and t in (3, 8):
            _ellipse(pred, 3, (100, 420), (12, 9))  # a false positive where it is gone
        if name == "gone" and t == 1:
            _ellipse(pred, 2, (520, 300), (20, 14))  # ... and before it first shows
        if t == 5:
            pred[5:9, 5:9] = 9  # an id that is no object: ignored
        out.append(pred)
    return out


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("mosev2")
    results = root / "results"
    truth = _ground_truth()
    meta = {}
    for name, masks in truth.items():
        for t, labels in enumerate(masks):
            write_mask(root / "train" / "Annotations" / name / f"{t:05d}.png", labels)
            if name != "absent":
                write_mask(results / name / f"{t:05d}.png", _prediction(name, masks)[t])
        shape, plan = GROUND_TRUTH[name]
        objects = {str(obj): {"category": "blob"} for obj in plan}
        meta[name] = {"length": N_FRAMES, "height": shape[0], "width": shape[1], "objects": objects}
    (root / "train" / "meta.json").write_text(json.dumps({"videos": meta}))
    return root, results, meta


def _official_objects(root: Path, results: Path, meta: dict) -> dict[str, list]:
    """Per object, the official [J, F_new, F, disappear J, disappear F_new, reappear J, ...]."""
    with official_modules(TOOLS, ("score", "metricsv2", "track_progress_rich")):
        import score  # the official scorer, from the checkout

        raw = {}
        for name, entry in meta.items():
            for obj in entry["objects"]:
                chunk = score.process_video_chunk(
                    name, meta, str(results), str(root / "train" / "Annotations"), 1, N_FRAMES - 1, obj, 0
                )
                raw[f"{name}_{obj}"] = (score.merge_chunk_results([chunk], name, obj), chunk)
    return raw


def test_every_object_equals_the_official_scorer(case: tuple[Path, Path, dict]) -> None:
    root, results, meta = case
    result = evaluate("mosev2", root, results, split="train", workers=1)
    ours = {o.key: o for o in result.objects}
    official = _official_objects(root, results, meta)
    assert sorted(ours) == sorted(official)
    for key, (values, chunk) in official.items():
        j, f_new, f, dj, df, rj, rf = values
        o = ours[key]
        assert abs(o.j_stats.mean - j) < 1e-12 and abs(o.f_stats.mean - f_new) < 1e-12, key
        assert abs(o.extras["F"] - f) < 1e-12, key
        for mine, theirs in ((o.extras["disappear_J"], dj), (o.extras["disappear_F_new"], df),
                             (o.extras["reappear_J"], rj), (o.extras["reappear_F_new"], rf)):  # fmt: skip
            assert (mine is None) == (theirs is None), key
            assert mine is None or abs(mine - theirs) < 1e-12, key
        if not key.startswith("absent"):  # per frame too
            np.testing.assert_allclose(o.j, chunk["j_list"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(o.f, chunk["f_list"], rtol=0, atol=1e-12)
    assert result.missing == ("absent",)
    # the data meets every branch: own and capped tolerances, both kinds of segment
    assert any(v[1] != v[2] for v, _ in official.values())  # F_new != F
    assert any(v[3] is not None for v, _ in official.values()) and any(
        v[5] is not None for v, _ in official.values()
    )


def test_global_row_equals_the_official_scorer(case: tuple[Path, Path, dict], tmp_path: Path) -> None:
    root, results, _ = case
    result = evaluate("mosev2", root, results, split="train", workers=2)
    done = subprocess.run(
        [sys.executable, "score.py", "--meta", str(root / "train" / "meta.json"), "--ann",
         str(root / "train" / "Annotations"), "--pred", str(results), "--output", str(tmp_path)],
        cwd=TOOLS, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    printed = dict(
        line.split(": ") for line in (tmp_path / "scores.txt").read_text().splitlines() if "Copy" not in line
    )
    for column in result.columns:
        # the scorer prints percentages rounded to 2 decimals
        assert abs(100 * result.global_metrics[column] - float(printed[column])) <= 0.005 + 1e-9, column
