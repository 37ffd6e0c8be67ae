"""vosbench's DAVIS scoring against the official toolkit, davisvideochallenge/davis2017-evaluation
(commit ac7c43f), read from a checkout named by ``VOSBENCH_OFFICIAL_DAVIS`` and skipped when it
is unset; none of its code is in vosbench. ``VOSBENCH_OFFICIAL_DAVIS_PYTHON`` names an
interpreter with its requirements (NumPy, OpenCV, scikit-image, SciPy, Pillow, tqdm; pandas for
its ``evaluation_method.py``); it defaults to this one.

Two checks: the toolkit's whole semi-supervised evaluation (``DAVISEvaluation``) on a DAVIS
2017 set built here, and its metric functions on every scored frame of the real DAVIS 2016 val
with the published OSVOS results (where ``../shared`` has them).
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
from builders import write_davis2017
from official_code import measured, official_checkout

from vosbench.evaluation import evaluate
from vosbench.io.masks import write_mask

FOLDER, NEEDS_CHECKOUT = official_checkout(
    "VOSBENCH_OFFICIAL_DAVIS", "davisvideochallenge/davis2017-evaluation (ac7c43f)"
)
PYTHON = os.environ.get("VOSBENCH_OFFICIAL_DAVIS_PYTHON", sys.executable)
pytestmark = NEEDS_CHECKOUT

SHAPE = (120, 214)
N_FRAMES = 16
# sequence -> objects: (centre, axes, speed); an object may be absent from some frames
SEQUENCES = {
    "kite": {1: ((60, 60), (30, 18), (4, 1)), 2: ((150, 40), (12, 8), (-3, 2)),
             3: ((100, 90), (5, 4), (1, -1))},
    "harbour": {1: ((100, 60), (45, 30), (2, 0))},
    "market": {1: ((40, 50), (14, 20), (5, 1)), 2: ((170, 80), (20, 12), (-4, -1))},
}  # fmt: skip
ABSENT = {("market", 2): range(6, 9)}  # frames where object 2 of market is out of view


def _truth(name: str, t: int) -> np.ndarray:
    labels = np.zeros(SHAPE, np.uint8)
    for obj, (centre, axes, speed) in SEQUENCES[name].items():
        if t in ABSENT.get((name, obj), ()):
            continue
        cv2.ellipse(labels, (centre[0] + speed[0] * t, centre[1] + speed[1] * t), axes, 0, 0, 360, obj, -1)
    if name == "kite":
        labels[:8, 100:140] = 255  # void: the official semi-supervised evaluation makes it background
    return labels


def _prediction(name: str, truth: np.ndarray, t: int) -> np.ndarray:
    pred = np.where(truth == 255, 0, truth).astype(np.uint8)
    pred = np.roll(pred, ((t % 3) - 1, (0, 3, -2, 1)[t // 4]), axis=(0, 1))  # about the tolerance
    if name == "kite" and t == 7:
        pred[pred == 3] = 0  # the small object missed
    if name == "market" and t in (7, 12):
        cv2.circle(pred, (20, 100), 6, 2, -1)  # found where absent (7), a false piece (12)
    if name == "harbour" and t > 10:
        pred[:] = 0  # lost
    return pred


@pytest.fixture(scope="module")
def davis2017(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("davis")
    truth = {name: [_truth(name, t) for t in range(N_FRAMES)] for name in SEQUENCES}
    write_davis2017(root / "DAVIS", truth)
    results = root / "results"
    for name, masks in truth.items():
        for t, mask in enumerate(masks):
            write_mask(results / name / f"{t:05d}.png", _prediction(name, mask, t))
    return root / "DAVIS", results


# Runs in the toolkit's interpreter: its class, its statistics, and the global row as its
# evaluation_method.py computes it (means of the per-object lists), printed as JSON.
DRIVER = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from davis2017.evaluation import DAVISEvaluation
metrics = DAVISEvaluation(sys.argv[2], "semi-supervised", "val").evaluate(sys.argv[3])
J, F = metrics["J"], metrics["F"]
names = list(J["M_per_object"])
stats = [J["M"], J["R"], J["D"], F["M"], F["R"], F["D"]]
out = {"objects": {n: [s[i] for s in stats] for i, n in enumerate(names)}}
out["global"] = {"J&F-Mean": (np.mean(J["M"]) + np.mean(F["M"])) / 2., "J-Mean": np.mean(J["M"]),
    "J-Recall": np.mean(J["R"]), "J-Decay": np.mean(J["D"]), "F-Mean": np.mean(F["M"]),
    "F-Recall": np.mean(F["R"]), "F-Decay": np.mean(F["D"])}
print(json.dumps({k: {n: (list(map(float, v)) if isinstance(v, list) else float(v)) for n, v in d.items()}
                  for k, d in out.items()}))
"""


