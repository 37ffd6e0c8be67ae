"""Training SITVOS with vosbench's trainer: its settings, clip loss and registration."""

from sitvos.training.config import MemoryTrainConfig

__all__ = ["MemoryTrainConfig"]
