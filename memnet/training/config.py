"""The training settings every memory network shares: the trainer's, and where the network starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vosbench.training.config import TrainConfig


@dataclass(frozen=True)
class MemoryTrainConfig(TrainConfig):
    """:class:`~vosbench.training.config.TrainConfig` plus the networks' own starting point."""

    backbone: Literal["resnet50", "mobilenetv2"] = "resnet50"  # the paper's, or the small-scale variant
    backbone_init: Literal["imagenet", "random"] = "imagenet"  # ignored with init_checkpoint
    backbone_weights: str = ""  # a backbone file instead of torchvision's ImageNet download
    width: float = field(
        default=1.0,
        metadata={
            "help": "the network's own channel widths (not the backbone's) times this; 1: the paper's "
            "(the quick scale's tiny networks: 0.25); ignored with init_checkpoint"
        },
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.width > 0:
            raise ValueError(f"width must be positive, got {self.width}")