def _run(code: str, *args: str) -> dict:
    done = subprocess.run([PYTHON, "-c", code, FOLDER, *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_semi_supervised_evaluation_equals_the_toolkits(davis2017: tuple[Path, Path]) -> None:
    root, results = davis2017
    result = evaluate("davis2017", root, results, workers=1)
    official = _run(DRIVER, str(root), str(results))
    ours = {o.key: o for o in result.objects}
    assert sorted(ours) == sorted(official["objects"])
    largest = 0.0
    for key, o in ours.items():
        values = [
            o.j_stats.mean,
            o.j_stats.recall,
            o.j_stats.decay,
            o.f_stats.mean,
            o.f_stats.recall,
            o.f_stats.decay,
        ]
        largest = max(largest, *(abs(a - b) for a, b in zip(values, official["objects"][key], strict=True)))
    for column, value in official["global"].items():
        largest = max(largest, abs(result.global_metrics[column] - value))
    measured(f"davis2017 semi-supervised, {len(ours)} objects: largest difference {largest:.3g}")
    assert largest < 1e-12
    # the objects differ from one another, and from the truth (the comparison is not vacuous)
    assert len({round(o.jf, 6) for o in ours.values()}) == len(ours) and max(o.jf for o in ours.values()) < 1


def test_the_toolkits_script_prints_the_global_row_vosbench_writes(
    davis2017: tuple[Path, Path], tmp_path: Path
) -> None:
    """``evaluation_method.py`` as its README runs it (3 decimals, in an interpreter with pandas)."""
    root, results = davis2017
    out = tmp_path / "results"
    for video in results.iterdir():
        (out / video.name).mkdir(parents=True)
        for frame in video.iterdir():
            (out / video.name / frame.name).write_bytes(frame.read_bytes())
    script = Path(FOLDER) / "evaluation_method.py"
    args = [
        "--davis_path",
        str(root),
        "--set",
        "val",
        "--task",
        "semi-supervised",
        "--results_path",
        str(out),
    ]
    done = subprocess.run(
        [PYTHON, str(script), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={"PYTHONPATH": FOLDER, "PATH": os.defpath},
    )
    assert done.returncode == 0, "evaluation_method.py needs pandas: " + done.stderr[-2000:]
    lines = (out / "global_results-val.csv").read_text().splitlines()
    printed = dict(zip(lines[0].split(","), map(float, lines[1].split(",")), strict=True))
    result = evaluate("davis2017", root, results, workers=1)
    for column, value in printed.items():
        assert abs(100 * result.global_metrics[column] - 100 * value) <= 0.05 + 1e-9, column


# Every frame vosbench scores on the real DAVIS 2016 val, through the toolkit's own functions:
# reads the frames named on stdin ("gt_path res_path" lines), prints per-frame J and F.
FRAMES = """
import json, sys
import numpy as np
from PIL import Image
sys.path.insert(0, sys.argv[1])
from davis2017.metrics import db_eval_boundary, db_eval_iou
out = []
for line in sys.stdin.read().splitlines():
    gt_path, res_path = line.split()
    gt = np.array(Image.open(gt_path)) > 0
    res = np.array(Image.open(res_path)) > 0
    out.append([float(db_eval_iou(gt, res)), float(db_eval_boundary(gt, res))])
print(json.dumps(out))
"""


def test_every_frame_of_the_real_davis2016_val_equals_the_toolkits_metrics(
    davis2016_root: Path, osvos_results: Path
) -> None:
    result = evaluate("davis2016", davis2016_root, osvos_results)
    pairs = [
        (
            o,
            t,
            davis2016_root / "Annotations" / "480p" / o.sequence / f"{frame}.png",
            osvos_results / o.sequence / f"{frame}.png",
        )
        for o in result.objects
        for t, frame in enumerate(o.frames)
    ]
    done = subprocess.run(
        [PYTHON, "-c", FRAMES, FOLDER], input="".join(f"{g} {r}\n" for _, _, g, r in pairs),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    official = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(official) == len(pairs)
    largest = max(
        max(abs(o.j[t] - j), abs(o.f[t] - f)) for (o, t, _, _), (j, f) in zip(pairs, official, strict=True)
    )
    measured(f"davis2016 val with OSVOS, {len(pairs)} frames: largest per-frame difference {largest:.3g}")
    assert largest < 1e-12


# The toolkit's statistics over arrays given on stdin as JSON (NaN included, as Python's json
# writes it), printed back as [Mean, Recall, Decay] each.
STATISTICS = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from davis2017.utils import db_statistics
rows = json.loads(sys.stdin.read())
print(json.dumps([[float(x) for x in db_statistics(np.array(r, dtype=np.float64))] for r in rows]))
"""


def test_mean_recall_and_decay_equal_the_toolkits_below_its_uint8_edges() -> None:
    """Identical for every length up to 255 frames; from 256 on the toolkit's uint8 bin edges
    wrap (vosbench keeps the intended ones: vosbench/metrics/statistics.py), so there only Mean
    and Recall are compared, and the wrapped Decay is shown to differ."""
    from vosbench.metrics.statistics import db_statistics, official_decay_edges_wrap

    rng = np.random.default_rng(0)
    rows = []
    for n in range(1, 321):
        values = rng.uniform(0, 1, n)
        values[rng.uniform(0, 1, n) < 0.05] = np.nan  # frames without a value
        rows.append(values.tolist())
    command = [PYTHON, "-c", STATISTICS, FOLDER]
    done = subprocess.run(command, input=json.dumps(rows), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    official = json.loads(done.stdout.strip().splitlines()[-1])
    largest, wrapped = 0.0, []
    for values, (mean, recall, decay) in zip(rows, official, strict=True):
        ours = db_statistics(np.array(values))
        largest = max(largest, abs(ours.mean - mean), abs(ours.recall - recall))
        if official_decay_edges_wrap(len(values)):
            wrapped.append(not np.isclose(ours.decay, decay, equal_nan=True))
        else:
            assert ours.decay == pytest.approx(decay, abs=1e-12, nan_ok=True), len(values)
    measured(f"davis2017 db_statistics, lengths 1 to 320: largest Mean/Recall difference {largest:.3g}")
    assert largest < 1e-12
    assert sum(wrapped) > len(wrapped) / 2  # the official Decay is wrong past its edges
