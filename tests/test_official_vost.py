"""vosbench's VOST protocol against the official evaluator (TRI-ML/VOST ``evaluation/``), from a
checkout named by ``VOSBENCH_OFFICIAL_VOST`` (the repository root; skipped when unset; none of
its code is in vosbench). The tool uses ``np.bool``, gone from NumPy 1.24 on:
``VOSBENCH_OFFICIAL_VOST_PYTHON`` names an interpreter with its requirements (NumPy 1.23,
scikit-image, OpenCV, pandas, tqdm, scipy); it defaults to this one.

The data is built here in VOST's layout: 10 fps frames, annotations at 5 fps with void (255) on
object edges, objects that leave and return, a video long enough that its last quarter is not
its last frame alone, predictions with an id above the video's objects and one lacking an object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from official_code import official_checkout

from vosbench.evaluation import evaluate
from vosbench.io.images import write_image
from vosbench.io.masks import VOID_LABEL, write_mask

FOLDER, needs_checkout = official_checkout("VOSBENCH_OFFICIAL_VOST", "TRI-ML/VOST")
pytestmark = needs_checkout
PYTHON = os.environ.get("VOSBENCH_OFFICIAL_VOST_PYTHON", sys.executable)
SHAPE = (180, 320)
VIDEOS = {"cut": (22, 2), "fold": (14, 3), "peel": (30, 1)}  # name -> (frames at 10 fps, objects)

DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from source.evaluation import Evaluation
metrics = Evaluation(dataset_root=sys.argv[2], gt_set="val").evaluate(sys.argv[3])
print(json.dumps({"J": metrics["J"]["M_per_object"], "J_last": metrics["J_last"]["M_per_object"]}))
"""


def _labels(t: int, n_objects: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.zeros(SHAPE, np.uint8)
    for obj in range(1, n_objects + 1):
        if obj == 2 and 8 <= t < 14:
            continue  # out of sight, then back
        centre = (int(rng.integers(60, 260)) + 4 * t, int(rng.integers(40, 140)))
        axes = (int(rng.integers(15, 45)) - (t if obj == 1 else 0) // 2, int(rng.integers(10, 30)))
        cv2.ellipse(labels, centre, axes, 15 * t, 0, 360, obj, -1)
    return labels


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("vost")
    results = root / "results"
    for seed, (name, (n_frames, n_objects)) in enumerate(VIDEOS.items()):
        for t in range(n_frames):
            labels = _labels(t, n_objects, seed)
            write_image(root / "JPEGImages_10fps" / name / f"{t:05d}.jpg", np.zeros((*SHAPE, 3), np.uint8))
            if t % 2:
                continue
            gt = labels.copy()
            edge = cv2.morphologyEx(labels, cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8)) > 0
            gt[edge & (np.arange(SHAPE[1])[None, :] % 3 == 0)] = VOID_LABEL  # void on edges
            write_image(root / "JPEGImages" / name / f"{t:05d}.jpg", np.zeros((*SHAPE, 3), np.uint8))
            write_mask(root / "Annotations" / name / f"{t:05d}.png", gt)
            pred = np.roll(labels, (t % 5) - 2, axis=1)
            if name == "fold" and t == 6:
                pred[:8, :8] = 7  # an id above the video's objects: left out
            if name == "cut":
                pred[pred == 2] = 0 if t > 10 else 2  # object 2 lost in the second half
            write_mask(results / name / f"{t:05d}.png", pred)
    (root / "ImageSets").mkdir()
    (root / "ImageSets" / "val.txt").write_text("".join(f"{n}\n" for n in VIDEOS))
    return root, results


def test_every_object_and_the_global_row_equal_the_official_tool(
    case: tuple[Path, Path], tmp_path: Path
) -> None:
    root, results = case
    result = evaluate("vost", root, results, workers=1)
    assert result.protocol == "vost" and result.headline[0] == "J-Mean"
    tool = Path(FOLDER) / "evaluation"
    done = subprocess.run(
        [PYTHON, "-c", DRIVER, str(tool), str(root), str(results)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    official = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {o.key: o for o in result.objects}
    assert sorted(ours) == sorted(official["J"])
    for key, o in ours.items():
        assert abs(o.j_stats.mean - official["J"][key]) < 1e-12, key
        assert abs(o.extras["J_last-Mean"] - official["J_last"][key]) < 1e-12, key
        assert o.score == o.j_stats.mean  # the per-object headline is J
    # the global row as the tool's script prints it (3 decimals)
    out = tmp_path / "results"
    out.mkdir()
    for video in results.iterdir():
        (out / video.name).mkdir()
        for frame in video.iterdir():
            (out / video.name / frame.name).write_bytes(frame.read_bytes())
    done = subprocess.run(
        [PYTHON, "evaluation_method.py", "--dataset_path", str(root), "--set", "val",
         "--results_path", str(out)],
        cwd=tool, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = (out / "global_results-val.csv").read_text().splitlines()
    printed = dict(zip(lines[0].split(","), map(float, lines[1].split(",")), strict=True))
    for column in result.columns:
        assert abs(result.global_metrics[column] - printed[column]) <= 0.0005 + 1e-9, column
