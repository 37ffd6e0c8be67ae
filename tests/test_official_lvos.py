"""vosbench's LVOS protocols against the official evaluator (LingyiHongfd/lvos-evaluation) in
both of its rule years: ``lvos`` against a checkout of its 2024 code named by
``VOSBENCH_OFFICIAL_LVOS`` (commit c05e889), ``lvos-2022`` against one of its 2022 code named
by ``VOSBENCH_OFFICIAL_LVOS_2022`` (commit 9ff733c). Each test is skipped when its variable is
unset; none of the official code is in vosbench. The tool assigns arrays into array elements,
which NumPy refuses from 1.25 on, and its 2022 code uses ``np.bool`` (gone in 1.24):
``VOSBENCH_OFFICIAL_LVOS_PYTHON`` and ``VOSBENCH_OFFICIAL_LVOS_2022_PYTHON`` name interpreters
with each one's requirements (NumPy 1.24 and 1.23, scikit-image, OpenCV, pandas, tqdm; the
2022 code also progressbar2); both default to this one.

The data is built here in LVOS's layout: 8-digit frames, a mask every 5th frame, objects with
their own frame ranges (one given late, one that ends early, one that leaves and returns),
a seen and an unseen group, predictions perturbed near the boundary tolerance and with an id
that is no object.
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

SHAPE = (240, 427)
N_FRAMES = 16
VIDEOS = {
    # object -> (centre, axes, first frame, last frame, frames away)
    "river": {1: ((100, 120), (60, 40), 0, 15, ()), 2: ((300, 80), (14, 10), 5, 15, ())},
    "market": {1: ((200, 150), (40, 30), 0, 10, ()), 2: ((80, 60), (25, 18), 0, 15, (10,)),
               3: ((330, 170), (9, 7), 0, 15, ())},
    "summit": {1: ((150, 100), (70, 50), 0, 15, (5,))},
    "harbour": {1: ((120, 90), (50, 35), 0, 15, ()), 2: ((280, 150), (30, 20), 0, 15, (5,))},
}  # fmt: skip
# frame_nums counts the object's annotated frames, its end included; for harbour one fewer, so
# that the official loop meets the frame_nums - 1-th frame it skips in 2024
SHORT_COUNT = ("harbour",)
UNSEEN = ("market",)
CHECKOUTS = {
    2024: official_checkout("VOSBENCH_OFFICIAL_LVOS", "LingyiHongfd/lvos-evaluation (c05e889)"),
    2022: official_checkout("VOSBENCH_OFFICIAL_LVOS_2022", "LingyiHongfd/lvos-evaluation (9ff733c)"),
}


def _labels(name: str, t: int) -> np.ndarray:
    labels = np.zeros(SHAPE, np.uint8)
    for obj, (centre, axes, first, last, away) in VIDEOS[name].items():
        if first <= t <= last and t not in away:
            cv2.ellipse(labels, (centre[0] + 3 * t, centre[1] + t), axes, 0, 0, 360, obj, -1)
    return labels


def _prediction(labels: np.ndarray, t: int) -> np.ndarray:
    pred = np.roll(labels, ((t % 3) - 1, (0, 5, -4, 2)[t // 5 % 4]), axis=(0, 1))
    if t == 10:
        pred[:6, :6] = 9  # an id that is no object: ignored
        pred[pred == 2] = 0  # object 2 missed where present, found where absent below
    if t == 5:
        cv2.ellipse(pred, (90, 70), (20, 15), 0, 0, 360, 2, -1)
    return pred


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lvos")
    split = root / "valid"
    meta = {}
    for name, objects in VIDEOS.items():
        for t in range(N_FRAMES):
            labels = _labels(name, t)
            write_image(split / "JPEGImages" / name / f"{t:08d}.jpg", np.zeros((*SHAPE, 3), np.uint8))
            if t % 5 == 0:
                write_mask(split / "Annotations" / name / f"{t:08d}.png", labels)
                write_mask(root / "results" / name / f"{t:08d}.png", _prediction(labels, t))
        short = name in SHORT_COUNT
        ranges = {
            str(obj): {
                "frame_range": {"start": first, "end": last, "frame_nums": (last - first) // 5 + 1 - short}
            }
            for obj, (_, _, first, last, _) in objects.items()
        }
        meta[name] = {"objects": ranges}
    (split / "valid_meta.json").write_text(json.dumps({"videos": meta}))
    (split / "unseen_videos.txt").write_text("".join(f"{v}\n" for v in UNSEEN))
    (split / "unsupervised_videos.txt").write_text("")  # the official class reads it too
    return split, root / "results"


# Runs in the official tool's interpreter: imports its class from the checkout, prints the
# per-object means it computes (JSON floats read back exactly).
DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from lvos.evaluation import LVOSEvaluation
# codalab=True: its lists of unseen and unsupervised videos are read beside the split
evaluation = LVOSEvaluation(sys.argv[2], "semi-supervised", "valid", codalab=True)
metrics, seen, unseen = evaluation.evaluate(sys.argv[3])
v = {**seen["V"]["M_per_object"], **unseen["V"]["M_per_object"]}
print(json.dumps({"J": metrics["J"]["M_per_object"], "F": metrics["F"]["M_per_object"], "V": v}))
"""
# each year's tool in an interpreter with its requirements (the 2022 code uses np.bool: NumPy < 1.24)
PYTHONS = {
    2024: os.environ.get("VOSBENCH_OFFICIAL_LVOS_PYTHON", sys.executable),
    2022: os.environ.get("VOSBENCH_OFFICIAL_LVOS_2022_PYTHON", sys.executable),
}


