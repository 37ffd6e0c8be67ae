"""SITVOS as a trainable network of vosbench (entry point ``vosbench.networks``: ``sitvos``),
registered through the memory-network kit."""

from __future__ import annotations

from typing import Any

from torch import nn

from memnet.training.network import memory_network
from sitvos.model import SITVOS, ModelConfig
from sitvos.official import convert_sitvos_official
from sitvos.training.config import SITVOSTrainConfig


def _sitvos(config: ModelConfig, weights: tuple[Any, Any] | None = None) -> nn.Module:
    image, mask = weights or (None, None)
    return SITVOS(config, image, mask)


def _settings(config: SITVOSTrainConfig) -> dict[str, Any]:
    return {"fim": config.fim}


SITVOS_NETWORK = memory_network(
    "sitvos",
    "SITVOS (AAAI 2022): Siamese backbone, interactive transformer (FIM), decoder",
    ModelConfig,
    _sitvos,
    train_config=SITVOSTrainConfig,
    settings=_settings,
    converters={"sitvos-official": convert_sitvos_official},  # a state dict as its train_davis.py saves
)
