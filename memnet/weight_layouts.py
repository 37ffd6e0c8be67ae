"""Layouts of backbone weight files: the tonylins/pytorch-mobilenet-v2 layout to torchvision's.

The one ImageNet MobileNetV2 reachable offline (``../shared/weights``) is saved in the layout
of github tonylins/pytorch-mobilenet-v2, whose inverted-residual blocks hold their layers in
one flat ``conv`` sequence (convolution, norm, ReLU6, ...), where torchvision nests each
convolution with its norm (``Conv2dNormActivation``). The tensors are the same; only their
names differ, so the conversion is a renaming, checked tensor by tensor against torchvision's
network.
"""

from __future__ import annotations

import re

import torch

from vosbench.checkpoints import state_problems

# flat index in a tonylins block -> torchvision's name inside the block's ``conv``
_EXPAND_BLOCK = {0: "0.0", 1: "0.1", 3: "1.0", 4: "1.1", 6: "2", 7: "3"}  # 1x1, depthwise, 1x1
_PLAIN_BLOCK = {0: "0.0", 1: "0.1", 3: "1", 4: "2"}  # expansion 1: depthwise, 1x1
_BLOCK_KEY = re.compile(r"^features\.(\d+)\.conv\.(\d+)\.(.+)$")


def is_tonylins_layout(state: dict[str, torch.Tensor]) -> bool:
    """Whether ``state`` names MobileNetV2's block layers flat (``features.N.conv.7.weight``)."""
    return any(_BLOCK_KEY.match(k) and k.split(".")[3] in ("3", "4", "6", "7") for k in state) and not any(
        k.startswith("features.1.conv.0.0.") for k in state
    )


def tonylins_to_torchvision(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a tonylins MobileNetV2 state dict to torchvision's ``mobilenet_v2()`` names.

    Raises ``ValueError`` naming every key it cannot place.
    """
    layers: dict[int, set[int]] = {}
    for key in state:
        match = _BLOCK_KEY.match(key)
        if match:
            layers.setdefault(int(match[1]), set()).add(int(match[2]))
    out: dict[str, torch.Tensor] = {}
    unplaced = []
    for key, tensor in state.items():
        match = _BLOCK_KEY.match(key)
        if match is None:
            if key.startswith(("features.0.", "features.18.", "classifier.")):
                out[key] = tensor  # the first and last convolutions are named alike
            else:
                unplaced.append(key)
            continue
        block, index, rest = int(match[1]), int(match[2]), match[3]
        table = _EXPAND_BLOCK if 6 in layers[block] else _PLAIN_BLOCK
        if index not in table:
            unplaced.append(key)
            continue
        out[f"features.{block}.conv.{table[index]}.{rest}"] = tensor
    if unplaced:
        raise ValueError(f"{len(unplaced)} tensors have no place in MobileNetV2: {', '.join(unplaced[:5])}")
    return out


def check_backbone_state(state: dict[str, torch.Tensor], backbone: str) -> None:
    """Every tensor of ``backbone``'s torchvision network is in ``state`` with its shape, and
    nothing else is (the classifier may be missing); otherwise a ``ValueError`` listing them."""
    from torchvision.models import mobilenet_v2, resnet50

    reference = (mobilenet_v2() if backbone == "mobilenetv2" else resnet50()).state_dict()
    problems = state_problems(reference, state, optional=("classifier.", "fc."))
    if problems:
        raise ValueError(f"not {backbone} weights in torchvision's layout; " + "; ".join(problems))
