"""`vosbench submit`: server layouts, and every problem stops the zip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, youtube_late_object

from vosbench.cli import main
from vosbench.io.masks import write_mask
from vosbench.runner.run import RunOptions, run_method


@pytest.fixture
def davis_submission(tmp_path: Path) -> tuple[Path, Path]:
    root = write_davis2017(
        tmp_path / "DAVIS",
        {"s1": ellipse_masks(4, (30, 40), 2, seed=1), "s2": ellipse_masks(3, (30, 40), 1, seed=2)},
        split="test-dev",
    )
    results = tmp_path / "results"
    run_method(
        "first-frame-copy", None, RunOptions("davis2017", root, results, split="test-dev", progress=False)
    )
    return root, results


def _submit(dataset: str, root: Path, split: str, results: Path, zip_path: Path) -> int:
    args = ["submit", "--dataset", dataset, "--root", str(root), "--split", split]
    return main([*args, "--results", str(results), "--zip", str(zip_path)])


def test_davis_zip_layout(davis_submission: tuple[Path, Path], tmp_path: Path) -> None:
    root, results = davis_submission
    zip_path = tmp_path / "sub.zip"
    assert _submit("davis2017", root, "test-dev", results, zip_path) == 0
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(archive.namelist())
        assert names == [f"s1/{t:05d}.png" for t in range(4)] + [f"s2/{t:05d}.png" for t in range(3)]
        assert archive.read("s1/00002.png") == (results / "s1" / "00002.png").read_bytes()


def test_youtube_zip_has_annotations_for_the_scored_frames(tmp_path: Path) -> None:
    root = youtube_late_object(tmp_path / "yt", "vid", [0, 5, 10], late_frame=5, all_frames=11)
    results = tmp_path / "results"
    run_method("first-frame-copy", None, RunOptions("youtube2019", root, results, progress=False))
    zip_path = tmp_path / "yt.zip"
    assert _submit("youtube2019", root, "valid", results, zip_path) == 0
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == [f"Annotations/vid/{t:05d}.png" for t in (0, 5, 10)]


def _break_missing(results: Path) -> str:
    (results / "s1" / "00003.png").unlink()
    return r"s1/00003\.png: missing frame; write a mask for every frame"


def _break_size(results: Path) -> str:
    write_mask(results / "s1" / "00001.png", np.zeros((15, 20), np.uint8))
    return r"s1/00001\.png: size 20x15; resize to the original 40x30"


def _break_rgb(results: Path) -> str:
    _, data = cv2.imencode(".png", np.zeros((30, 40, 3), np.uint8))
    (results / "s2" / "00001.png").write_bytes(data.tobytes())
    return r"s2/00001\.png: not an indexed \(palette\) PNG"


def _break_id(results: Path) -> str:
    write_mask(results / "s2" / "00002.png", np.full((30, 40), 3, np.uint8))
    return r"s2/00002\.png: object id 3 is not an object of this video; use only 0, 1"


def _break_extra(results: Path) -> str:
    (results / "stray").mkdir()
    return r"stray: not a video of davis2017 test-dev; remove it"


def _break_folder(results: Path) -> str:
    import shutil

    shutil.rmtree(results / "s2")
    return r"s2: missing video folder; run the method on video 's2'"


def _break_palette(results: Path) -> str:
    path = results / "s1" / "00002.png"
    path.write_bytes(path.read_bytes()[:40])  # a palette PNG cut short: undecodable
    return r"s1/00002\.png: .*rewrite the file"


BREAKAGES = [_break_missing, _break_size, _break_rgb, _break_id, _break_extra, _break_folder, _break_palette]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_problems_are_listed_and_no_zip_is_written(
    davis_submission: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture, breakage
) -> None:
    root, results = davis_submission
    message = breakage(results)
    zip_path = tmp_path / "sub.zip"
    assert _submit("davis2017", root, "test-dev", results, zip_path) == 2
    err = capsys.readouterr().err
    assert "1 problem(s), no zip written" in err
    assert __import__("re").search(message, err), err
    assert not zip_path.exists()
    assert not list(tmp_path.glob("*.zip*"))  # no temporary file left either


def test_every_problem_is_listed_at_once(
    davis_submission: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = davis_submission
    messages = [_break_missing(results), _break_rgb(results), _break_extra(results)]
    assert _submit("davis2017", root, "test-dev", results, tmp_path / "sub.zip") == 2
    err = capsys.readouterr().err
    assert "3 problem(s), no zip written" in err
    for message in messages:
        assert __import__("re").search(message, err), err
    assert not (tmp_path / "sub.zip").exists()


def test_youtube_submission_problems_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = youtube_late_object(tmp_path / "yt", "vid", [0, 5, 10], late_frame=5, all_frames=11)
    results = tmp_path / "results"
    run_method("first-frame-copy", None, RunOptions("youtube2019", root, results, progress=False))
    (results / "vid" / "00010.png").unlink()
    write_mask(results / "vid" / "00005.png", np.full(read_shape(results / "vid" / "00000.png"), 7, np.uint8))
    zip_path = tmp_path / "yt.zip"
    assert _submit("youtube2019", root, "valid", results, zip_path) == 2
    err = capsys.readouterr().err
    assert "2 problem(s), no zip written" in err
    assert "vid/00010.png: missing frame" in err and "vid/00005.png: object id 7" in err
    assert not zip_path.exists()


def read_shape(path: Path) -> tuple[int, int]:
    from vosbench.io.masks import read_mask

    return read_mask(path).shape


def test_a_run_on_a_server_scored_split_says_how_to_submit_it(tmp_path: Path, capsys) -> None:
    """A run whose split has no ground truth here ends by printing the `vosbench submit` command
    for its folder, and that command writes the zip; a scored run or `--no-score` prints none."""
    import shlex

    from vosbench.demo_data import make_demo_data

    make_demo_data(tmp_path / "demo", n_frames=6, size=(64, 96), benchmarks=True)
    run = ["run", "--method", "first-frame-copy", "--quiet"]
    out = tmp_path / "lvos"
    lvos = ["--dataset", "lvos2", "--root", str(tmp_path / "demo" / "LVOS")]
    assert main([*run, *lvos, "--out", str(out)]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert hint.startswith("lvos2 valid is scored by its benchmark's server")
    command = shlex.split(hint.split("`")[1])
    assert command[:2] == ["vosbench", "submit"]
    assert main(command[1:]) == 0 and zipfile.is_zipfile(f"{out}.zip")
    davis = ["--dataset", "davis2017", "--root", str(tmp_path / "demo" / "DAVIS")]
    assert main([*run, *davis, "--out", str(tmp_path / "scored")]) == 0
    assert "vosbench submit" not in capsys.readouterr().out
    assert main([*run, *lvos, "--out", str(tmp_path / "unscored"), "--no-score"]) == 0
    assert "vosbench submit" not in capsys.readouterr().out
    youtube = ["--dataset", "youtube2019", "--root", str(tmp_path / "demo" / "YouTube"), "--split", "train"]
    assert main([*run, *youtube, "--out", str(tmp_path / "train")]) == 0  # unscored, and no server's split
    assert "vosbench submit" not in capsys.readouterr().out
