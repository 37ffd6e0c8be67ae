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
CASES = [(c, w) for c in FOLDER_OUTPUTS for w in ("a file", "under a file")]
CASES += [(c, w) for c in FILE_OUTPUTS for w in ("a folder", "under a file")]


def _target(tmp_path: Path, command: str, where: str) -> tuple[Path, str]:
    """The output path that cannot work, and what the error must say about it."""
    blocker = tmp_path / "blocker"
    blocker.write_text("mine")
    if where == "under a file":
        return blocker / "sub" / "out", f"{blocker} is a file"
    if where == "a file":
        return blocker, "a file is there"
    folder = tmp_path / "out.zip"
    folder.mkdir()
    return folder, "is a folder here"


@pytest.mark.parametrize(("command", "where"), CASES)
def test_output_path_that_cannot_work_stops_before_any_work(
    command: str, where: str, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = _tree(root, tmp_path)[command]
    target, message = _target(tmp_path, command, where)
    before = _files(tmp_path)
    capsys.readouterr()
    assert main([*args, str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err and "Traceback" not in err, err
    assert message in err
    assert _files(tmp_path) == before and (tmp_path / "blocker").read_text() == "mine"


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
