"""Training SITVOS: the clip loss, the resumable trainer, and its configuration."""

from sitvos.training.config import TrainConfig
from sitvos.training.trainer import train

# Bumped when the same settings would train different weights (cached results go stale):
# 2 = frozen norms of random backbones calibrated on the first batch.
TRAINING_REVISION = 2

__all__ = ["TRAINING_REVISION", "TrainConfig", "train"]
