"""Training memory networks with vosbench's trainer: shared settings, calibration of random
starts, the clip loss and the registration helper."""

from memnet.training.config import MemoryTrainConfig
from memnet.training.network import memory_network

__all__ = ["MemoryTrainConfig", "memory_network"]
