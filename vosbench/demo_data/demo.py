"""`vosbench demo` and `vosbench make-demo-data`: the demo datasets, and a first look at them."""

from __future__ import annotations

import time
from pathlib import Path

from vosbench.datasets import dataset_spec
from vosbench.demo_data import make_demo_data
from vosbench.errors import VosbenchError
from vosbench.io.preflight import writable_dir


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
    run.json and the figures of `vosbench run --figures` in ``out/results``)."""
    from vosbench.runner.command import run_and_report
    from vosbench.runner.run import RunOptions

    writable_dir(out, "--out")
    demo = make_demo_data(out)
    print(f"demo data written to {out} (DAVIS/, YouTube/ and COCO/)")
    options = RunOptions(dataset="davis2017", root=demo.davis_root, out=out / "results")
    run_and_report(method, {}, options, figures=True)
