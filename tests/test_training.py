"""Training SITVOS on CPU: both stages, exact resume, DDP with gloo, checkpoints that run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from builders import ONE_TINY_ITERATION
from torch.utils.data import Dataset

from sitvos.training import SITVOSTrainConfig
from vosbench.checkpoints import load_checkpoint
from vosbench.cli import main
from vosbench.demo_data import make_demo_data
from vosbench.methods import create_method
from vosbench.training.data import training_clips
from vosbench.training.trainer import train

REPO = Path(__file__).resolve().parent.parent
# Two-frame clips (the loss needs one frame after the given one) keep CPU training short.
TINY = {
    "batch_size": 2,
    "size": 64,
    "frames": 2,
    "workers": 0,
    "backbone_init": "random",
    "lr": 1e-4,
    "log_every": 1,
}


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory):
    return make_demo_data(tmp_path_factory.mktemp("small"), n_frames=6, size=(64, 96))


class Stop(RuntimeError):
    """Raised in a data-loading worker: the run stops as if killed."""


class Interrupt(Dataset):
    """The clips of ``inner``, until position ``stop``: then ``error`` (a Ctrl-C by default;
    picklable, so it also works in data-loading workers)."""

    def __init__(self, inner: Dataset, stop: int, error: type[BaseException] = KeyboardInterrupt) -> None:
        self.inner, self.stop, self.error = inner, stop, error

    def __len__(self) -> int:
        return len(self.inner)  # type: ignore[arg-type]

    def __getitem__(self, position: int):
        if position >= self.stop:
            raise self.error(f"stopped at {position}")
        return self.inner[position]


def test_resume_gives_the_same_weights(small_demo, tmp_path: Path) -> None:
    config = SITVOSTrainConfig(stage="main", iterations=3, checkpoint_every=2, **TINY)
    clips = training_clips(config, davis_root=small_demo.davis_root)
    train(config, clips, tmp_path / "straight", progress=False)
    with pytest.raises(KeyboardInterrupt):  # stops during iteration 3, after the checkpoint at 2
        train(config, Interrupt(clips, stop=2 * config.batch_size), tmp_path / "resumed", progress=False)
    assert torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)["iteration"] == 2
    with open(tmp_path / "resumed" / "metrics.jsonl", "a") as log:
        log.write('{"iteration": 3, "lo')  # the row a kill cut in half
    train(config, clips, tmp_path / "resumed", resume=True, progress=False)
    a = torch.load(tmp_path / "straight" / "state.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)
    assert a["iteration"] == b["iteration"] == 3
    for key in a["model"]:
        assert torch.equal(a["model"][key], b["model"][key]), key
    losses = [
        json.loads(line)["loss"]
        for line in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()
    ]
    assert len(losses) == 3 and all(0 < loss < float("inf") for loss in losses)
    resumed = [json.loads(line) for line in (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()]
    assert [row["loss"] for row in resumed] == losses  # the torn row gone, each row once
    assert (tmp_path / "straight" / "loss_curve.png").stat().st_size > 1000
    # The throughput and memory a training report needs, from this run alone.
    summary = json.loads((tmp_path / "resumed" / "summary.json").read_text())
    assert summary["iterations"] == 3 and summary["device"].endswith(f"({os.cpu_count()} cores)")
    assert summary["train_seconds"] > 0 and summary["iterations_per_second"] == pytest.approx(
        1 / summary["train_seconds"]  # the resumed process ran one iteration
    )
    assert summary["peak_memory_of"] == "process RSS" and summary["peak_memory_mb"] > 100


def test_resume_refuses_other_settings(small_demo, tmp_path: Path) -> None:
    config = SITVOSTrainConfig(stage="main", iterations=1, checkpoint_every=1, **TINY)
    clips = training_clips(config, davis_root=small_demo.davis_root)
    train(config, clips, tmp_path, progress=False)
    other = SITVOSTrainConfig(stage="main", iterations=2, checkpoint_every=1, **TINY)
    with pytest.raises(Exception, match=r"--resume with different settings \(iterations\)"):
        train(other, clips, tmp_path, resume=True, progress=False)


def test_pretraining_validates_on_synthetic_clips_of_held_out_images(small_demo, tmp_path: Path) -> None:
    """--val-coco-ann: fixed clips made from the held-out COCO images, written once as a DAVIS
    2017 folder and scored like any held-out split, before and after training; the same clips
    whatever the run's seed (runs that differ in it are scored alike)."""
    from vosbench.io.masks import read_mask

    coco = small_demo.coco_root
    runs = []
    for seed in ("0", "3"):
        out = tmp_path / f"pre{seed}"
        args = ["train", "--stage", "pretrain", "--coco-root", str(coco), "--coco-ann"]
        args += [str(coco / "annotations" / "instances_train2017.json"), "--out", str(out)]
        args += [
            "--val-coco-ann",
            str(coco / "annotations" / "instances_val2017.json"),
            "--val-coco-clips",
            "3",
        ]
        assert main([*args, "--backbone-init", "random", *ONE_TINY_ITERATION, "--seed", seed]) == 0
        runs.append(out)
    history = [json.loads(line) for line in (runs[0] / "validation.jsonl").read_text().splitlines()]
    assert [h["iteration"] for h in history] == [0, 1]
    assert all(set(h["scores"]) == {"synthetic"} and h["score"] == h["scores"]["synthetic"] for h in history)
    clips = runs[0] / "synthetic-clips"
    videos = (clips / "ImageSets" / "2017" / "val.txt").read_text().split()
    assert 1 <= len(videos) <= 3
    first = sorted((clips / "Annotations" / "480p" / videos[0]).glob("*.png"))
    assert len(first) == 6 and read_mask(first[0]).shape == (64, 64)  # the training crop
    assert read_mask(first[0]).max() >= 1  # an object to track in the given frame
    other = runs[1] / "synthetic-clips" / "Annotations" / "480p" / videos[0]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in sorted(other.glob("*.png"))]


