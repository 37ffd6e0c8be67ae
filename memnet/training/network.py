"""A memory network's registration (:func:`memory_network`): trained with the kit's settings,
starting weights, calibration and clip loss, run by the method of the same name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from torch import nn

from memnet.training.calibration import calibrate_frozen_norms
from memnet.training.config import MemoryTrainConfig
from memnet.training.loss import ClipLoss
from memnet.weights import load_model
from vosbench.errors import VosbenchError
from vosbench.networks import NetworkSpec, no_settings

Settings = Callable[[Any], dict[str, Any]]


def build_memory_network(config: MemoryTrainConfig, name: str, settings: Settings = no_settings) -> nn.Module:
    """The network ``name`` to train: from ``init_checkpoint`` (which fixes the backbone), else
    from ImageNet, a backbone file, or random weights. ``settings(config)``: fields of the
    network's own config that the training settings choose (SITVOS's ``fim``)."""
    fresh = not config.init_checkpoint
    return load_model(
        name,
        config.init_checkpoint,
        settings(config),
        config.backbone_init,
        config.backbone if fresh else "",
        config.backbone_weights if fresh else "",
        width=config.width,
    )


def calibrate_random_start(
    model: nn.Module, config: MemoryTrainConfig, forward: Callable[[], object]
) -> None:
    """Backbones that start random get their frozen norms' statistics from the first batch
    (:mod:`memnet.training.calibration`); ImageNet, a file or a checkpoint bring their own."""
    if not config.init_checkpoint and config.backbone_init == "random" and not config.backbone_weights:
        calibrate_frozen_norms(model, forward)


def check_files(config: MemoryTrainConfig) -> None:
    """The backbone file the settings name exists (checked before any training starts)."""
    if config.backbone_weights and not Path(config.backbone_weights).is_file():
        raise VosbenchError(
            f"backbone_weights: {config.backbone_weights} not found "
            "(a path relative to where the command runs, e.g. the repository root)"
        )


def memory_network(
    name: str,
    description: str,
    config: type,
    network: Callable[..., nn.Module],
    train_config: type[MemoryTrainConfig] = MemoryTrainConfig,
    settings: Settings = no_settings,
    **extra: Any,
) -> NetworkSpec:
    """A memory network's registration.

    ``config``/``network``: its config dataclass and ``network(config, weights)``, as
    :class:`~vosbench.networks.NetworkSpec` has them; ``train_config``: the kit's settings or
    a subclass with the network's own fields; ``settings(train_config)``: the network config
    fields those choose, which its method (of the same name) is given as options too.
    """
    return NetworkSpec(
        name=name,
        description=description,
        config=config,
        network=network,
        train_config=train_config,
        build=partial(build_memory_network, name=name, settings=settings),
        loss=ClipLoss,
        method=name,
        method_settings=settings,
        prepare=calibrate_random_start,
        check=check_files,
        **extra,
    )
