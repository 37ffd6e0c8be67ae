"""The network registry: what `vosbench train`, reproduce recipes, checkpoints and inference
need of a trainable network, beside the method and dataset registries.

A network registers one :class:`NetworkSpec` under the entry-point group
``vosbench.networks`` (SITVOS and STM register theirs like any plugin). The trainer is
vosbench's; the network brings its settings, how it starts, how a clip is scored, and the
method that runs its checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vosbench.registry import Registry

if TYPE_CHECKING:  # listing the networks (every command's parser) must not import torch
    from torch import nn

    from vosbench.training.config import TrainConfig


def no_settings(config: TrainConfig) -> dict[str, Any]:
    """A network whose method needs nothing from the training settings but the checkpoint."""
    return {}


@dataclass(frozen=True)
class NetworkSpec:
    """One trainable network.

    * ``train_config``: its training settings, :class:`TrainConfig` or a subclass that adds
      the network's own fields (a recipe's ``train`` table and ``train --set`` fill them).
    * ``config``: the network's own config dataclass (widths, backbone, ...), saved with its
      weights in every checkpoint; ``network(config, weights=None)`` builds the network from
      one (``weights``: its starting weights, in whatever form the network takes; None for
      a checkpoint's network, whose weights are loaded after). The network keeps its config
      as its ``config`` attribute.
    * ``build(training_config)``: the network to train, from ``init_checkpoint`` when
      given, else from its starting weights.
    * ``loss(network)``: a module whose ``forward(images, masks, labels, n_objects)`` is the
      loss of a batch of clips (``images`` (B, T, 3, H, W) in [0, 1], ``masks`` (B, T, K, H,
      W), ``labels`` (B, T, H, W), frame 0's masks given): the clip protocol it trains on.
    * ``method``: the registered method that runs its checkpoints (`--set checkpoint=`), and
      ``method_settings(config)``: the options that method needs beyond the checkpoint.
    * ``prepare(network, config, forward)``: optional, before the first iteration of a fresh
      run; ``forward()`` runs the loss on the first batch (e.g. to calibrate normalisation).
    * ``check(config)``: optional, fails with a :class:`~vosbench.errors.VosbenchError`
      before any work when the settings name something missing (a weights file).
    * ``converters``: names to functions turning another code base's weights into a
      checkpoint payload (`vosbench convert-weights --from NAME`).
    """

    name: str
    description: str
    train_config: type[TrainConfig]
    config: type
    network: Callable[..., nn.Module]
    build: Callable[[Any], nn.Module]
    loss: Callable[[nn.Module], nn.Module]
    method: str
    method_settings: Callable[[Any], dict[str, Any]] = no_settings
    prepare: Callable[[nn.Module, Any, Callable[[], object]], None] | None = None
    check: Callable[[Any], None] | None = None
    converters: Mapping[str, Callable[..., dict]] = field(default_factory=dict)


NETWORKS: Registry[NetworkSpec] = Registry(
    "vosbench.networks", "network", lambda obj: isinstance(obj, NetworkSpec), "a vosbench NetworkSpec"
)


# In this process (tests, notebooks); a package registers through its entry point.
register_network = NETWORKS.add
network_spec = NETWORKS.get  # the spec of a network name; an unknown name lists the known ones
network_names = NETWORKS.names  # every registered network, sorted


def network_catalogue() -> str:
    """`vosbench networks`: every trainable network with its method and training settings."""
    from dataclasses import fields

    from vosbench.methods.options import describe_options
    from vosbench.training.config import TrainConfig

    base = {f.name for f in fields(TrainConfig)}
    lines = []
    names, broken = NETWORKS.available()
    for name in names:
        spec = network_spec(name)
        lines.append(f"{name}: {spec.description}")
        lines.append(f"    runs with: vosbench run --method {spec.method} --set checkpoint=...")
        for option in describe_options(spec.train_config):
            if option.name not in base:
                help_text = f"  {option.help}" if option.help else ""
                lines.append(f"    {option.name} ({option.type}, default {option.default!r}){help_text}")
    return "\n".join(lines + [f"(not loaded) {line}" for line in broken])


def load_network(path: str | Path) -> nn.Module:
    """The network a checkpoint holds (any registered architecture), with its weights, in eval
    mode: ``load_network("runs/main/last.pth")``."""
    from vosbench.checkpoints import load_checkpoint, network_from_checkpoint

    return network_from_checkpoint(load_checkpoint(path), path).eval()
