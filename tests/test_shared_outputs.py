"""What vosbench writes is made to be shared and repeated: files get the permissions an
ordinary ``open()`` gives (the umask), and a run from random weights repeats exactly."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from builders import ellipse_masks, write_davis2017

from vosbench.cli import main
from vosbench.io.atomic import write_atomic, write_bytes_atomic
from vosbench.io.masks import read_mask
from vosbench.methods import create_method


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_atomic_writes_honour_the_umask(tmp_path: Path, mask: int) -> None:
    previous = os.umask(mask)
    try:
        write_atomic(tmp_path / "a.txt", "text")
        write_bytes_atomic(tmp_path / "b.bin", b"bytes")
        with open(tmp_path / "plain.txt", "w") as f:  # what an ordinary open() gives
            f.write("x")
    finally:
        os.umask(previous)
    expected = 0o666 & ~mask
    assert _mode(tmp_path / "plain.txt") == expected
    assert _mode(tmp_path / "a.txt") == expected
    assert _mode(tmp_path / "b.bin") == expected


def test_run_results_and_submission_are_readable_by_others(tmp_path: Path, umask_022: None) -> None:
    sequences = {"a": ellipse_masks(4, (36, 48), 2, seed=1)}
    root = write_davis2017(tmp_path / "DAVIS", sequences)
    write_davis2017(root, sequences, split="test-dev")
    out = tmp_path / "out"
    args = ["--dataset", "davis2017", "--root", str(root), "--quiet"]
    assert main(["run", "--method", "first-frame-copy", *args, "--out", str(out)]) == 0
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"00001.png", "run.json", "results.json", "global_results-val.csv"}
    assert all(_mode(p) == 0o644 for p in written), {p.name: oct(_mode(p)) for p in written}
    test_out = tmp_path / "test-dev"
    run = ["run", "--method", "first-frame-copy", *args, "--split", "test-dev", "--out", str(test_out)]
    assert main(run) == 0
    zip_path = tmp_path / "sub.zip"
    submit = ["submit", "--dataset", "davis2017", "--root", str(root), "--results", str(test_out)]
    assert main([*submit, "--zip", str(zip_path)]) == 0
    assert _mode(zip_path) == 0o644 and zipfile.ZipFile(zip_path).namelist()


@pytest.mark.parametrize("method", ["sitvos", "stm"])
def test_random_weights_are_seeded(method: str) -> None:
    def weights(**settings: str) -> dict[str, torch.Tensor]:
        return create_method(method, {"init": "random", **settings}).model.state_dict()

    state = torch.get_rng_state()
    first, again, other = weights(), weights(), weights(seed="1")
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random state is untouched
    learned = [k for k, v in first.items() if v.is_floating_point() and v.numel() > 1 and "weight" in k]
    assert learned
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert any(not torch.equal(first[k], other[k]) for k in learned)


def test_the_same_random_start_run_twice_gives_the_same_masks(demo_data, tmp_path: Path) -> None:
    outs = []
    for name in ("first", "second"):
        out = tmp_path / name
        args = ["run", "--method", "sitvos", "--set", "init=random", "--set", "size=64"]
        args += ["--dataset", "davis2017", "--root", str(demo_data.davis_root), "--quiet", "--out", str(out)]
        assert main([*args, "--sequences", "crossing"]) == 0
        outs.append(out)
    masks = sorted((outs[0] / "crossing").glob("*.png"))
    assert len(masks) >= 10
    # a random network segments something: the test would pass on all-background output otherwise
    assert any(np.any(read_mask(p) > 0) for p in masks[1:])
    for path in masks:
        np.testing.assert_array_equal(read_mask(path), read_mask(outs[1] / "crossing" / path.name))
    run = json.loads((outs[0] / "run.json").read_text())
    assert run["options"]["seed"] == 0 and run["options"]["init"] == "random"
