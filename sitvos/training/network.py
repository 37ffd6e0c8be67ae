"""SITVOS as a trainable network of vosbench (entry point ``vosbench.networks``: ``sitvos``),
and the pieces STM's registration shares: settings, starting weights, the clip loss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn

from sitvos.model import SITVOS, ModelConfig
from sitvos.official import convert_sitvos_official
from sitvos.training.calibration import calibrate_frozen_norms
from sitvos.training.config import MemoryTrainConfig
from sitvos.training.loss import ClipLoss
from sitvos.weights import load_model
from vosbench.errors import VosbenchError
from vosbench.networks import NetworkSpec


def build_memory_network(config: MemoryTrainConfig) -> nn.Module:
    """The network ``config.model`` to train: from ``init_checkpoint`` (which fixes the backbone),
    else from ImageNet, a backbone file, or random weights."""
    fresh = not config.init_checkpoint
    return load_model(
        config.init_checkpoint,
        config.fim,
        config.backbone_init,
        config.model,
        config.backbone if fresh else "",
        config.backbone_weights if fresh else "",
        width=config.width,
    )


def calibrate_random_start(
    model: nn.Module, config: MemoryTrainConfig, forward: Callable[[], object]
) -> None:
    """Backbones that start random get their frozen norms' statistics from the first batch
    (``sitvos.training.calibration``); ImageNet, a file or a checkpoint bring their own."""
    if not config.init_checkpoint and config.backbone_init == "random" and not config.backbone_weights:
        calibrate_frozen_norms(model, forward)


def check_files(config: MemoryTrainConfig) -> None:
    """The backbone file the settings name exists (checked before any training starts)."""
    if config.backbone_weights and not Path(config.backbone_weights).is_file():
        raise VosbenchError(
            f"backbone_weights: {config.backbone_weights} not found "
            "(a path relative to where the command runs, e.g. the repository root)"
        )


def _sitvos(config: ModelConfig, weights: tuple[Any, Any] | None = None) -> nn.Module:
    image, mask = weights or (None, None)
    return SITVOS(config, image, mask)


def memory_network(
    name: str, description: str, config: type, network: Callable[..., nn.Module], **extra: Any
) -> NetworkSpec:
    """A memory network's registration: trained with the shared settings, starting weights,
    calibration, file check and clip loss; run by the method of the same name."""
    return NetworkSpec(
        name=name,
        description=description,
        config=config,
        network=network,
        train_config=MemoryTrainConfig,
        build=build_memory_network,
        loss=ClipLoss,
        method=name,
        prepare=calibrate_random_start,
        check=check_files,
        **extra,
    )


SITVOS_NETWORK = memory_network(
    "sitvos",
    "SITVOS (AAAI 2022): Siamese backbone, interactive transformer (FIM), decoder",
    ModelConfig,
    _sitvos,
    method_settings=lambda config: {"fim": config.fim},
    converters={"sitvos-official": convert_sitvos_official},  # a state dict as its train_davis.py saves
)