def _official(rule: int, folder: str, split: Path, results: Path) -> dict:
    done = subprocess.run(
        [PYTHONS[rule], "-c", DRIVER, folder, str(split), str(results)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("rule", "protocol"), [(2024, "lvos"), (2022, "lvos-2022")])
def test_every_object_and_the_global_row_equal_the_official_tool(
    rule: int, protocol: str, case: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, mark = CHECKOUTS[rule]
    if not folder:
        pytest.skip(mark.kwargs["reason"])
    split, results = case
    result = evaluate("lvos2", split.parent, results, protocol=protocol, workers=1)
    assert result.protocol == protocol
    official = _official(rule, folder, split, results)
    # the official tool names objects <video>_<1-based position>; the test's ids are 1..N
    ours = {o.key: o for o in result.objects}
    assert sorted(ours) == sorted(official["J"])
    for key, o in ours.items():
        assert abs(o.j_stats.mean - official["J"][key]) < 1e-12, key
        assert abs(o.f_stats.mean - official["F"][key]) < 1e-12, key
        assert abs(o.extras["V-Mean"] - official["V"][key]) < 1e-12, key
    # the global row as the official script prints it (3 decimals), run as its README says
    script = Path(folder) / "evaluation_method.py"
    work = tmp_path / "cwd"
    work.mkdir()
    for name in ("unseen_videos.txt", "unsupervised_videos.txt"):
        (work / name).write_text((split / name).read_text())
    out = tmp_path / "results"
    out.mkdir()
    for video in results.iterdir():
        for frame in video.iterdir():
            (out / video.name).mkdir(exist_ok=True)
            (out / video.name / frame.name).write_bytes(frame.read_bytes())
    done = subprocess.run(
        [PYTHONS[rule], str(script), "--lvos_path", str(split), "--set", "valid", "--results_path",
         str(out), "--mp_nums", "1"],
        cwd=work, capture_output=True, text=True, timeout=600, env={"PYTHONPATH": folder, "PATH": os.defpath},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = (out / "global_results-valid.csv").read_text().splitlines()
    printed = dict(zip(lines[0].split(","), map(float, lines[1].split(",")), strict=True))
    for column in result.columns:
        assert abs(result.global_metrics[column] - printed[column]) <= 0.0005 + 1e-9, column
