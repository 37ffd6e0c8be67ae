"""Training SITVOS: the clip loss, the resumable trainer, and its configuration."""

from sitvos.training.config import TrainConfig
from sitvos.training.trainer import train

__all__ = ["TrainConfig", "train"]
