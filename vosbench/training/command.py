"""`vosbench train`: one stage of a registered network's training, from dataset arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vosbench.errors import VosbenchError
from vosbench.io.preflight import writable_dir
from vosbench.methods.options import build_options
from vosbench.networks import NetworkSpec, network_spec
from vosbench.system.devices import check_device
from vosbench.training.coco_validation import SYNTHETIC_CLIPS, SyntheticSet, synthetic_validation
from vosbench.training.config import TrainConfig
from vosbench.training.data import training_clips
from vosbench.training.trainer import train
from vosbench.training.validation import Validation, validations


@dataclass(frozen=True)
class TrainData:
    """Where a stage's clips come from, and the held-out split it validates on."""

    coco_root: Path | None = None
    coco_ann: Path | None = None
    davis_root: Path | None = None
    davis_dataset: str = "davis2017"
    davis_split: str = "train"
    youtube_root: Path | None = None
    youtube_weight: float = 1.0
    val_dataset: str | None = None
    val_root: Path | None = None
    val_split: str = "val"
    val_sequences: tuple[str, ...] | None = None
    val_settings: tuple[tuple[str, str], ...] = ()  # the validation runs' method options, e.g. size
    val_coco_ann: Path | None = None  # held-out COCO images for synthetic validation clips
    val_coco_clips: int = SYNTHETIC_CLIPS


def train_stage(
    network: str,
    settings: dict[str, Any],
    data: TrainData,
    out: Path,
    device: str = "cpu",
    resume: bool = False,
    progress: bool = True,
) -> dict:
    """Train ``network`` with ``settings`` (its training settings' fields, text or typed) into
    ``out``; returns the trainer's summary (empty on ranks other than 0)."""
    spec = network_spec(network)
    config = build_options("train", spec.train_config, {**settings, "model": network}, invalid="")
    return run_stage(config, data, out, device, resume, progress)


def run_stage(
    config: TrainConfig,
    data: TrainData,
    out: Path,
    device: str = "cpu",
    resume: bool = False,
    progress: bool = True,
) -> dict:
    """One training stage, as every entry point asks for it (`vosbench train`, `reproduce`):
    the clips of ``data``, its held-out validation sets, the trainer."""
    check_device(device)
    writable_dir(out, "--out")
    spec = network_spec(config.model)
    clips = training_clips(
        config,
        data.coco_root,
        data.coco_ann,
        data.davis_root,
        data.davis_dataset,
        data.davis_split,
        data.youtube_root,
        data.youtube_weight,
    )
    validate = validations(
        ("held-out", _held_out(data, config, spec, device)),
        ("synthetic", _synthetic(data, config, spec, device, out)),
    )
    return train(config, clips, out, device, resume, validate, progress=progress)


def _held_out(data: TrainData, config: TrainConfig, spec: NetworkSpec, device: str) -> Validation | None:
    """The split named by --val-dataset/--val-root, else the DAVIS videos --holdout keeps out."""
    validation = None
    if data.val_dataset or data.val_root:
        if not (data.val_dataset and data.val_root):
            raise VosbenchError("validation needs both --val-dataset and --val-root")
        validation = Validation(
            data.val_dataset, data.val_root, data.val_split, data.val_sequences, data.val_settings
        )
    elif config.holdout and data.davis_root is not None:
        validation = Validation(
            data.davis_dataset, data.davis_root, data.davis_split, tuple(config.holdout), data.val_settings
        )
    return validation.for_network(spec.method, spec.method_settings(config), device) if validation else None


def _synthetic(
    data: TrainData, config: TrainConfig, spec: NetworkSpec, device: str, out: Path
) -> Validation | None:
    """Synthetic clips from --val-coco-ann's images, written once into ``out``."""
    if data.val_coco_ann is None:
        return None
    if data.coco_root is None:
        raise VosbenchError("--val-coco-ann needs --coco-root (where its images are)")
    # One fixed set (seed 0, up to 3 objects) whatever the run's seed and max_objects, so
    # that runs which differ in those are scored on the same clips.
    request = SyntheticSet(data.coco_root, data.val_coco_ann, clips=data.val_coco_clips, size=config.size)
    validation = synthetic_validation(request, out / "synthetic-clips", data.val_settings)
    return validation.for_network(spec.method, spec.method_settings(config), device)
