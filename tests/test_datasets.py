"""Dataset loaders: the real DAVIS 2016 and generated roots in the exact real layouts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, write_youtube, youtube_late_object

from vosbench.datasets import DatasetLayoutError, MaskEncoding, load_videos
from vosbench.io.images import write_image
from vosbench.io.masks import write_mask


def test_real_davis2016_val_and_train(davis2016_root: Path) -> None:
    val = load_videos("davis2016", davis2016_root, "val")
    assert len(val) == 20
    assert sum(len(v) for v in val) == 1376
    train = load_videos("davis2016", davis2016_root, "train")
    assert len(train) == 12 and sum(len(v) for v in train) == 712
    assert not {v.name for v in val} & {v.name for v in train}
    video = next(v for v in val if v.name == "blackswan")
    assert video.size == (480, 854)
    assert video.mask_encoding is MaskEncoding.BINARY
    assert [o.id for o in video.resolve_objects()] == [1]
    assert video.given_masks() == {"00000": (1,)}
    labels = video.read_labels("00000")
    assert labels.dtype == np.uint8 and set(np.unique(labels)) == {0, 1}
    frame = video.read_frame(0)
    assert frame.shape == (480, 854, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize("split", ["train", "val", "test-dev", "test-challenge"])
@pytest.mark.parametrize("resolution", ["480p", "Full-Resolution"])
def test_davis2017_splits_and_resolutions(tmp_path: Path, split: str, resolution: str) -> None:
    masks = ellipse_masks(5, (40, 64), 3, seed=1)
    masks[2][0, 0] = 255  # a void pixel
    write_davis2017(tmp_path, {"dance": masks}, split=split, resolution=resolution)
    (video,) = load_videos("davis2017", tmp_path, split, resolution)
    assert video.name == "dance" and len(video) == 5 and video.size == (40, 64)
    assert [o.id for o in video.resolve_objects()] == [1, 2, 3]
    assert video.read_labels("00002")[0, 0] == 0  # void reads as background
    np.testing.assert_array_equal(video.read_labels("00001"), masks[1])


def test_davis2016_from_a_davis2017_root_merges_objects(tmp_path: Path) -> None:
    masks = ellipse_masks(4, (40, 64), 2, seed=3)
    write_davis2017(tmp_path, {"pair": masks}, split="val", year="2016")
    (video,) = load_videos("davis2016", tmp_path, "val")
    assert video.merge_objects
    assert [o.id for o in video.resolve_objects()] == [1]
    np.testing.assert_array_equal(video.read_labels("00000"), (masks[0] > 0).astype(np.uint8))


def test_youtube_late_objects_and_all_frames(tmp_path: Path) -> None:
    # object 2 is given on frame 5 only; valid_all_frames holds every frame
    youtube_late_object(tmp_path, "v1", [0, 5, 10], late_frame=5, categories=("cat", "zebra"), all_frames=11)
    (video,) = load_videos("youtube2019", tmp_path, "valid")
    assert len(video.frames) == 11
    assert video.scored_frames == ("00000", "00005", "00010")
    assert video.output_frames == video.scored_frames
    assert video.given_masks() == {"00000": (1,), "00005": (2,)}
    assert [o.category for o in video.resolve_objects()] == ["cat", "zebra"]


def test_youtube_train_split(tmp_path: Path) -> None:
    masks = ellipse_masks(3, (32, 48), 2, seed=5)
    videos = {
        "t1": {
            "frames": [0, 5, 10],
            "masks": dict(zip([0, 5, 10], masks, strict=True)),
            "objects": {1: "a", 2: "b"},
        }
    }
    write_youtube(tmp_path, "train", videos, train_categories=["a"])
    meta = {
        "videos": {
            "t1": {
                "objects": {
                    "1": {"category": "a", "frames": ["00000"]},
                    "2": {"category": "b", "frames": ["00000"]},
                }
            }
        }
    }
    (tmp_path / "train" / "meta.json").write_text(json.dumps(meta))
    (video,) = load_videos("youtube2018", tmp_path, "train")
    assert video.annotated_frames == ("00000", "00005", "00010")
    assert video.scored_frames is None


def _folder_video(root: Path, name: str, masks: dict[int, np.ndarray], n_frames: int) -> None:
    shape = next(iter(masks.values())).shape
    for t in range(n_frames):
        write_image(root / name / f"{t:05d}.jpg", np.zeros((*shape, 3), np.uint8))
    for t, mask in masks.items():
        write_mask(root / name / f"{t:05d}.png", mask)


def test_folder_loader_indexed_binary_and_late_objects(tmp_path: Path) -> None:
    first = np.zeros((20, 30), np.uint8)
    first[2:8, 2:8] = 1
    later = np.zeros((20, 30), np.uint8)
    later[10:15, 10:20] = 2
    _folder_video(tmp_path, "mine", {0: first, 3: later}, 6)
    binary = np.zeros((20, 30), np.uint8)
    binary[5:10, 5:10] = 255
    _folder_video(tmp_path, "single", {0: binary}, 4)
    mine, single = load_videos("folder", tmp_path)
    assert mine.given_masks() == {"00000": (1,), "00003": (2,)}
    assert mine.mask_encoding is MaskEncoding.INDEXED
    assert single.mask_encoding is MaskEncoding.BINARY
    assert single.given_masks() == {"00000": (1,)}
    assert single.read_labels("00000").max() == 1


def test_frames_are_lazy(tmp_path: Path) -> None:
    write_davis2017(tmp_path, {"s": ellipse_masks(3, (20, 30), 1, seed=0)})
    broken = tmp_path / "JPEGImages" / "480p" / "s" / "00001.jpg"
    broken.write_bytes(b"not a jpeg")
    (video,) = load_videos("davis2017", tmp_path, "val")  # listing reads no image
    video.read_frame(0)
    with pytest.raises(Exception, match=r"00001\.jpg: not a readable image"):
        video.read_frame(1)


@pytest.mark.parametrize(
    ("dataset", "prepare", "message"),
    [
        (
            "davis2017",
            lambda r: (r / "JPEGImages").mkdir(),
            r"expected ImageSets/2017/val.txt; found JPEGImages/",
        ),
        (
            "davis2016",
            lambda r: None,
            r"expected ImageSets/480p/val.txt \(2016 release\) or ImageSets/2016/val.txt",
        ),
        ("youtube2019", lambda r: (r / "train").mkdir(), r"expected a valid/ folder with meta.json"),
        ("folder", lambda r: (r / "empty").mkdir(), r"no video folders with frames"),
    ],
)
def test_bad_layouts_say_what_was_expected(tmp_path: Path, dataset: str, prepare, message: str) -> None:
    prepare(tmp_path)
    with pytest.raises(DatasetLayoutError, match=message):
        load_videos(dataset, tmp_path, None)


def test_folder_without_masks_is_an_error(tmp_path: Path) -> None:
    write_image(tmp_path / "clip" / "00000.jpg", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetLayoutError, match=r"clip: no mask PNG \(expected <frame>.png.*00000.png"):
        load_videos("folder", tmp_path)


def test_listed_sequence_without_frames_is_an_error(tmp_path: Path) -> None:
    write_davis2017(tmp_path, {"s": ellipse_masks(2, (8, 8), 1, seed=0)})
    (tmp_path / "ImageSets" / "2017" / "val.txt").write_text("s\nghost\n")
    with pytest.raises(DatasetLayoutError, match="no frames for sequence 'ghost'"):
        load_videos("davis2017", tmp_path, "val")


def test_demo_data_is_a_davis2017_root(demo_data) -> None:
    train = load_videos("davis2017", demo_data.davis_root, "train")
    val = load_videos("davis2017", demo_data.davis_root, "val")
    assert len(train) >= 4 and len(val) >= 3
    assert not {v.name for v in train} & {v.name for v in val}
    for video in val:
        assert video.size == (480, 854)
        objects = video.resolve_objects()
        first = video.read_labels(video.frames[0])
        for obj in objects:  # every object clearly visible where it is given
            assert (first == obj.id).sum() >= 2500
    assert max(len(v.resolve_objects()) for v in train + val) >= 2
