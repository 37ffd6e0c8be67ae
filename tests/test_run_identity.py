"""A results folder holds one run's masks: records are bound to the run that wrote them, a
folder holding another run's results is refused unless --overwrite, and run.json and the
result files always describe exactly the masks in the folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from baselines.first_frame_copy import FirstFrameCopy
from vosbench.checkpoints import save_checkpoint
from vosbench.cli import main
from vosbench.io.masks import read_mask
from vosbench.methods import GivenMasks, create_method, register


class DriftRight(FirstFrameCopy):
    """The given masks moved one pixel to the right each frame: masks unlike first-frame-copy's."""

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        held = super().step(image, given)
        self.labels = np.roll(self.labels, 1, axis=1)
        return held


register("drift-right", DriftRight)


@pytest.fixture
def root(davis_root: Path) -> Path:
    return davis_root


def _run(root: Path, out: Path, method: str, *extra: str) -> int:
    args = ["run", "--method", method, "--dataset", "davis2017", "--root", str(root), "--out", str(out)]
    return main([*args, "--quiet", *extra])


def _masks(folder: Path) -> dict[str, bytes]:
    """Every mask's labels (decoded: the same labels compare equal however they were encoded)."""
    return {f"{p.parent.name}/{p.name}": read_mask(p).tobytes() for p in sorted(folder.glob("*/*.png"))}


def test_mixed_method_resume_cannot_mix_masks(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # what each method alone writes, to tell their masks apart
    copy_only, flow_only = tmp_path / "copy", tmp_path / "drift"
    assert _run(root, copy_only, "first-frame-copy") == 0
    assert _run(root, flow_only, "drift-right") == 0
    assert _masks(copy_only) != _masks(flow_only)

    out = tmp_path / "out"
    assert _run(root, out, "first-frame-copy") == 0  # 1. one method on both videos
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    # 2. another method on one video, without --resume: refused, nothing touched
    assert _run(root, out, "drift-right", "--sequences", "a") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds the results of another run" in err and "--overwrite" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # ... and as a resume of both
    assert _run(root, out, "drift-right", "--resume") == 2
    # 2'. with --overwrite, then 3. resumed on both videos
    assert _run(root, out, "drift-right", "--sequences", "a", "--overwrite") == 0
    assert not (out / "b").exists()  # the other method's masks are gone
    assert _run(root, out, "drift-right", "--resume") == 0
    run = json.loads((out / "run.json").read_text())
    assert run["method"] == "drift-right" and run["videos"] == 2
    assert _masks(out) == _masks(flow_only)  # every mask is the named method's
    # --overwrite replaces only another run's results: the same run's folder resumes
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/*.png")}
    assert _run(root, out, "drift-right", "--resume", "--overwrite") == 0
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/*.png")} == stamps


def test_results_describe_every_mask_of_the_folder(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(root, out, "first-frame-copy", "--sequences", "a") == 0
    assert _run(root, out, "first-frame-copy", "--sequences", "b") == 0
    sequences = (out / "per-sequence_results-val.csv").read_text().splitlines()[1:]
    assert sorted({line.split(",")[0].rsplit("_", 1)[0] for line in sequences}) == ["a", "b"]
    assert json.loads((out / "run.json").read_text())["videos"] == 2
    whole = tmp_path / "whole"
    assert _run(root, whole, "first-frame-copy") == 0
    assert (out / "global_results-val.csv").read_text() == (whole / "global_results-val.csv").read_text()


def test_records_of_another_run_are_not_trusted(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(root, out, "first-frame-copy") == 0
    record = out / ".vosbench" / "videos" / "a.json"
    data = json.loads(record.read_text())
    data["run"] = "0" * 16  # as if another run had left it
    record.write_text(json.dumps(data))
    stamp = (out / "b" / "00001.png").stat().st_mtime_ns
    assert _run(root, out, "first-frame-copy", "--resume") == 0
    assert json.loads(record.read_text())["run"] != "0" * 16  # video a ran again
    assert (out / "b" / "00001.png").stat().st_mtime_ns == stamp  # b was trusted


def test_the_same_checkpoint_path_with_other_weights_is_another_run(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    checkpoint = tmp_path / "w.pth"
    for seed in ("0", "1"):
        source = create_method("sitvos", {"init": "random", "seed": seed})
        save_checkpoint(checkpoint, source.model, source.model.config)
        code = _run(root, tmp_path / "out", "sitvos", "--set", f"checkpoint={checkpoint}", "--set", "size=32")
        if seed == "0":
            assert code == 0
    assert code == 2
    assert "differs in the file of checkpoint" in capsys.readouterr().err


def test_foreign_masks_and_bad_state_files_are_named(root: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "osvos"
    (out / "a").mkdir(parents=True)
    (out / "a" / "00000.png").write_bytes(b"not ours")
    assert _run(root, out, "first-frame-copy") == 2
    assert "holds masks or results no vosbench run wrote" in capsys.readouterr().err
    assert (out / "a" / "00000.png").read_bytes() == b"not ours"
    good = tmp_path / "good"
    assert _run(root, good, "first-frame-copy") == 0
    (good / ".vosbench" / "config.json").write_text("{truncated")
    capsys.readouterr()
    assert _run(root, good, "first-frame-copy", "--resume") == 2
    err = capsys.readouterr().err
    assert "config.json: not a readable run state" in err and err.count("\n") == 1
    (good / ".vosbench" / "config.json").unlink()
    assert _run(root, good, "first-frame-copy", "--overwrite") == 0
    assert _run(root, good, "first-frame-copy", "--resume") == 0
    (good / ".vosbench" / "videos" / "a.json").write_text("[")
    capsys.readouterr()
    assert _run(root, good, "first-frame-copy", "--resume") == 2
    assert "a.json: not a readable video record" in capsys.readouterr().err
