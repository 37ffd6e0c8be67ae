"""What every training run is told, whatever the network; defaults are the SITVOS paper's
(section 3.5). A network adds its own fields by subclassing :class:`TrainConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TrainConfig:
    stage: Literal["pretrain", "main"] = "main"
    model: str = "sitvos"  # the registered network (`vosbench networks`)
    iterations: int = 100_000
    batch_size: int = 4  # clips per process and iteration
    size: int = 384  # square crop side
    frames: int = 3
    max_gap: int = 25
    max_objects: int = 3
    lr: float = 1e-5  # Adam
    power: float = 0.9  # polynomial decay
    clip_grad: float = 1.0  # max gradient norm (paper silent; common for STM-style training)
    init_checkpoint: str = ""  # e.g. the pre-training stage's result
    holdout: tuple[str, ...] = ()  # main: train-split videos left out of training (validation's)
    workers: int = 2
    seed: int = 0
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    checkpoint_every: int = 500
    validate_every: int = 0  # 0: only at the end (when a validation split is given)
    log_every: int = 10

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
