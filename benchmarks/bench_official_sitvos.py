#!/usr/bin/env python3
"""The authors' SITVOS code's speed in the setting of `bench_sitvos.py --variant official`: a
480p video with 2 objects and 7 frames in memory, random weights, no file I/O.

    .venv/bin/python benchmarks/bench_official_sitvos.py --official /tmp/SITVOS --device cpu \\
        --frames 12 --warmup 4

The official network (github LANMNG/SITVOS, ``model/model.py``) is imported from a checkout
(``git clone https://github.com/LANMNG/SITVOS``; vosbench cannot include it) with what it needs
that is absent stubbed as in ``tests/test_official_sitvos.py``, and driven as its ``eval.py``
drives it: per frame, the previous frame is memorised from the features it computed, then the
frame is segmented with the memory; the memory holds the 7 latest frames once warm (the work of
vosbench's ``memory=fixed n=7``: 7 frames, whichever they are). Per-frame time after the warm-up
frames, CUDA synchronised around every frame.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_sitvos import synthetic_video, video_parser
from official_code import (
    SLOTS,
    first_frame_slots,
    official_sitvos_class,
    random_torchvision_backbones,
    randomise,
)

from vosbench.system.devices import flushed_denormals
from vosbench.system.provenance import hardware, hardware_label


def official_network(folder: Path) -> torch.nn.Module:
    network = official_sitvos_class(folder)
    with random_torchvision_backbones():
        net = network("resnet50", state="test")
    randomise(net, seed=0)
    return net.eval()


def main() -> None:
    parser = video_parser(__doc__)
    parser.add_argument("--official", required=True, help="a checkout of github.com/LANMNG/SITVOS")
    parser.add_argument("--memory", type=int, default=7, help="frames in memory")
    parser.add_argument(
        "--flush-denormals",
        action="store_true",
        help="on a CPU, as vosbench's methods run (the official code does not)",
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    net = official_network(Path(args.official)).to(device)
    size = (args.height, args.width)
    images, labels = synthetic_video(args)  # the same video as bench_sitvos.py's
    frames = [torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255 for image in images]
    estimate = first_frame_slots(labels, args.objects).to(device)
    count = torch.tensor([args.objects])
    keys: list[torch.Tensor] = []
    values: list[torch.Tensor] = []
    features = None
    times = []
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    flushing = flushed_denormals(args.device) if args.flush_denormals else contextlib.nullcontext()
    with torch.no_grad(), flushing:
        for t in range(1, args.frames + 1):
            sync()
            start = time.perf_counter()
            previous = frames[0].to(device) if t == 1 else features
            key, value = net(previous, estimate, count)  # memorise the previous frame
            keys, values = [*keys, key][-args.memory :], [*values, value][-args.memory :]
            image = frames[t % len(frames)].to(device)
            logit, features = net(image, torch.cat(keys, dim=3), torch.cat(values, dim=3), count)
            estimate = F.softmax(logit, dim=1)
            estimate.argmax(1).cpu()  # the label map, as eval.py takes it
            sync()
            if t > args.warmup:
                times.append(time.perf_counter() - start)
    assert estimate.shape[1] == SLOTS
    median = statistics.median(times)
    label = hardware_label(hardware(args.device))
    flushed = ", denormals flushed" if args.flush_denormals else ""
    setting = f"{size[1]}x{size[0]}, {args.objects} objects, {args.memory} memory frames{flushed}"
    print(f"official SITVOS {setting}, {label}")
    after = f"{len(times)} frames after {args.warmup} warm-up"
    print(f"{after}: median {median:.3f} s per frame, {1 / median:.2f} FPS")


if __name__ == "__main__":
    main()
