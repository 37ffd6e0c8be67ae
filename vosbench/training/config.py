"""What every training run is told, whatever the network; defaults are the SITVOS paper's
(section 3.5). A network adds its own fields by subclassing :class:`TrainConfig`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


def _setting(default: Any, help_text: str) -> Any:
    """A setting's default with its help (the ``train`` command's flag shows it)."""
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class TrainConfig:
    stage: Literal["pretrain", "main"] = _setting("main", "pretrain: COCO synthetic clips; main: videos")
    model: str = _setting("sitvos", "the registered network (`vosbench networks`)")
    iterations: int = _setting(100_000, "training iterations")
    batch_size: int = _setting(4, "clips per process and iteration")
    size: int = _setting(384, "square crop side (a multiple of 16)")
    frames: int = _setting(3, "frames per clip")
    max_gap: int = _setting(25, "main: frames skipped between two sampled frames, at most")
    max_objects: int = _setting(3, "objects kept per clip, at most")
    lr: float = _setting(1e-5, "Adam's learning rate")
    power: float = _setting(0.9, "the polynomial decay's power")
    clip_grad: float = _setting(1.0, "max gradient norm (the paper is silent; common for STM-style training)")
    init_checkpoint: str = _setting("", "start from this checkpoint, e.g. the pre-training stage's result")
    holdout: tuple[str, ...] = _setting((), "main: train-split videos left out of training (validation's)")
    workers: int = _setting(2, "data-loading processes")
    seed: int = _setting(0, "seeds the clips and the new layers' weights")
    precision: Literal["auto", "fp32", "bf16"] = _setting("auto", "auto: bf16 on CUDA, fp32 on a CPU")
    checkpoint_every: int = _setting(500, "iterations between checkpoints (state.pt, last.pth)")
    validate_every: int = _setting(0, "iterations between validations (0: only before and after)")
    log_every: int = _setting(10, "iterations between rows of metrics.jsonl")

    def __post_init__(self) -> None:
        for name in ("iterations", "batch_size", "frames", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.frames < 2:
            raise ValueError("clips need at least 2 frames (the first one's mask is given)")
        if self.size % 16:
            raise ValueError(f"size must be a multiple of 16, got {self.size}")
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if not isinstance(self.holdout, tuple):  # from TOML or JSON: a list
            object.__setattr__(self, "holdout", tuple(self.holdout))
