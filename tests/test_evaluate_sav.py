"""SA-V: per-object masks that overlap, read as one label map where a method needs one, written
back per object, and scored per object on its own masks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vosbench.cli import main
from vosbench.datasets import load_videos
from vosbench.demo_data import make_demo_data
from vosbench.io.masks import read_mask


def test_sav_demo_runs_per_object_and_scores(tmp_path: Path) -> None:
    make_demo_data(tmp_path / "demo", n_frames=13, size=(64, 96), benchmarks=True)
    root = tmp_path / "demo" / "SA-V"
    video = load_videos("sav", root, "val")[0]
    assert video.object_folders == {1: "000", 2: "001", 3: "002"}
    assert [o.first_frame for o in video.resolve_objects()] == ["00000", "00000", "00004"]
    # overlapping masks: the label map puts a later object over an earlier one
    masks = {name: read_mask(video.object_masks[name]["00000"]) > 0 for name in ("000", "001")}
    labels = video.read_labels("00000")
    assert (labels[masks["001"]] == 2).all() and (labels[masks["000"] & ~masks["001"]] == 1).all()
    out = tmp_path / "run"
    args = ["run", "--method", "first-frame-copy", "--dataset", "sav", "--root", str(root)]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    written = sorted(str(p.relative_to(out)) for p in (out / video.name).rglob("*.png"))
    assert written == [
        f"{video.name}/{n}/{f}.png" for n in ("000", "001", "002") for f in video.output_frames
    ]
    # a resumed run with nothing left finds every object's masks
    assert main([*args, "--out", str(out), "--quiet", "--resume"]) == 0
    scored = json.loads((out / "results.json").read_text())
    assert scored["protocol"] == "sav" and set(scored["global"]) >= {"J&F", "J", "F"}
    assert sorted(scored["sequences"][video.name]) == ["0", "1", "2"]
    assert main(["evaluate", "--dataset", "sav", "--root", str(root), "--results", str(out), "--quiet"]) == 0
    assert np.isfinite(json.loads((out / "results.json").read_text())["global"]["J&F"])
