"""`vosbench demo` and `vosbench make-demo-data`: the demo datasets, and a first look at them."""

from __future__ import annotations

import time
from pathlib import Path

from vosbench.datasets import dataset_spec, load_videos
from vosbench.demo_data import make_demo_data
from vosbench.errors import VosbenchError
from vosbench.io.images import write_image
from vosbench.io.masks import read_mask
from vosbench.io.preflight import writable_dir
from vosbench.io.results import mask_path


def write_demo_data(out: Path, seed: int = 0, frames: int = 20, size: tuple[int, int] = (480, 854)) -> None:
    """Generate the demo datasets into ``out`` after checking the arguments; says what it wrote."""
    if frames < 3:
        raise VosbenchError(f"--frames must be at least 3, got {frames}")
    if min(size) < 32:
        raise VosbenchError(f"--size {size[0]} {size[1]}: both sides must be at least 32")
    start = time.perf_counter()
    writable_dir(out, "--out")
    demo = make_demo_data(out, seed=seed, n_frames=frames, size=size, benchmarks=True)
    others = "".join(
        f", {root} ({dataset_spec(name).description.split(':')[0]} layout)"
        for name, root in demo.benchmark_roots.items()
    )
    print(
        f"wrote {demo.davis_root} (DAVIS 2017 layout), {demo.youtube_root} (YouTube-VOS layout), "
        f"{demo.coco_root} (COCO layout){others} in {time.perf_counter() - start:.1f} s"
    )


def run_demo(out: Path, method: str = "flow-propagation") -> None:
    """Demo data into ``out``, ``method`` over its DAVIS 2017-layout val split (masks, scores,
    run.json in ``out/results``) and a contact sheet of overlays."""
    from vosbench.runner.command import run_and_report
    from vosbench.runner.run import RunOptions
    from vosbench.visual.overlay import contact_sheet, overlay

    writable_dir(out, "--out")
    demo = make_demo_data(out)
    print(f"demo data written to {out} (DAVIS/, YouTube/ and COCO/)")
    results = out / "results"
    run_and_report(method, {}, RunOptions(dataset="davis2017", root=demo.davis_root, out=results))
    rows, captions = [], []
    for video in load_videos("davis2017", demo.davis_root, "val"):
        picks = [0, len(video) // 2, len(video) - 1]
        rows.append(
            [
                overlay(video.read_frame(i), read_mask(mask_path(results, video.name, video.frames[i])))
                for i in picks
            ]
        )
        captions.append([f"{video.name} {video.frames[i]}" for i in picks])
    sheet = results / "overlays.png"
    write_image(sheet, contact_sheet(rows, captions=captions))
    print(f"overlays (first, middle, last frame of each video): {sheet}")
