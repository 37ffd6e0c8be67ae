"""Normalisation statistics for backbones that start from random weights.

The backbones keep batch norm frozen (the paper keeps ImageNet's statistics). Started from
random weights, a frozen batch norm holds mean 0 and variance 1, so it normalises nothing:
activations grow through the residual stages (ResNet-50's ``layer3`` reaches a standard
deviation near 20 on [0, 1] images), the attention saturates and training barely moves.
:func:`calibrate_frozen_norms` gives each frozen batch norm the statistics of its input on
one batch, layer by layer in forward order, as data-dependent initialisation does; the
statistics then stay frozen, as with ImageNet's.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torchvision.ops.misc import FrozenBatchNorm2d


def calibrate_frozen_norms(model: nn.Module, forward: Callable[[], object]) -> int:
    """Set every frozen batch norm's statistics from its input during ``forward()``.

    Each layer takes the per-channel mean and variance of the first input it sees; the
    layers after it then see normalised inputs. Returns the number of layers set.
    """
    norms = [m for m in model.modules() if isinstance(m, FrozenBatchNorm2d)]
    done: set[int] = set()

    def set_statistics(module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        if id(module) in done:
            return
        x = inputs[0].detach().float()
        module.running_mean.copy_(x.mean(dim=(0, 2, 3)))
        module.running_var.copy_(x.var(dim=(0, 2, 3), unbiased=False))
        done.add(id(module))

    handles = [m.register_forward_pre_hook(set_statistics) for m in norms]
    try:
        with torch.no_grad():
            forward()
    finally:
        for handle in handles:
            handle.remove()
    return len(done)
