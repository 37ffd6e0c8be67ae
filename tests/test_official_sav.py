"""vosbench's SA-V protocol against the official evaluator (facebookresearch/sam2
``sav_dataset/sav_evaluator.py`` and ``utils/sav_benchmark.py``), from a checkout of the sam2
repository named by ``VOSBENCH_OFFICIAL_SAM2`` (skipped when unset; none of its code is in
vosbench); ``VOSBENCH_OFFICIAL_SAM2_PYTHON`` may name another interpreter for it.

The data is built here in SA-V's layout: one binary mask per object and annotated frame,
objects that overlap, one whose masks are empty before it appears, one the prediction finds
before the ground truth has it (the tool counts an object from its first frame in either).
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
from vosbench.io.masks import write_mask

FOLDER, needs_checkout = official_checkout("VOSBENCH_OFFICIAL_SAM2", "facebookresearch/sam2")
pytestmark = needs_checkout
PYTHON = os.environ.get("VOSBENCH_OFFICIAL_SAM2_PYTHON", sys.executable)
SHAPE = (240, 427)
N_FRAMES = 25  # annotated every 4th: 0, 4, ..., 24
# video -> object -> (centre, axes, first frame with a mask that is not empty)
VIDEOS = {
    # 0 and 1 overlap; 2 is empty in both masks until frame 12 (not counted before)
    "sav_000001": {0: ((150, 120), (70, 45), 0), 1: ((190, 130), (40, 30), 0), 2: ((80, 190), (20, 15), 12)},
    "sav_000002": {0: ((100, 80), (30, 20), 0), 1: ((300, 150), (25, 18), 12), 2: ((60, 200), (12, 8), 0)},
}  # fmt: skip

DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from utils.sav_benchmark import VideoEvaluator
evaluate = VideoEvaluator(sys.argv[2], sys.argv[3], skip_first_and_last=True)
out = {}
for video in sys.argv[4:]:
    _, iou, boundary = evaluate(video)
    out[video] = {"J": iou, "F": boundary}
print(json.dumps(out))
"""


def _mask(video: str, obj: int, t: int, shift: int = 0) -> np.ndarray:
    centre, axes, first = VIDEOS[video][obj]
    mask = np.zeros(SHAPE, np.uint8)
    if t >= first:
        cv2.ellipse(mask, (centre[0] + 4 * t + shift, centre[1] + t), axes, 10 * t, 0, 360, 255, -1)
    return mask


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sav")
    split = root / "sav_val"
    results = root / "results"
    for video, objects in VIDEOS.items():
        for t in range(N_FRAMES):
            write_image(split / "JPEGImages_24fps" / video / f"{t:05d}.jpg", np.zeros((*SHAPE, 3), np.uint8))
            if t % 4:
                continue
            for obj in objects:
                name = f"{obj:03d}"
                write_mask(split / "Annotations_6fps" / video / name / f"{t:05d}.png", _mask(video, obj, t))
                pred = _mask(video, obj, t, shift=(t % 3) * 3 - 3)
                if video == "sav_000002" and obj == 1 and t == 4:
                    pred = _mask(video, obj, 12)  # found before the ground truth has it
                if video == "sav_000002" and obj == 2 and t in (8, 16):
                    pred[:] = 0  # lost twice
                write_mask(results / video / name / f"{t:05d}.png", (pred > 0).astype(np.uint8))
    (split / "sav_val.txt").write_text("".join(f"{v}\n" for v in VIDEOS))
    return root, results


def test_every_object_and_the_global_row_equal_the_official_tool(case: tuple[Path, Path]) -> None:
    root, results = case
    result = evaluate("sav", root, results, workers=1)
    gt_root = root / "sav_val" / "Annotations_6fps"
    tool = Path(FOLDER) / "sav_dataset"
    done = subprocess.run(
        [PYTHON, "-c", DRIVER, str(tool), str(gt_root), str(results), *VIDEOS],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    official = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {(o.sequence, f"{o.object_id:03d}"): o for o in result.objects}
    theirs = {(v, obj): (j, official[v]["F"][obj]) for v in official for obj, j in official[v]["J"].items()}
    assert sorted(ours) == sorted(theirs)
    for key, (j, f) in theirs.items():  # the tool reports percentages
        assert abs(100 * ours[key].j_stats.mean - j) < 1e-9, key
        assert abs(100 * ours[key].f_stats.mean - f) < 1e-9, key
    # the global row, as the tool's benchmark() computes it over all objects
    js = [j for j, _ in theirs.values()]
    fs = [f for _, f in theirs.values()]
    assert abs(100 * result.global_metrics["J"] - float(np.mean(js))) < 1e-9
    assert abs(100 * result.global_metrics["F"] - float(np.mean(fs))) < 1e-9
    assert abs(100 * result.global_metrics["J&F"] - (float(np.mean(js)) + float(np.mean(fs))) / 2) < 1e-9
    # the command line tool runs on the same folders and prints the same global score
    done = subprocess.run(
        [PYTHON, "sav_evaluator.py", "--gt_root", str(gt_root), "--pred_root", str(results), "-n", "1", "-s"],
        cwd=tool, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("Global score: J&F"))
    assert f"J&F: {100 * result.global_metrics['J&F']:.1f}" in line
