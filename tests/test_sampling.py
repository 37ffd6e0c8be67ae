"""Training samplers: clip structure, determinism, object rules, DataLoader use, COCO reading."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

from vosbench.cli import main
from vosbench.datasets import load_videos
from vosbench.demo_data import make_demo_data
from vosbench.demo_data.coco import uncompressed_rle
from vosbench.sampling import ClipOptions, CocoClips, MixedClips, VideoClips, clip_loader, to_model
from vosbench.sampling.video_clips import pick_frames

SMALL = ClipOptions(size=96, max_objects=2, min_object_pixels=20)


def _check_clip(clip: dict[str, torch.Tensor], options: ClipOptions) -> None:
    t, s, k = options.n_frames, options.size, options.max_objects
    assert clip["images"].shape == (t, 3, s, s) and clip["images"].dtype == torch.uint8
    assert clip["labels"].shape == (t, s, s) and clip["labels"].dtype == torch.uint8
    assert clip["masks"].shape == (t, k, s, s) and clip["masks"].dtype == torch.bool
    n = int(clip["n_objects"])
    assert 1 <= n <= k
    assert int(clip["labels"].max()) <= n
    for obj in range(k):  # one-hot: slot obj is exactly label obj+1; empty slots beyond n
        assert torch.equal(clip["masks"][:, obj], clip["labels"] == obj + 1)
    assert clip["masks"].sum(1).max() <= 1
    first = clip["labels"][0]
    for obj in range(1, n + 1):
        assert int((first == obj).sum()) >= options.min_object_pixels


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(1, 80),
    stride=st.sampled_from([1, 5]),
    n_frames=st.integers(1, 4),
    max_gap=st.integers(0, 30),
    seed=st.integers(0, 2**16),
)
def test_pick_frames_are_ordered_and_within_the_gap(count, stride, n_frames, max_gap, seed) -> None:
    numbers = np.arange(count) * stride
    picked = pick_frames(numbers, n_frames, max_gap, np.random.default_rng(seed))
    assert len(picked) == n_frames
    assert all(0 <= i < count for i in picked)
    if count >= n_frames:
        assert all(b > a for a, b in itertools.pairwise(picked))
        gaps = np.diff(numbers[picked])
        # each step covers 1..max_gap+1 frames, up to rounding to the frames that exist
        assert (gaps <= max_gap + stride).all()
    else:
        assert picked == sorted(picked)


def test_video_clips_structure_and_determinism(demo_data) -> None:
    videos = load_videos("davis2017", demo_data.davis_root, "train")
    dataset = VideoClips(videos, SMALL, seed=3, samples=8)
    clips = [dataset[i] for i in range(8)]
    for clip in clips:
        _check_clip(clip, SMALL)
    again = VideoClips(videos, SMALL, seed=3, samples=8)[5]
    assert all(torch.equal(clips[5][k], again[k]) for k in clips[5])
    dataset.set_epoch(1)
    assert not torch.equal(dataset[5]["images"], clips[5]["images"])


def test_video_clips_from_real_davis2016_train(davis2016_root: Path) -> None:
    videos = load_videos("davis2016", davis2016_root, "train")
    dataset = VideoClips(videos, ClipOptions(size=128, max_objects=3), samples=4)
    for i in range(4):
        clip = dataset[i]
        _check_clip(clip, dataset.options)
        assert int(clip["n_objects"]) == 1  # DAVIS 2016: one object


def test_max_objects_is_respected(demo_data) -> None:
    videos = [
        v for v in load_videos("davis2017", demo_data.davis_root, "train") if len(v.resolve_objects()) >= 2
    ]
    options = ClipOptions(size=96, max_objects=1, min_object_pixels=20)
    for i in range(4):
        assert int(VideoClips(videos, options, samples=4)[i]["n_objects"]) == 1


def test_clips_through_a_dataloader_with_workers(demo_data) -> None:
    videos = load_videos("davis2017", demo_data.davis_root, "train")
    loader = clip_loader(VideoClips(videos, SMALL, samples=8), batch_size=4, workers=2, shuffle=False)
    batches = list(loader)
    assert len(batches) == 2
    ready = to_model(batches[0])
    assert ready["images"].dtype == torch.float32 and ready["images"].shape == (4, 3, 3, 96, 96)
    assert float(ready["images"].min()) >= 0.0 and float(ready["images"].max()) <= 1.0
    assert ready["masks"].dtype == torch.float32 and ready["labels"].dtype == torch.int64


def test_coco_clips_from_polygons_and_rle(demo_data) -> None:
    ann = demo_data.coco_root / "annotations" / "instances_train2017.json"
    assert any(a["iscrowd"] for a in json.loads(ann.read_text())["annotations"])  # RLE present
    dataset = CocoClips(demo_data.coco_root, ann, SMALL, seed=1, samples=6)
    for i in range(6):
        _check_clip(dataset[i], SMALL)
    assert torch.equal(dataset[2]["images"], CocoClips(demo_data.coco_root, ann, SMALL, seed=1)[2]["images"])


def test_coco_clips_move_foreground_and_background_separately(demo_data) -> None:
    ann = demo_data.coco_root / "annotations" / "instances_train2017.json"
    clip = CocoClips(
        demo_data.coco_root, ann, ClipOptions(size=96, jitter=0.0, flip=0.0, min_object_pixels=20)
    )[0]
    labels = clip["labels"]
    assert not torch.equal(labels[0], labels[1])  # the objects moved
    background = (labels[0] == 0) & (labels[1] == 0)
    assert not torch.equal(
        clip["images"][0][:, background], clip["images"][1][:, background]
    )  # so did the scene


def test_coco_clips_on_real_coco(coco_tiny_root: Path) -> None:
    ann = coco_tiny_root / "annotations" / "instances_val2017.json"
    dataset = CocoClips(coco_tiny_root, ann, ClipOptions(size=128), samples=3)
    for i in range(3):
        _check_clip(dataset[i], dataset.options)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 20), st.integers(1, 20), st.integers(0, 2**16))
def test_uncompressed_rle_matches_pycocotools(h: int, w: int, seed: int) -> None:
    mask = (np.random.default_rng(seed).random((h, w)) < 0.4).astype(np.uint8)
    rle = uncompressed_rle(mask)
    decoded = mask_utils.decode(mask_utils.frPyObjects(rle, h, w))
    np.testing.assert_array_equal(decoded, mask)


def test_mixed_clips_follow_the_weights(demo_data) -> None:
    videos = load_videos("davis2017", demo_data.davis_root, "train")
    a, b = VideoClips(videos, SMALL, samples=5), VideoClips(videos, SMALL, samples=7)
    only_a = MixedClips([a, b], [1.0, 0.0], samples=50)
    assert {only_a.source(i)[0] for i in range(50)} == {0}
    mixed = MixedClips([a, b], [3.0, 1.0], samples=2000)
    share = np.mean([mixed.source(i)[0] == 0 for i in range(2000)])
    assert 0.70 < share < 0.80
    assert all(0 <= mixed.source(i)[1] < len(mixed.datasets[mixed.source(i)[0]]) for i in range(50))
    _check_clip(mixed[0], SMALL)
    with pytest.raises(ValueError, match="weights"):
        MixedClips([a], [0.0], samples=1)


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_make_demo_data_is_deterministic(tmp_path: Path) -> None:
    assert main(["make-demo-data", "--out", str(tmp_path / "a"), "--frames", "4"]) == 0
    make_demo_data(tmp_path / "b", n_frames=4, benchmarks=True)  # the command writes every layout
    make_demo_data(tmp_path / "c", n_frames=4, seed=1, benchmarks=True)
    assert _tree_digest(tmp_path / "a") == _tree_digest(tmp_path / "b")
    assert _tree_digest(tmp_path / "a") != _tree_digest(tmp_path / "c")


def test_make_demo_data_again_never_mixes_generations(tmp_path: Path) -> None:
    """Demo data made again into a folder made earlier with more frames (or another seed) is
    the new data alone, as if the folder had been empty; what else the folder holds stays."""
    out = tmp_path / "demo"
    make_demo_data(out, n_frames=6, size=(64, 96))
    (out / "notes.txt").write_text("mine")
    make_demo_data(out, n_frames=4, size=(64, 96), seed=1)
    make_demo_data(tmp_path / "fresh", n_frames=4, size=(64, 96), seed=1)
    for name in ("DAVIS", "YouTube", "COCO"):
        assert _tree_digest(out / name) == _tree_digest(tmp_path / "fresh" / name), name
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["COCO", "DAVIS", "YouTube", "notes.txt"]


def test_coco_clips_command_writes_clips_and_a_contact_sheet(demo_data, tmp_path: Path) -> None:
    ann = demo_data.coco_root / "annotations" / "instances_val2017.json"
    out = tmp_path / "clips"
    code = main(
        [
            "coco-clips",
            "--coco-root",
            str(demo_data.coco_root),
            "--ann",
            str(ann),
            "--out",
            str(out),
            "--n",
            "3",
            "--size",
            "64",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["clip_000", "clip_001", "clip_002", "contact_sheet.png"]
    assert (
        len(list((out / "clip_001").glob("*.jpg"))) == 3 and len(list((out / "clip_001").glob("*.png"))) == 3
    )
    from vosbench.io.images import read_image

    assert read_image(out / "contact_sheet.png").shape[0] > 3 * 64


def test_coco_clips_command_bad_annotation_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "clips"
    code = main(
        ["coco-clips", "--coco-root", str(tmp_path), "--ann", str(tmp_path / "nope.json"), "--out", str(out)]
    )
    assert code == 2
    assert "nope.json: annotation file not found" in capsys.readouterr().err
    assert not out.exists()
