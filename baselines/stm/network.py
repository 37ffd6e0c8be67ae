"""STM as a trainable network of vosbench (entry point ``vosbench.networks``: ``stm``), trained
through the memory-network kit: the settings, starting weights and clip loss SITVOS's are."""

from __future__ import annotations

from typing import Any

from torch import nn

from baselines.stm.model import STM, STMConfig
from baselines.stm.official import convert_stm_official
from memnet.training.network import memory_network


def _stm(config: STMConfig, weights: tuple[Any, Any] | None = None) -> nn.Module:
    image = (weights or (None, None))[0]
    return STM(config, image, image)  # both encoders are the image backbone (ResNet-50 in STM)


STM_NETWORK = memory_network(
    "stm",
    "STM (ICCV 2019): space-time memory network, the SITVOS paper's main comparison",
    STMConfig,
    _stm,
    converters={"stm-official": convert_stm_official},  # STM_weights.pth, as the authors release it
)
