"""Training registered networks: settings, the clips each stage reads, the resumable trainer,
validation on held-out videos. (The network registry is :mod:`vosbench.networks`; its names
are re-exported here for plugins written against this package.)"""

from vosbench.networks import NetworkSpec, network_names, network_spec, register_network
from vosbench.training.config import TrainConfig

# Bumped when the same settings would train different weights (cached results go stale):
# 2 = frozen norms of random backbones calibrated on the first batch; 3 = Adam's fused kernel.
# (Numeric settings, such as the pinned scales' convolutions without oneDNN, key a step through
# Numerics.keyed, so they re-key only the scales they change.)
TRAINING_REVISION = 3

__all__ = [
    "TRAINING_REVISION",
    "NetworkSpec",
    "TrainConfig",
    "network_names",
    "network_spec",
    "register_network",
]
