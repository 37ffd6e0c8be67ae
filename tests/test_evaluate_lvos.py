"""LVOS: the demo data in its layout, each object's slots under the 2024 and 2022 rules (from the
official tool's loop, read as a definition), V, and the command with either rule."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from vosbench.cli import main
from vosbench.datasets import MaskEncoding, Video, load_videos
from vosbench.demo_data import make_demo_data
from vosbench.errors import VosbenchError
from vosbench.evaluation import evaluate
from vosbench.evaluation.protocols.lvos import object_slots, spread
from vosbench.io.masks import read_mask, write_mask


@pytest.mark.parametrize(
    ("frame_range", "rule", "slots"),
    [
        # 4 annotated frames 0..15: 2024 scores those strictly inside; 2022 all but the end,
        # whose slot stays 0 (the loop stops before end)
        ({"start": 0, "end": 15, "frame_nums": 4}, 2024, ("00000005", "00000010")),
        ({"start": 0, "end": 15, "frame_nums": 4}, 2022, ("00000000", "00000005", "00000010", None)),
        # a count without the end: the loop meets frame_nums - 1, which 2024 skips
        ({"start": 5, "end": 25, "frame_nums": 4}, 2024, ("00000010", "00000015")),
        ({"start": 5, "end": 25, "frame_nums": 4}, 2022, ("00000005", "00000010", "00000015", "00000020")),
    ],
)
def test_object_slots(frame_range: dict, rule: int, slots: tuple) -> None:
    video = Video("v", (), (), {}, MaskEncoding.INDEXED)  # only an error message reads it
    assert object_slots(video, frame_range, rule) == slots


def test_spread_rounds_before_the_root() -> None:
    j, f = np.array([0.9, 0.5]), np.array([0.7, 0.3])  # J&F 0.8 and 0.4: variance 0.04
    assert spread(j, f) == math.sqrt(0.04)
    j, f = np.array([0.91, 0.5]), np.array([0.7, 0.3])  # variance 0.04100625 -> 0.041
    assert spread(j, f) == math.sqrt(0.041)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    make_demo_data(out, n_frames=16, size=(96, 160), benchmarks=True)
    return out / "LVOS"


def _results(root: Path, out: Path) -> Path:
    for video in sorted((root / "valid" / "Annotations").iterdir()):
        for frame in sorted(video.iterdir()):
            write_mask(out / video.name / frame.name, np.roll(read_mask(frame), 3, axis=1))
    return out


def test_lvos_demo_scores_by_either_rule(demo: Path, tmp_path: Path) -> None:
    videos = load_videos("lvos2", demo, "valid")
    assert any(o.first_frame != "00000000" for v in videos for o in v.objects)  # one is given late
    assert all(v.output_frames == tuple(f"{t:08d}" for t in (0, 5, 10, 15)) for v in videos)
    results = _results(demo, tmp_path / "results")
    new = evaluate("lvos2", demo, results, workers=1)
    old = evaluate("lvos2", demo, results, workers=1, protocol="lvos-2022")
    assert (new.protocol, old.protocol) == ("lvos", "lvos-2022")
    assert set(new.global_metrics) == set(old.global_metrics) and "V-Mean" in new.global_metrics
    assert new.global_metrics["J&F-Mean"] != old.global_metrics["J&F-Mean"]  # not comparable
    assert not math.isnan(new.global_metrics["J-unseen-Mean"])  # the demo's unseen list is used
    by_key = {o.key: o for o in new.objects}
    assert all(len(o.frames) == len(by_key[o.key].frames) for o in new.objects)
    # the command: the rule is an option, recorded with the result
    out = tmp_path / "out"
    args = ["evaluate", "--dataset", "lvos2", "--root", str(demo), "--results", str(results)]
    assert main([*args, "--protocol", "lvos-2022", "--out", str(out), "--quiet"]) == 0
    document = json.loads((out / "results.json").read_text())
    assert document["protocol"] == "lvos-2022"
    assert document["global"]["J&F-Mean"] == pytest.approx(old.global_metrics["J&F-Mean"], abs=0)
    header = (out / "global_results-valid.csv").read_text().splitlines()[0]
    assert header.startswith("J&F-Mean,J-Mean,J-seen-Mean,J-unseen-Mean,F-Mean")


def test_without_the_unseen_list_scoring_says_where_it_comes_from(demo: Path, tmp_path: Path) -> None:
    root = tmp_path / "lvos"
    (root / "valid").mkdir(parents=True)
    for entry in (demo / "valid").iterdir():
        if entry.name != "unseen_videos.txt":
            (root / "valid" / entry.name).symlink_to(entry)
    results = _results(demo, tmp_path / "results")
    with pytest.raises(VosbenchError, match=r"unseen_videos\.txt .*lvos-evaluation"):
        evaluate("lvos2", root, results, workers=1)
