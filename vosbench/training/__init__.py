"""Training registered networks: settings, the clips each stage reads, the resumable trainer,
validation on held-out videos, and the network registry."""

from vosbench.training.config import TrainConfig
from vosbench.training.network import NetworkSpec, network_names, network_spec, register_network

# Bumped when the same settings would train different weights (cached results go stale):
# 2 = frozen norms of random backbones calibrated on the first batch.
TRAINING_REVISION = 2

__all__ = [
    "TRAINING_REVISION",
    "NetworkSpec",
    "TrainConfig",
    "network_names",
    "network_spec",
    "register_network",
]
