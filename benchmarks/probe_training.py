#!/usr/bin/env python3
"""Train the quick scale's main-only stage (SITVOS) for a few iterations under the pinned
numerics and print a hash of the weights, to compare a processor with another (or with its
emulation) on a whole training step rather than kernel by kernel (`probe_kernels.py`).

    .venv/bin/vosbench make-demo-data --out /tmp/demo --frames 8 --size 64 112
    .venv/bin/python benchmarks/probe_training.py /tmp/demo/DAVIS 6 > native.txt
    qemu-x86_64 -cpu EPYC-Rome .venv/bin/python benchmarks/probe_training.py /tmp/demo/DAVIS 6 > epyc.txt
    diff native.txt epyc.txt      # nothing: the same losses and weights

Under QEMU's user-mode emulation one iteration takes about two minutes (0.1 s natively).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vosbench.numerics import Numerics, pin

# before torch is loaded, as `vosbench reproduce` does for the quick scale
if not pin(Numerics(threads=2, isa="avx2")):
    raise SystemExit("probe_training.py: NumPy or torch was loaded before the numerics were pinned")

import torch

from vosbench.system.devices import torch_threads, without_onednn
from vosbench.training.command import TrainData, train_stage

# the quick scale's main-stage settings (reports/experiments/recipes.toml, [scales.quick])
QUICK = {"batch_size": 1, "size": 64, "lr": 1e-4, "workers": 0, "backbone_init": "random", "width": 0.25}


def weights_hash(checkpoint: Path) -> str:
    """A hash of every tensor of a checkpoint, by name."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    state = state.get("model", state)
    digest = hashlib.sha256()
    for name in sorted(state):
        if torch.is_tensor(state[name]):
            digest.update(name.encode())
            digest.update(state[name].detach().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: probe_training.py DAVIS_ROOT ITERATIONS")
    root, iterations = Path(sys.argv[1]), int(sys.argv[2])
    settings = {**QUICK, "stage": "main", "iterations": iterations, "log_every": 1}
    settings["checkpoint_every"] = iterations
    with tempfile.TemporaryDirectory() as tmp, torch_threads(2), without_onednn(True):
        out = Path(tmp) / "stage"
        train_stage("sitvos", settings, TrainData(davis_root=root), out, progress=False)
        for line in (out / "metrics.jsonl").read_text().splitlines():
            print(line.split(', "seconds"')[0] + "}")  # the time is not a value
        print("weights", weights_hash(out / "last.pth"))


if __name__ == "__main__":
    main()
