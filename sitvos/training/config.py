"""SITVOS's training settings: the kit's, and the interaction module's switch."""

from __future__ import annotations

from dataclasses import dataclass, field

from memnet.training.config import MemoryTrainConfig


@dataclass(frozen=True)
class SITVOSTrainConfig(MemoryTrainConfig):
    """:class:`~memnet.training.config.MemoryTrainConfig` plus SITVOS's ``fim``."""

    fim: bool = field(default=True, metadata={"help": "false trains Table 3's naive transformer"})
