#!/usr/bin/env python3
"""Train a pinned scale's main-only stage (SITVOS) for a few iterations under its numerics, to
compare a processor with another (or with its emulation) on whole training steps rather than
kernel by kernel (`probe_kernels.py`).

Quick scale: a stage of ITERATIONS iterations on demo data; prints each iteration's loss and a
hash of the weights.

    .venv/bin/vosbench make-demo-data --out /tmp/demo --frames 8 --size 64 112
    .venv/bin/python benchmarks/probe_training.py /tmp/demo/DAVIS 6 > native.txt
    qemu-x86_64 -cpu EPYC-Rome .venv/bin/python benchmarks/probe_training.py /tmp/demo/DAVIS 6 > epyc.txt
    diff native.txt epyc.txt      # nothing: the same losses and weights

Under QEMU's user-mode emulation one iteration takes about two minutes (0.1 s natively).

Small scale (`--scale small`, DAVIS 2016 with its train videos): the committed stage's whole
schedule, stopped after ITERATIONS; its logged losses are compared with the ones committed in
reports/measured/training/davis2016-small.json (exit status 1 when one differs).

    .venv/bin/python benchmarks/probe_training.py --scale small ../shared/datasets/DAVIS2016 20
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vosbench.numerics import pin
from vosbench.reproduce.recipes import load_recipes, scale_numerics

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO / "reports" / "experiments" / "recipes.toml"
SMALL_STAGES = REPO / "reports" / "measured" / "training" / "davis2016-small.json"
STAGE_OUT = "PROBE_TRAINING_STAGE_OUT"  # set in probe_small's child: the folder it trains into


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


def logged(metrics: Path) -> list[dict]:
    """The loss rows of a stage's metrics.jsonl written so far, without their times."""
    if not metrics.exists():
        return []
    rows = [json.loads(line) for line in metrics.read_text().splitlines() if line.strip()]
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows if "loss" in row]


def train(scale_name: str, root: Path, out: Path, iterations: int | None = None) -> None:
    """Train the scale's main-only stage into ``out`` under its pinned numerics. Quick: on the
    demo videos of ``root``, its schedule shortened to ``iterations`` (every one logged). Small:
    the stage `vosbench reproduce --scale small` trains, from the same settings and data (the
    DAVIS 2016 root ``root``), its whole schedule."""
    # the scale's numerics pinned before torch loads, as `vosbench reproduce` pins them
    if not pin(scale_numerics(RECIPES, scale_name)):
        raise SystemExit("probe_training.py: NumPy or torch was loaded before the numerics were pinned")
    recipes = load_recipes(RECIPES)
    scale = recipes.scale(scale_name)
    from vosbench.reproduce.data import parse_data
    from vosbench.reproduce.execute import stage_config, stage_data, stage_roots
    from vosbench.system.devices import torch_threads, without_onednn
    from vosbench.training.command import TrainData, run_stage, train_stage

    with torch_threads(scale.numerics.threads), without_onednn(not scale.numerics.onednn):
        if scale_name == "quick":
            settings = {**scale.stage_train("main"), "stage": "main", "iterations": iterations}
            settings.update(log_every=1, checkpoint_every=iterations)
            train_stage("sitvos", settings, TrainData(davis_root=root), out, progress=False)
            return
        sources = parse_data([f"davis2016={root}"])
        config = stage_config(recipes.recipes["main-only"], "main", "", scale)
        data = stage_data("main", config, sources, scale, stage_roots("main", sources))
        run_stage(config, data, out, progress=False)


def probe_small(root: Path, iterations: int) -> int:
    """The small scale's main-only stage, its whole schedule, stopped once ``iterations`` are
    logged, against the committed losses; returns the number that differ."""
    committed = next(s for s in json.loads(SMALL_STAGES.read_text()) if s["recipes"] == ["main-only"])
    expected = {int(i): float(v) for i, v in committed["losses"]}
    with tempfile.TemporaryDirectory() as tmp:
        out, errors = Path(tmp) / "stage", Path(tmp) / "stderr.txt"
        # the trainer has no stop of its own: it runs in a process group of its own (its data
        # loader's workers and their forkserver with it), killed as a whole
        with errors.open("w") as stderr:
            stage = subprocess.Popen(
                [sys.executable, __file__, "--scale", "small", str(root), "0"],
                env={**os.environ, STAGE_OUT: str(out)},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        try:
            while not any(row["iteration"] >= iterations for row in logged(out / "metrics.jsonl")):
                if stage.poll() is not None:
                    raise SystemExit(f"probe_training.py: the stage stopped early:\n{errors.read_text()}")
                time.sleep(2)
        finally:
            if stage.poll() is None:
                os.killpg(stage.pid, signal.SIGKILL)
            stage.wait()
        differ = 0
        for row in logged(out / "metrics.jsonl"):
            if row["iteration"] <= iterations:
                before = expected.get(row["iteration"])
                differ += before != row["loss"]
                print(json.dumps(row), "as committed" if before == row["loss"] else f"committed {before}")
    return differ


def main() -> None:
    args = sys.argv[1:]
    scale_name = "quick"
    if args[:1] == ["--scale"] and len(args) > 1:
        scale_name, args = args[1], args[2:]
    if len(args) != 2 or scale_name not in ("quick", "small"):
        raise SystemExit("usage: probe_training.py [--scale quick|small] DAVIS_ROOT ITERATIONS")
    root, iterations = Path(args[0]), int(args[1])
    if STAGE_OUT in os.environ:  # probe_small's child
        train(scale_name, root, Path(os.environ[STAGE_OUT]))
    elif scale_name == "small":
        differ = probe_small(root, iterations)
        print("losses: all as committed" if not differ else f"losses: {differ} differ from the committed")
        raise SystemExit(1 if differ else 0)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "stage"
            train(scale_name, root, out, iterations)
            for row in logged(out / "metrics.jsonl"):
                print(json.dumps(row))
            print("weights", weights_hash(out / "last.pth"))


if __name__ == "__main__":
    main()
