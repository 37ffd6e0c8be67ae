"""Every bad input: one line naming the file and what was expected, exit 2, no output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, write_results

from vosbench.cli import main
from vosbench.io.masks import write_mask


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path]:
    gt = {"a": ellipse_masks(6, (30, 40), 2, seed=3), "b": ellipse_masks(5, (30, 40), 1, seed=4)}
    root = write_davis2017(tmp_path / "DAVIS", gt)
    results = write_results(tmp_path / "results", gt)
    return root, results


def _run(
    root: Path, results: Path, out: Path, capsys: pytest.CaptureFixture, dataset: str = "davis2017"
) -> str:
    status = main(
        [
            "evaluate",
            "--dataset",
            dataset,
            "--root",
            str(root),
            "--results",
            str(results),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1, err
    assert not out.exists() or not any(out.iterdir()), "no partial output"
    return err


def test_good_case_passes(case: tuple[Path, Path], tmp_path: Path) -> None:
    root, results = case
    assert (
        main(
            [
                "evaluate",
                "--dataset",
                "davis2017",
                "--root",
                str(root),
                "--results",
                str(results),
                "--out",
                str(tmp_path / "out"),
                "--quiet",
            ]
        )
        == 0
    )


def test_missing_sequence(case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root, results = case
    for f in (results / "b").iterdir():
        f.unlink()
    (results / "b").rmdir()
    err = _run(root, results, tmp_path / "out", capsys)
    assert "results/b" in err and "missing sequence" in err


def test_missing_frame(case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root, results = case
    (results / "a" / "00002.png").unlink()
    err = _run(root, results, tmp_path / "out", capsys)
    assert "a/00002.png" in err and "missing frame" in err


def test_frame_of_another_size(
    case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = case
    write_mask(results / "a" / "00003.png", np.zeros((31, 40), np.uint8))
    err = _run(root, results, tmp_path / "out", capsys)
    assert "a/00003.png" in err and "40x31" in err and "expected 40x30" in err


def test_unreadable_file(case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root, results = case
    (results / "b" / "00001.png").write_bytes(b"not a png at all")
    err = _run(root, results, tmp_path / "out", capsys)
    assert "b/00001.png" in err and "not a readable PNG" in err


def test_colour_png_is_rejected(
    case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    import cv2

    root, results = case
    cv2.imwrite(str(results / "b" / "00002.png"), np.zeros((30, 40, 3), np.uint8))
    err = _run(root, results, tmp_path / "out", capsys)
    assert "b/00002.png" in err and "single-channel" in err


def test_id_the_ground_truth_lacks(
    case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = case
    write_mask(results / "b" / "00001.png", np.full((30, 40), 2, np.uint8))
    err = _run(root, results, tmp_path / "out", capsys)
    assert "b/00001.png" in err and "object id 2" in err and "1..1" in err


def test_unknown_root_layout(case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _, results = case
    err = _run(tmp_path / "results", results, tmp_path / "out", capsys)
    assert "not a DAVIS 2017 root" in err and "ImageSets/2017/val.txt" in err and "found" in err
    err = _run(tmp_path / "nowhere", results, tmp_path / "out", capsys, dataset="youtube2019")
    assert "not a YouTube-VOS root" in err


def test_existing_outputs_untouched_on_error(
    case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root, results = case
    out = tmp_path / "out"
    assert (
        main(
            [
                "evaluate",
                "--dataset",
                "davis2017",
                "--root",
                str(root),
                "--results",
                str(results),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (results / "a" / "00002.png").unlink()
    status = main(
        [
            "evaluate",
            "--dataset",
            "davis2017",
            "--root",
            str(root),
            "--results",
            str(results),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    capsys.readouterr()
    assert status == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
