#!/usr/bin/env python3
"""SITVOS (or STM) speed: FPS and time per stage on a 480p video with 2 objects.

    .venv/bin/python benchmarks/bench_sitvos.py --device cuda --frames 200
    .venv/bin/python benchmarks/bench_sitvos.py --device cpu --frames 12 --warmup 2
    .venv/bin/python benchmarks/bench_sitvos.py --method stm --device cuda --frames 200
    .venv/bin/python benchmarks/bench_sitvos.py --variant official --device cpu --frames 12 --warmup 4

SITVOS runs with memory fixed, N=7 (the paper's setting); STM with its memory every 5 frames.
``--variant official`` times the official code's network (C=128, 3x3 keys, the projector; zero
padding, 11 object slots), to compare with `bench_official_sitvos.py` on the same machine.

Frames are generated in memory (no file I/O); weights are random unless --checkpoint is
given (speed does not depend on the weights). Uses vosbench's profiler: CUDA synchronised
around every frame, warm-up frames excluded.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from vosbench.methods import GivenMasks, VideoInfo, create_method
from vosbench.runner.profiler import Profiler
from vosbench.system.provenance import hardware, hardware_label


def video_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options of a speed test on a synthetic video (shared with bench_official_sitvos.py)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--width", type=int, default=854)
    parser.add_argument("--objects", type=int, default=2)
    return parser


def synthetic_video(args: argparse.Namespace) -> tuple[list[np.ndarray], np.ndarray]:
    """Up to 16 random frames (cycled through) and first-frame labels with ``args.objects`` boxes."""
    rng = np.random.default_rng(0)
    size = (args.height, args.width)
    frames = [rng.integers(0, 255, (*size, 3), dtype=np.uint8) for _ in range(min(args.frames, 16))]
    labels = np.zeros(size, np.uint8)
    for k in range(1, args.objects + 1):
        labels[40 * k : 40 * k + 120, 60 * k : 60 * k + 160] = k
    return frames, labels


def main() -> None:
    parser = video_parser(__doc__)
    parser.add_argument("--memory", default="fixed")
    parser.add_argument("--n", default="7")
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "auto"))
    parser.add_argument("--fim", default="true")
    parser.add_argument("--checkpoint", default="")
    parser.add_argument("--method", default="sitvos", choices=("sitvos", "stm"))
    parser.add_argument("--size", default="0", help="network input's shorter side (0: full size)")
    parser.add_argument("--variant", default="", choices=("", "paper", "official"))
    args = parser.parse_args()
    settings = {"precision": args.precision, "size": args.size, "variant": args.variant}
    if args.method == "sitvos":
        settings.update({"memory": args.memory, "n": args.n, "fim": args.fim})
    settings.update({"checkpoint": args.checkpoint} if args.checkpoint else {"init": "random"})
    method = create_method(args.method, settings, device=args.device)
    size = (args.height, args.width)
    frames, labels = synthetic_video(args)
    profiler = Profiler(args.device, warmup=args.warmup)
    method.attach_timer(profiler)
    method.start_video(VideoInfo("bench", size, args.frames, tuple(range(1, args.objects + 1))))
    for t in range(args.frames):
        given = GivenMasks(labels, tuple(range(1, args.objects + 1))) if t == 0 else None
        with profiler.frame():
            method.step(frames[t % len(frames)], given)
    report = profiler.report()
    device = hardware_label(hardware(args.device))
    memory = f"memory={args.memory} n={args.n}" if args.method == "sitvos" else "memory every 5 frames"
    variant = f" ({args.variant})" if args.variant else ""
    print(
        f"{args.method}{variant} {size[1]}x{size[0]}, {args.objects} objects, {memory}, "
        f"size={args.size}, {device}"
    )
    print(report.summary())


if __name__ == "__main__":
    main()
