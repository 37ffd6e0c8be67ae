#!/usr/bin/env python3
"""Training clips per second through a torch DataLoader (default: 2 workers, 384x384, 3 frames).

    .venv/bin/python benchmarks/bench_sampler.py                       # generated demo data
    .venv/bin/python benchmarks/bench_sampler.py --davis2016 ../shared/datasets/DAVIS2016
    .venv/bin/python benchmarks/bench_sampler.py --coco ../shared/datasets/coco-tiny

Prints clips/s for each source after one warm-up batch.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from torch.utils.data import Dataset

from vosbench.datasets import load_videos
from vosbench.sampling import ClipOptions, CocoClips, VideoClips, clip_loader


def clips_per_second(dataset: Dataset, workers: int, batch: int, batches: int) -> float:
    loader = clip_loader(dataset, batch_size=batch, workers=workers)
    iterator = iter(loader)
    next(iterator)  # warm-up: worker start-up and first decodes
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--davis2016", type=Path, help="a DAVIS 2016 root: clips from its train split")
    parser.add_argument("--coco", type=Path, help="a COCO root with annotations/instances_train2017.json")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    options = ClipOptions()
    sources: dict[str, Dataset] = {}
    if args.davis2016:
        videos = load_videos("davis2016", args.davis2016, "train")
        sources["DAVIS 2016 train (real, 854x480)"] = VideoClips(videos, options, samples=10_000)
    if args.coco:
        ann = args.coco / "annotations" / "instances_train2017.json"
        sources["COCO synthetic clips (real COCO images)"] = CocoClips(
            args.coco, ann, options, samples=10_000
        )
    if not sources:
        from vosbench.demo_data import make_demo_data

        demo = make_demo_data(Path(tempfile.mkdtemp()) / "demo")
        sources["demo VOS train (854x480)"] = VideoClips(
            load_videos("davis2017", demo.davis_root, "train"), options, samples=10_000
        )
        ann = demo.coco_root / "annotations" / "instances_train2017.json"
        sources["demo COCO synthetic clips"] = CocoClips(demo.coco_root, ann, options, samples=10_000)
    for name, dataset in sources.items():
        rate = clips_per_second(dataset, args.workers, args.batch, args.batches)
        shape = f"{options.size}x{options.size}, {options.n_frames} frames"
        print(f"{name}: {rate:.1f} clips/s ({args.workers} workers, {shape})")


if __name__ == "__main__":
    main()
