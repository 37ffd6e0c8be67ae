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
from vosbench.numerics import pin
from vosbench.reproduce.recipes import load_recipes, scale_numerics

RECIPES = Path(__file__).resolve().parent.parent / "reports" / "experiments" / "recipes.toml"


def weights_hash(checkpoint: Path) -> str:
    """A hash of every tensor of a checkpoint, by name."""
    import torch

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
    # the quick scale's numerics pinned before torch loads, as `vosbench reproduce` pins them
    if not pin(scale_numerics(RECIPES, "quick")):
        raise SystemExit("probe_training.py: NumPy or torch was loaded before the numerics were pinned")
    quick = load_recipes(RECIPES).scale("quick")
    numerics = quick.numerics
    from vosbench.system.devices import torch_threads, without_onednn
    from vosbench.training.command import TrainData, train_stage

    settings = {**quick.stage_train("main"), "stage": "main", "iterations": iterations, "log_every": 1}
    settings["checkpoint_every"] = iterations
    with (
        tempfile.TemporaryDirectory() as tmp,
        torch_threads(numerics.threads),
        without_onednn(not numerics.onednn),
    ):
        out = Path(tmp) / "stage"
        train_stage("sitvos", settings, TrainData(davis_root=root), out, progress=False)
        for line in (out / "metrics.jsonl").read_text().splitlines():
            print(line.split(', "seconds"')[0] + "}")  # the time is not a value
        print("weights", weights_hash(out / "last.pth"))


if __name__ == "__main__":
    main()
