"""The clips each training stage reads, from the command line's dataset arguments."""

from __future__ import annotations

from pathlib import Path

from torch.utils.data import Dataset

from vosbench.datasets import dataset_spec, load_videos
from vosbench.errors import VosbenchError
from vosbench.sampling import ClipOptions, CocoClips, MixedClips, VideoClips
from vosbench.training.config import TrainConfig


def training_clips(
    config: TrainConfig,
    coco_root: Path | None = None,
    coco_ann: Path | None = None,
    davis_root: Path | None = None,
    davis_dataset: str = "davis2017",
    davis_split: str = "train",
    youtube_root: Path | None = None,
    youtube_weight: float = 1.0,
) -> Dataset:
    """Stage 1: COCO synthetic clips. Stage 2: DAVIS (and YouTube-VOS) training clips."""
    options = ClipOptions(
        size=config.size, n_frames=config.frames, max_gap=config.max_gap, max_objects=config.max_objects
    )
    if config.stage == "pretrain":
        if coco_root is None or coco_ann is None:
            raise VosbenchError("--stage pretrain needs --coco-root and --coco-ann")
        return CocoClips(coco_root, coco_ann, options, seed=config.seed)
    if davis_root is None and youtube_root is None:
        raise VosbenchError("--stage main needs --davis-root and/or --youtube-root")
    parts, weights = [], []
    if davis_root is not None:
        if davis_split in dataset_spec(davis_dataset).evaluation_splits:  # never train on what is reported
            raise VosbenchError(f"{davis_dataset} {davis_split} is an evaluation split: never train on it")
        videos = load_videos(davis_dataset, davis_root, davis_split)
        unknown = sorted(set(config.holdout) - {v.name for v in videos})
        if unknown:
            raise VosbenchError(f"holdout: {', '.join(unknown)} not in {davis_dataset} {davis_split}")
        kept = [v for v in videos if v.name not in config.holdout]
        if not kept:
            raise VosbenchError(f"holdout leaves no {davis_dataset} {davis_split} video to train on")
        parts.append(VideoClips(kept, options, seed=config.seed))
        weights.append(1.0)
    if youtube_root is not None:
        videos = load_videos("youtube2019", youtube_root, "train")
        parts.append(VideoClips(videos, options, seed=config.seed + 1))
        weights.append(youtube_weight)
    if len(parts) == 1:
        return parts[0]
    return MixedClips(parts, weights, samples=sum(len(p) for p in parts), seed=config.seed)