def test_the_train_command_leaves_the_synthetic_clip_count_to_the_trainer() -> None:
    """Without --val-coco-clips the request carries the trainer's default (one number, kept
    in one place), and the help quotes that number."""
    from vosbench.cli import build_parser
    from vosbench.commands.common import arguments_of
    from vosbench.training.coco_validation import SYNTHETIC_CLIPS
    from vosbench.training.command import TrainData

    parser = build_parser()
    args = parser.parse_args(["train", "--stage", "pretrain", "--out", "x"])
    assert "val_coco_clips" not in arguments_of(TrainData, args)
    assert TrainData.__dataclass_fields__["val_coco_clips"].default == SYNTHETIC_CLIPS
    assert (
        parser.parse_args(
            ["train", "--stage", "pretrain", "--out", "x", "--val-coco-clips", "5"]
        ).val_coco_clips
        == 5
    )
    train = parser._subparsers._group_actions[0].choices["train"]
    assert f"default: {SYNTHETIC_CLIPS}," in " ".join(train.format_help().split())


def test_both_stages_and_the_checkpoint_runs(
    small_demo, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    common = ["--backbone-init", "random", *ONE_TINY_ITERATION]
    coco = small_demo.coco_root
    pre = tmp_path / "pre"
    args = [
        "train",
        "--stage",
        "pretrain",
        "--coco-root",
        str(coco),
        "--coco-ann",
        str(coco / "annotations" / "instances_train2017.json"),
    ]
    assert main([*args, "--out", str(pre), *common]) == 0
    main_run = tmp_path / "main"
    args = [
        "train",
        "--stage",
        "main",
        "--davis-root",
        str(small_demo.davis_root),
        "--init",
        str(pre / "last.pth"),
    ]
    val = [
        "--val-dataset",
        "davis2017",
        "--val-root",
        str(small_demo.davis_root),
        "--val-sequences",
        "crossing",
    ]
    capsys.readouterr()
    assert main([*args, "--out", str(main_run), *common, *val]) == 0
    summary = json.loads((main_run / "summary.json").read_text())
    printed = f" it/s on {summary['device']}, peak memory {summary['peak_memory_mb']:.0f} MB (process RSS)"
    assert printed in capsys.readouterr().out
    scores = [json.loads(line) for line in (main_run / "validation.jsonl").read_text().splitlines()]
    assert [s["iteration"] for s in scores] == [0, 1]  # before and after training
    assert (main_run / "best.pth").is_file()
    out = tmp_path / "run"
    run = [
        "run",
        "--method",
        "sitvos",
        "--set",
        f"checkpoint={main_run / 'last.pth'}",
        "--dataset",
        "davis2017",
    ]
    assert (
        main(
            [
                *run,
                "--root",
                str(small_demo.davis_root),
                "--sequences",
                "juggle",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert len(list((out / "juggle").glob("*.png"))) == 6


def test_never_train_on_an_evaluation_split(
    small_demo, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["train", "--stage", "main", "--davis-root", str(small_demo.davis_root), "--davis-split", "val"]
    assert main([*args, "--out", str(tmp_path / "x"), "--backbone-init", "random", "--iterations", "1"]) == 2
    assert "evaluation split: never train on it" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_ddp_with_two_cpu_processes(small_demo, tmp_path: Path) -> None:
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        "-m",
        "vosbench",
        "train",
        "--stage",
        "main",
        "--davis-root",
        str(small_demo.davis_root),
        "--out",
        str(out),
        "--backbone-init",
        "random",
        "--iterations",
        "1",
        "--frames",
        "2",
        "--batch-size",
        "1",
        "--size",
        "64",
        "--workers",
        "0",
        "--quiet",
    ]
    done = subprocess.run(
        cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=400, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-3000:]
    method = create_method("sitvos", {"checkpoint": str(out / "last.pth")})
    assert method.model.config.fim


def _norm_buffers(state: dict) -> dict[str, torch.Tensor]:
    return {k: v for k, v in state.items() if k.endswith(("running_mean", "running_var"))}


def test_training_calibrates_random_backbones_only(small_demo, tmp_path: Path) -> None:
    tiny = dict(batch_size=1, size=64, frames=2, workers=0, lr=1e-4, iterations=1)
    config = SITVOSTrainConfig(stage="main", backbone_init="random", **tiny)
    clips = training_clips(config, davis_root=small_demo.davis_root)
    train(config, clips, tmp_path / "random", progress=False)
    random_state = load_checkpoint(tmp_path / "random" / "last.pth")["model"]
    variances = [v for k, v in _norm_buffers(random_state).items() if k.endswith("running_var")]
    assert variances and all(not torch.equal(v, torch.ones_like(v)) for v in variances)
    # From a checkpoint (as from ImageNet), the statistics it brings stay as they are.
    init = str(tmp_path / "random" / "last.pth")
    config = SITVOSTrainConfig(stage="main", init_checkpoint=init, **tiny)
    train(config, clips, tmp_path / "init", progress=False)
    init_state = load_checkpoint(tmp_path / "init" / "last.pth")["model"]
    for key, value in _norm_buffers(random_state).items():
        assert torch.equal(init_state[key], value), key


def test_resumed_run_logs_each_iteration_once(small_demo, tmp_path: Path) -> None:
    config = SITVOSTrainConfig(stage="main", iterations=4, checkpoint_every=2, **TINY)
    clips = training_clips(config, davis_root=small_demo.davis_root)
    with pytest.raises(KeyboardInterrupt):  # during iteration 4: iteration 3 was logged after the checkpoint
        train(config, Interrupt(clips, stop=3 * config.batch_size), tmp_path, progress=False)

    def logged() -> list[int]:
        return [
            json.loads(line)["iteration"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()
        ]

    assert logged() == [1, 2, 3]
    assert torch.load(tmp_path / "state.pt", weights_only=True)["iteration"] == 2
    train(config, clips, tmp_path, resume=True, progress=False)
    # iteration 3 trained again and logged once: the curve an uninterrupted run draws
    assert logged() == [1, 2, 3, 4]
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 1 + 4


def test_resume_with_data_loading_workers_gives_the_same_weights(small_demo, tmp_path: Path) -> None:
    config = SITVOSTrainConfig(stage="main", iterations=3, checkpoint_every=2, **{**TINY, "workers": 1})
    clips = training_clips(config, davis_root=small_demo.davis_root)
    train(config, clips, tmp_path / "straight", progress=False)
    with pytest.raises(Exception, match="stopped at"):
        train(
            config,
            Interrupt(clips, stop=2 * config.batch_size, error=Stop),
            tmp_path / "resumed",
            progress=False,
        )
    assert torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)["iteration"] == 2
    with open(tmp_path / "resumed" / "metrics.jsonl", "a") as log:
        log.write('{"iteration": 3, "lo')  # the row a kill cut in half
    train(config, clips, tmp_path / "resumed", resume=True, progress=False)
    a = torch.load(tmp_path / "straight" / "state.pt", weights_only=True)
    b = torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)
    assert a["iteration"] == b["iteration"] == 3
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])


def test_validation_on_held_out_videos_during_training(
    small_demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vosbench.training.validation import Validation

    seen: list[tuple[int, int, tuple[str, ...]]] = []
    real = Validation.__call__

    def spy(validation, checkpoint, scratch):
        seen.append((len(seen), load_checkpoint(checkpoint)["iteration"], validation.sequences))
        return real(validation, checkpoint, scratch)

    monkeypatch.setattr(Validation, "__call__", spy)
    out = tmp_path / "run"
    args = ["train", "--stage", "main", "--davis-root", str(small_demo.davis_root), "--out", str(out)]
    args += ["--backbone-init", "random", "--iterations", "3", "--batch-size", "1", "--size", "64"]
    args += ["--frames", "2", "--workers", "0", "--checkpoint-every", "5", "--validate-every", "2"]
    assert main([*args, "--holdout", "canyon", "lagoon", "--val-set", "size=48", "--quiet"]) == 0
    # the validation runs took the method option given for them (a smaller network input)
    assert json.loads((out / "validation" / "held-out" / "run.json").read_text())["options"]["size"] == 48
    # before training, at 2 (a checkpoint saved for it, though checkpoints come every 5), at the end
    assert [(i, it) for i, it, _ in seen] == [(0, 0), (1, 2), (2, 3)]
    assert all(seqs == ("canyon", "lagoon") for _, _, seqs in seen)
    history = [json.loads(line) for line in (out / "validation.jsonl").read_text().splitlines()]
    assert [h["iteration"] for h in history] == [0, 2, 3]
    assert all(0 <= h["score"] <= 1 and h["scores"] == {"held-out": h["score"]} for h in history)
    best = max(history, key=lambda h: h["score"])  # the first of the best, as the trainer keeps it
    assert load_checkpoint(out / "best.pth")["iteration"] == best["iteration"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["validation"] == history[-1]["score"]
    # the held-out videos were never trained on
    config = SITVOSTrainConfig(stage="main", holdout=("canyon", "lagoon"), **TINY)
    names = {t.name for t in training_clips(config, davis_root=small_demo.davis_root).tracks}
    assert names and not names & {"canyon", "lagoon"}


def _torchrun_train(small_demo, out: Path, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    cmd += ["-m", "vosbench", "train", "--stage", "main", "--davis-root", str(small_demo.davis_root)]
    cmd += ["--out", str(out), "--backbone-init", "random", "--iterations", "6", "--checkpoint-every", "1"]
    return [*cmd, "--frames", "2", "--batch-size", "1", "--size", "64", "--workers", "0", "--quiet", *extra]


def test_ddp_training_killed_and_resumed_gives_the_same_weights(small_demo, tmp_path: Path) -> None:
    """Two gloo processes, killed (SIGKILL, agent and ranks) after a checkpoint, then resumed
    with --resume: the weights equal those of a run that was never stopped."""
    import time

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    straight = tmp_path / "straight"
    subprocess.run(_torchrun_train(small_demo, straight), env=env, check=True, timeout=400, cwd=REPO,
                   capture_output=True)  # fmt: skip
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        _torchrun_train(small_demo, killed), env=env, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    state = killed / "state.pt"
    deadline = time.monotonic() + 300
    stopped_at = None
    while time.monotonic() < deadline and process.poll() is None:
        if state.is_file():
            try:
                stopped_at = torch.load(state, weights_only=True)["iteration"]
            except Exception:
                stopped_at = None  # being replaced this instant
            if stopped_at is not None and stopped_at >= 2:
                # torchrun's workers may sit in their own process groups: kill every process
                # whose command line names this run's folder (the agent and both ranks)
                subprocess.run(["pkill", "-KILL", "-f", str(killed)], check=False)
                break
        time.sleep(0.05)
    process.wait(timeout=60)
    assert stopped_at is not None and 2 <= stopped_at < 6, "the run was not stopped part-way"
    done = subprocess.run(
        [*_torchrun_train(small_demo, killed), "--resume"], env=env, capture_output=True, text=True,
        timeout=400, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    a = torch.load(straight / "state.pt", weights_only=True)
    b = torch.load(state, weights_only=True)
    assert a["iteration"] == b["iteration"] == 6
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    summary = json.loads((killed / "summary.json").read_text())
    ran = summary["iterations_per_second"] * summary["train_seconds"]  # by the resumed processes
    assert round(ran) <= 6 - stopped_at  # it went on from the checkpoint, not from the start


def test_a_run_killed_while_validating_validates_again_when_resumed(small_demo, tmp_path: Path) -> None:
    """The state is saved just before a validation; a run killed inside it resumes past that
    iteration, so the resumed run must score the checkpoint it starts from first."""
    config = SITVOSTrainConfig(stage="main", iterations=4, checkpoint_every=4, validate_every=2, **TINY)
    clips = training_clips(config, davis_root=small_demo.davis_root)
    scored: list[int] = []

    def validate(checkpoint: Path, _out: Path) -> float:
        iteration = torch.load(checkpoint, weights_only=True)["iteration"]
        if iteration == 2 and not scored.count(2):
            scored.append(2)
            raise KeyboardInterrupt("killed while validating")
        return 0.5

    with pytest.raises(KeyboardInterrupt):
        train(config, clips, tmp_path, validate=validate, progress=False)
    assert torch.load(tmp_path / "state.pt", weights_only=True)["iteration"] == 2
    train(config, clips, tmp_path, resume=True, validate=validate, progress=False)
    rows = [json.loads(line) for line in (tmp_path / "validation.jsonl").read_text().splitlines()]
    assert [row["iteration"] for row in rows] == [0, 2, 4]
