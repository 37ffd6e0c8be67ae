"""Every output path is checked before any work starts: a file where a folder must go, a folder
where a file must go, a path under a regular file. One line naming the path, exit 2, nothing
written. And the result files of a command are written together or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import ellipse_masks, write_davis2017, write_results

from vosbench.cli import main
from vosbench.io.atomic import write_all_atomic


@pytest.fixture
def root(tmp_path: Path) -> Path:
    sequences = {"a": ellipse_masks(4, (32, 40), 1, seed=1)}
    root = write_davis2017(tmp_path / "DAVIS", sequences)
    write_davis2017(root, sequences, split="test-dev")
    return root


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def _tree(root: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Commands, each with its output argument left last (to be filled per case)."""
    data = ["--dataset", "davis2017", "--root", str(root)]
    results = write_results(tmp_path / "res", {"a": ellipse_masks(4, (32, 40), 1, seed=1)})
    return {
        "evaluate": ["evaluate", *data, "--results", str(results), "--workers", "1", "--quiet", "--out"],
        "run": ["run", "--method", "first-frame-copy", *data, "--quiet", "--out"],
        "submit": ["submit", *data, "--split", "val", "--results", str(results), "--zip"],
        "make-demo-data": ["make-demo-data", "--frames", "3", "--size", "32", "32", "--out"],
        "profile": ["profile", "--method", "first-frame-copy", *data, "--quiet", "--warmup", "1", "--out"],
        "train": ["train", "--stage", "main", "--davis-root", str(root), "--iterations", "1", "--out"],
        "reproduce": ["reproduce", "table1", "--work", str(tmp_path / "w"), "--reports"],
    }


FOLDER_OUTPUTS = ["evaluate", "run", "make-demo-data", "train", "reproduce"]
FILE_OUTPUTS = ["submit", "profile"]


@pytest.mark.parametrize("command", FOLDER_OUTPUTS)
@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_folder_output_that_cannot_be_a_folder(
    command: str, where: str, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = _tree(root, tmp_path)[command]
    blocker = tmp_path / "blocker"
    blocker.write_text("mine")
    target = blocker if where == "a file" else blocker / "sub" / "out"
    before = _files(tmp_path)
    capsys.readouterr()
    assert main([*args, str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err and "Traceback" not in err, err
    assert ("a file is there" if where == "a file" else f"{blocker} is a file") in err
    assert _files(tmp_path) == before and blocker.read_text() == "mine"


@pytest.mark.parametrize("command", FILE_OUTPUTS)
@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_file_output_that_cannot_be_a_file(
    command: str, where: str, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = _tree(root, tmp_path)[command]
    if where == "a folder":
        target = tmp_path / "out.zip"
        target.mkdir()
    else:
        (tmp_path / "blocker").write_text("mine")
        target = tmp_path / "blocker" / "out.zip"
    before = _files(tmp_path)
    capsys.readouterr()
    assert main([*args, str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err, err
    assert _files(tmp_path) == before


@pytest.mark.parametrize("command", ["evaluate", "run"])
def test_a_folder_where_a_result_file_goes_stops_before_any_work(
    command: str, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    args = _tree(root, tmp_path)[command]
    capsys.readouterr()
    assert main([*args, str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'results.json'}: results.json is a folder here" in err
    assert _files(out) == set()  # no CSV, no mask, nothing


def test_result_files_are_written_together_or_not_at_all(tmp_path: Path) -> None:
    (tmp_path / "c.txt").mkdir()  # the third target cannot be written
    with pytest.raises(IsADirectoryError):
        write_all_atomic({tmp_path / "a.txt": "a", tmp_path / "b.txt": "b", tmp_path / "c.txt": "c"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt"]  # no a, no b, no temporaries
    write_all_atomic({tmp_path / "a.txt": "a", tmp_path / "b.txt": "b"})
    assert (tmp_path / "a.txt").read_text() + (tmp_path / "b.txt").read_text() == "ab"


def test_empty_input_image_is_named(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = root / "JPEGImages" / "480p" / "a" / "00002.jpg"
    frame.write_bytes(b"")
    out = tmp_path / "out"
    args = ["run", "--method", "first-frame-copy", "--dataset", "davis2017", "--root", str(root)]
    assert main([*args, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{frame}: an empty file, expected an image" in err and "Traceback" not in err
    assert not (out / "run.json").exists()
    assert np.all(True)
