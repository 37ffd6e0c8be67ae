#!/usr/bin/env python3
"""Evaluation speed on a DAVIS 2016 val results folder: decode, metric, end to end.

    .venv/bin/python benchmarks/bench_evaluate.py [--root ../shared/datasets/DAVIS2016]
        [--results ../shared/datasets/results/osvos-davis2017-val] [--reference]
        [--official CHECKOUT [--official-python PYTHON]]

Prints frames per second and ms per frame for PNG decoding (ground truth and prediction)
and for the metric (J and F of one frame) separately, then the wall time of the whole
`vosbench evaluate` with 1 and 2 worker processes. With --reference it also times the
literal, single-process reading of the official definitions in tests/reference_davis.py
(full-frame seg2bmap, skimage disk, cv2.dilate, as davis2017-evaluation does).

With --official (a checkout of davisvideochallenge/davis2017-evaluation; PYTHON with its
requirements, pandas included) it times the official command line against vosbench's on the
same data: the official toolkit reads the DAVIS 2017 layout only, so DAVIS 2016 val is copied
into it (its 0/255 masks as object 1, the results' objects merged), and both commands are run
from a fresh process, start-up and result files included, and print the same J&F.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vosbench.evaluation import build_tasks, evaluate  # noqa: E402
from vosbench.evaluation.tasks import ground_truth_labels, prediction_labels  # noqa: E402
from vosbench.io.masks import read_mask  # noqa: E402
from vosbench.metrics import score_frame  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=REPO.parent / "shared" / "datasets" / "DAVIS2016")
    parser.add_argument(
        "--results",
        type=Path,
        default=REPO.parent / "shared" / "datasets" / "results" / "osvos-davis2017-val",
    )
    parser.add_argument(
        "--reference", action="store_true", help="also time the literal official-definition code"
    )
    parser.add_argument("--official", type=Path, default=None, help="a davis2017-evaluation checkout")
    parser.add_argument("--official-python", default=sys.executable, help="an interpreter for it")
    parser.add_argument("--vos-benchmark", type=Path, default=None, help="with --official: its checkout")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    tasks = build_tasks("davis2016", args.root, "val")
    pairs = [(t, i) for t in tasks for i in range(t.n_frames)]
    n = len(pairs)
    cores = os.cpu_count()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"data: {len(tasks)} sequences, {n} scored frames (DAVIS 2016 val, 854x480)")

    start = time.perf_counter()
    gts = [read_mask(t.gt_paths[i]) for t, i in pairs]
    t_gt = time.perf_counter() - start
    start = time.perf_counter()
    preds = [read_mask(args.results / t.name / f"{t.frames[i]}.png") for t, i in pairs]
    t_pred = time.perf_counter() - start
    print(f"decode ground truth : {n / t_gt:8.0f} frames/s  {1e3 * t_gt / n:6.3f} ms/frame (1 core)")
    print(f"decode prediction   : {n / t_pred:8.0f} frames/s  {1e3 * t_pred / n:6.3f} ms/frame (1 core)")

    labels = [
        (ground_truth_labels(g, t.gt_encoding, t.merge, False)[0], prediction_labels(p, t.merge), t.n_labels)
        for (t, _), g, p in zip(pairs, gts, preds, strict=True)
    ]
    start = time.perf_counter()
    for g, p, k in labels:
        score_frame(g, p, k)
    t_metric = time.perf_counter() - start
    print(f"metric (J and F)    : {n / t_metric:8.0f} frames/s  {1e3 * t_metric / n:6.3f} ms/frame (1 core)")

    for workers in (1, 2):
        start = time.perf_counter()
        result = evaluate("davis2016", args.root, args.results, workers=workers)
        wall = time.perf_counter() - start
        print(
            f"vosbench evaluate, {workers} worker(s): {wall:6.2f} s  ({n / wall:6.0f} frames/s)  "
            f"J&F = {result.global_metrics['J&F-Mean']:.6f}"
        )

    if args.reference:
        sys.path.insert(0, str(REPO / "tests"))
        from reference_davis import ref_f_measure, ref_jaccard

        start = time.perf_counter()
        for g, p, _ in labels:
            ref_jaccard(g, p)
            ref_f_measure(g, p)
        t_ref = time.perf_counter() - start
        print(
            f"reference metric, full frame, 1 process: {t_ref:6.2f} s ({1e3 * t_ref / n:.2f} ms/frame, "
            f"decode excluded)"
        )

    if args.official is not None:
        checkouts = args.official, args.official_python, args.vos_benchmark
        official_command_lines(args.root, args.results, *checkouts)


def official_command_lines(
    root: Path, results: Path, checkout: Path, python: str, vos_benchmark: Path | None = None
) -> None:
    """The official toolkit's command line and vosbench's (and hkchengrex/vos-benchmark's, given
    its checkout), timed on one DAVIS 2017-layout copy."""
    import subprocess
    import tempfile

    import numpy as np

    from vosbench.datasets import load_videos
    from vosbench.io.masks import write_mask

    videos = load_videos("davis2016", root, "val")
    with tempfile.TemporaryDirectory() as folder:
        copy, merged = Path(folder) / "DAVIS", Path(folder) / "results"
        (copy / "ImageSets" / "2017").mkdir(parents=True)
        (copy / "ImageSets" / "2017" / "val.txt").write_text("".join(f"{v.name}\n" for v in videos))
        for video in videos:
            (copy / "JPEGImages" / "480p" / video.name).mkdir(parents=True)
            for frame, image in zip(video.frames, video.image_paths, strict=True):
                (copy / "JPEGImages" / "480p" / video.name / f"{frame}.jpg").symlink_to(image)
            for frame, path in video.annotations.items():
                mask = (read_mask(path) > 0).astype(np.uint8)
                write_mask(copy / "Annotations" / "480p" / video.name / f"{frame}.png", mask)
                prediction = results / video.name / f"{frame}.png"
                if prediction.is_file():
                    mask = (read_mask(prediction) > 0).astype(np.uint8)
                    write_mask(merged / video.name / f"{frame}.png", mask)
        official = [python, str(checkout / "evaluation_method.py"), "--davis_path", str(copy), "--set", "val"]
        official += ["--task", "semi-supervised", "--results_path", str(merged)]
        ours = [sys.executable, "-m", "vosbench", "evaluate", "--dataset", "davis2017", "--root", str(copy)]
        ours += ["--results", str(merged), "--out", str(Path(folder) / "scores"), "--quiet"]
        commands = [("official evaluation_method.py", official, checkout), ("vosbench evaluate", ours, REPO)]
        if vos_benchmark is not None:  # its own script, 2 processes (the cores here)
            gt = copy / "Annotations" / "480p"
            theirs = [sys.executable, str(vos_benchmark / "benchmark.py"), "-g", str(gt), "-m", str(merged)]
            theirs += ["-n", "2"]
            commands.append(("vos-benchmark benchmark.py", theirs, vos_benchmark))
        for name, command, path in commands:
            start = time.perf_counter()
            env = {**os.environ, "PYTHONPATH": str(path)}
            done = subprocess.run(command, capture_output=True, text=True, env=env)
            wall = time.perf_counter() - start
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            print(f"{name}: {wall:6.2f} s, J&F {_printed_jf(name, done.stdout):.3f}")


def _printed_jf(name: str, stdout: str) -> float:
    """The J&F a command printed, as a fraction."""
    import re

    lines = stdout.splitlines()
    if name.startswith("official"):  # pandas' table: the header, then the values
        header = next(i for i, line in enumerate(lines) if "J&F-Mean" in line)
        return float(lines[header + 1].split()[0])
    if name.startswith("vos-benchmark"):  # "Global score  J&F J F", in percent
        return float(next(line for line in lines if line.startswith("Global score")).split()[2]) / 100
    return float(re.search(r"J&F-Mean: (\S+)", stdout).group(1)) / 100


if __name__ == "__main__":
    main()
