"""`vosbench run`: masks, resume, late objects, multi-object, scoring, profiler, bad output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import torch
from builders import ellipse_masks, youtube_late_object

from baselines.first_frame_copy import FirstFrameCopy
from vosbench.cli import main
from vosbench.errors import VosbenchError
from vosbench.evaluation import evaluate
from vosbench.io.masks import read_mask
from vosbench.methods import GivenMasks, VideoInfo, register
from vosbench.runner.profiler import Profiler
from vosbench.runner.run import RunOptions, run_method
from vosbench.system.distributed import World, shard

REPO = Path(__file__).resolve().parent.parent


class Recorder(FirstFrameCopy):
    """first-frame-copy that remembers what it was given (class-level, across instances)."""

    calls: ClassVar[list[tuple[str, int, tuple[int, ...] | None]]] = []

    def start_video(self, info: VideoInfo) -> None:
        super().start_video(info)
        self.video = info.name
        self.index = 0

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        Recorder.calls.append((self.video, self.index, given.ids if given else None))
        self.index += 1
        with self.stage("hold"):
            return super().step(image, given)


class CrashOn(FirstFrameCopy):
    """Fails on the first frame of a video named 'b'."""

    def start_video(self, info: VideoInfo) -> None:
        super().start_video(info)
        self.video = info.name

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        if self.video == "b":
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C
        return super().step(image, given)


class WrongSize(FirstFrameCopy):
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        return np.zeros((3, 3), np.uint8)


class TooManyIds(FirstFrameCopy):
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        return np.full(image.shape[:2], 9, np.uint8)


for name, cls in {
    "recorder": Recorder,
    "crash-on-b": CrashOn,
    "wrong-size": WrongSize,
    "too-many-ids": TooManyIds,
}.items():
    register(name, cls)


def _options(root: Path, out: Path | None, **kw) -> RunOptions:
    return RunOptions(dataset="davis2017", root=root, out=out, progress=False, warmup=1, **kw)


def test_run_writes_masks_scores_and_matches_evaluate(davis_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = run_method("first-frame-copy", None, _options(davis_root, out))
    assert outcome is not None and outcome.result is not None
    assert sorted(p.name for p in (out / "a").glob("*.png")) == [f"{t:05d}.png" for t in range(6)]
    assert len(list((out / "b").glob("*.png"))) == 5
    np.testing.assert_array_equal(
        read_mask(out / "a" / "00003.png"), ellipse_masks(6, (36, 48), 2, seed=1)[0]
    )
    again = evaluate("davis2017", davis_root, out, workers=1)
    assert again.global_metrics == outcome.result.global_metrics  # exactly, not approximately
    assert [o.key for o in outcome.result.objects] == ["a_1", "a_2", "b_1", "b_2", "b_3"]
    run = json.loads((out / "run.json").read_text())
    assert run["method"] == "first-frame-copy" and run["frames"] == 11 and run["masks_written"] == 11
    assert run["profile"]["frames"] == 10 and run["profile"]["warmup_frames"] == 1
    assert run["provenance"]["versions"]["torch"]
    assert (out / "global_results-val.csv").is_file() and (out / "per-sequence_results-val.csv").is_file()


def test_multi_object_masks_given_once_on_the_first_frame(davis_root: Path, tmp_path: Path) -> None:
    Recorder.calls.clear()
    run_method("recorder", None, _options(davis_root, tmp_path / "out"))
    given = [(v, i, ids) for v, i, ids in Recorder.calls if ids is not None]
    assert given == [("a", 0, (1, 2)), ("b", 0, (1, 2, 3))]
    assert len(Recorder.calls) == 11


def test_resume_skips_finished_videos(davis_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_method("crash-on-b", None, _options(davis_root, out))
    assert (out / ".vosbench" / "videos" / "a.json").is_file()
    assert not (out / ".vosbench" / "videos" / "b.json").exists()
    assert not (out / "run.json").exists()
    Recorder.calls.clear()
    with pytest.raises(VosbenchError, match=r"holds the results of another run \(it differs in method\)"):
        run_method("recorder", None, _options(davis_root, out, resume=True))
    # the same method resumes: only video b runs again
    register("crash-on-b", FirstFrameCopy)
    try:
        outcome = run_method("crash-on-b", None, _options(davis_root, out, resume=True))
    finally:
        register("crash-on-b", CrashOn)
    assert outcome is not None and len(outcome.records) == 2
    assert outcome.result.global_metrics == evaluate("davis2017", davis_root, out, workers=1).global_metrics


def test_resume_really_skips(davis_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_method("recorder", None, _options(davis_root, out))
    Recorder.calls.clear()
    run_method("recorder", None, _options(davis_root, out, resume=True))
    assert Recorder.calls == []
    (out / "b" / "00002.png").unlink()  # an incomplete video runs again
    run_method("recorder", None, _options(davis_root, out, resume=True))
    assert {v for v, _, _ in Recorder.calls} == {"b"}
    assert (out / "b" / "00002.png").is_file()


def test_a_resume_with_nothing_left_leaves_run_json_as_it_was(davis_root: Path, tmp_path: Path) -> None:
    """run.json's FPS comes from the calls that ran the method; a resume that runs nothing must
    not put its own load and time beside them."""
    out = tmp_path / "out"
    run_method("recorder", None, _options(davis_root, out))
    before = (out / "run.json").read_bytes()
    Recorder.calls.clear()
    outcome = run_method("recorder", None, _options(davis_root, out, resume=True))
    assert Recorder.calls == [] and outcome is not None and len(outcome.records) == 2
    assert (out / "run.json").read_bytes() == before
    (out / "b" / "00002.png").unlink()  # something left to do: written anew
    run_method("recorder", None, _options(davis_root, out, resume=True))
    assert (out / "run.json").read_bytes() != before


def test_late_objects_on_youtube(tmp_path: Path) -> None:
    root = youtube_late_object(tmp_path / "yt", "v1", [0, 5, 10, 15], late_frame=10)
    Recorder.calls.clear()
    out = tmp_path / "out"
    outcome = run_method(
        "recorder", None, RunOptions(dataset="youtube2019", root=root, out=out, progress=False)
    )
    assert [(i, ids) for _, i, ids in Recorder.calls if ids] == [(0, (1,)), (2, (2,))]
    assert outcome is not None and outcome.result is None  # valid has no ground truth to score
    last = read_mask(out / "v1" / "00015.png")
    assert set(np.unique(last)) == {0, 1, 2}


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("wrong-size", r"video 'a', frame 00000: label map 3x3, expected 48x36"),
        ("too-many-ids", r"object id 9, but the video's objects are 1..2"),
    ],
)
def test_bad_method_output_is_named(davis_root: Path, tmp_path: Path, method: str, message: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(VosbenchError, match=message):
        run_method(method, None, _options(davis_root, out))
    assert not (out / "run.json").exists()
    assert not (out / ".vosbench" / "videos").exists()


def test_run_command_errors_exit_2(davis_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    args = ["run", "--dataset", "davis2017", "--root", str(davis_root), "--out", str(out), "--quiet"]
    assert main([*args, "--method", "flow-propagation", "--set", "presett=fast"]) == 2
    assert (
        "unknown option 'presett'; valid options: algorithm, consistency_px, flow_scale, preset"
        in capsys.readouterr().err
    )
    if not torch.cuda.is_available():
        assert main([*args, "--method", "first-frame-copy", "--device", "cuda"]) == 2
        assert "CUDA is not available" in capsys.readouterr().err
    assert (
        main(
            [
                "run",
                "--method",
                "first-frame-copy",
                "--dataset",
                "davis2017",
                "--root",
                str(tmp_path / "none"),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "not a DAVIS 2017 root" in capsys.readouterr().err
    assert not out.exists()


def test_profile_needs_more_frames_than_warmup(davis_root: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["profile", "--method", "first-frame-copy", "--dataset", "davis2017", "--root", str(davis_root)]
    assert main([*args, "--frames", "3", "--warmup", "5"]) == 2
    assert "--frames 3: must exceed --warmup (5)" in capsys.readouterr().err


def test_profiler_excludes_warmup_and_times_stages() -> None:
    profiler = Profiler("cpu", warmup=2)
    for _ in range(5):
        with profiler.frame(), profiler.stage("work"):
            sum(range(1000))
    report = profiler.report()
    assert report.frames == 3 and report.warmup_frames == 2
    assert report.fps == pytest.approx(3 / report.seconds)
    assert report.median_ms <= report.p90_ms
    assert 0 < report.stages_ms["work"] <= report.seconds / 3 * 1000 + 1e-9
    assert report.peak_gpu_memory_mb is None


def test_profile_command(davis_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "p.json"
    code = main(
        [
            "profile",
            "--method",
            "recorder",
            "--dataset",
            "davis2017",
            "--root",
            str(davis_root),
            "--frames",
            "8",
            "--warmup",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert report["profile"]["frames"] == 6 and report["profile"]["warmup_frames"] == 2
    assert "hold" in report["profile"]["stages_ms"]
    assert "FPS over 6 frames" in capsys.readouterr().out


def test_shards_are_disjoint_balanced_and_complete() -> None:
    lengths = [50, 10, 40, 30, 20, 60, 5]
    parts = [shard(lengths, World(r, 3, r)) for r in range(3)]
    assert sorted(i for p in parts for i in p) == list(range(len(lengths)))
    loads = [sum(lengths[i] for i in p) for p in parts]
    assert max(loads) - min(loads) <= max(lengths)


def test_torchrun_two_processes_with_gloo(davis_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        "2",
        "--standalone",
        "-m",
        "vosbench",
        "run",
        "--method",
        "first-frame-copy",
        "--dataset",
        "davis2017",
        "--root",
        str(davis_root),
        "--out",
        str(out),
        "--quiet",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads((out / "run.json").read_text())
    assert run["processes"] == 2 and run["frames"] == 11 and run["videos"] == 2
    single = tmp_path / "single"
    run_method("first-frame-copy", None, _options(davis_root, single))
    assert json.loads((single / "run.json").read_text())["scores"] == run["scores"]


def test_torchrun_error_on_one_rank_stops_every_rank(davis_root: Path, tmp_path: Path) -> None:
    """Video b goes to rank 1 (the shards balance by length: a, 6 frames, is rank 0's); its bad
    frame stops rank 1, and rank 0 learns of it and stops with the same message: no hang, no
    results written, a failing exit status."""
    frame = davis_root / "JPEGImages" / "480p" / "b" / "00002.jpg"
    frame.write_bytes(b"")
    out = tmp_path / "dist"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--standalone"]
    cmd += ["-m", "vosbench", "run", "--method", "first-frame-copy", "--dataset", "davis2017"]
    cmd += ["--root", str(davis_root), "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240, cwd=REPO)
    assert done.returncode != 0
    message = f"vosbench: error: {frame}: an empty file, expected an image"
    assert done.stderr.count(message) == 2, done.stderr[-3000:]  # from both ranks
    assert not (out / "run.json").exists() and not (out / "results.json").exists()
