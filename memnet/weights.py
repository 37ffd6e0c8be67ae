"""Weights of the memory networks: torchvision's ImageNet backbones from the
local torch cache, backbone files, and their checkpoints (vosbench's format:
:mod:`vosbench.checkpoints`).

ImageNet weights go through torchvision's weights API: it downloads the file into
``torch.hub.get_dir()/checkpoints`` on first use, with its progress bar and hash check, and
reads it from there afterwards. Only when that fails (no network, a proxy, a corrupt file)
does a clear message say where to put the file by hand, or to start from random weights.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torchvision.models import MobileNet_V2_Weights, ResNet18_Weights, ResNet50_Weights, WeightsEnum

from memnet.backbone import check_backbone
from memnet.weight_layouts import check_backbone_state, is_tonylins_layout, tonylins_to_torchvision
from vosbench.checkpoints import first_line, load_checkpoint, load_state_dict, network_from_checkpoint
from vosbench.errors import VosbenchError
from vosbench.networks import network_spec


def cached_weights_path(weights: WeightsEnum) -> Path:
    """Where torchvision keeps ``weights`` once downloaded."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)


def imagenet_weights(weights: WeightsEnum) -> dict[str, torch.Tensor]:
    """The state dict of ``weights``: downloaded by torchvision (progress bar, hash checked) or
    read from the torch cache; a clear error naming the file and the fix when neither works."""
    path = cached_weights_path(weights)
    cached = path.is_file()
    try:
        return weights.get_state_dict(progress=True, check_hash=True, weights_only=True)
    except Exception as exc:  # URLError, HTTPError, a hash mismatch, a corrupt file...
        what = "could not be read" if cached else "could not be downloaded"
        raise VosbenchError(
            f"ImageNet weights {weights} {what} ({first_line(exc)}): put the file from {weights.url} at "
            f"{path}, or use --set init=random (train: --backbone-init random) to start from random weights"
        ) from None


RESNET50 = ResNet50_Weights.IMAGENET1K_V1
RESNET18 = ResNet18_Weights.IMAGENET1K_V1
MOBILENETV2 = MobileNet_V2_Weights.IMAGENET1K_V1
# backbone -> ImageNet weights of (the image network, the mask network)
IMAGENET = {"resnet50": (RESNET50, RESNET18), "mobilenetv2": (MOBILENETV2, MOBILENETV2)}


def backbone_weights(backbone: str, init: str = "imagenet", path: str | Path = "") -> tuple[Any, Any]:
    """Weights for (the image network, the mask network) of ``backbone``.

    ``path``: a file of the image network's weights (torchvision's layout, or for MobileNetV2
    also tonylins/pytorch-mobilenet-v2's); the mask network takes it too where it is the same
    network (MobileNetV2), else follows ``init``. Otherwise ImageNet (``init="imagenet"``) or
    random (``"random"``).
    """
    check_backbone(backbone)
    image_net, mask_net = IMAGENET[backbone]
    if path:
        state = read_backbone_file(path, backbone)
        if backbone == "mobilenetv2":  # one network for images and masks
            return state, state
        return state, (imagenet_weights(mask_net) if init != "random" else None)
    if init == "random":
        return None, None
    image = imagenet_weights(image_net)
    return image, (image if mask_net == image_net else imagenet_weights(mask_net))  # read once


def read_backbone_file(path: str | Path, backbone: str) -> dict[str, torch.Tensor]:
    """A backbone's weights file as a state dict in torchvision's layout (converted if needed)."""
    path = Path(path)
    state = load_state_dict(path, "backbone weights file")
    try:
        if backbone == "mobilenetv2" and is_tonylins_layout(state):
            state = tonylins_to_torchvision(state)
        check_backbone_state(state, backbone)
    except ValueError as exc:
        raise VosbenchError(f"{path}: {exc}") from None
    return state


def _fresh(
    architecture: str,
    weights: tuple[Any, Any],
    settings: Mapping[str, Any],
    backbone: str,
    variant: str = "",
    width: float = 1.0,
) -> torch.nn.Module:
    """A new network of ``architecture`` (its default config with ``settings`` and
    ``backbone``; with ``variant="official"`` its config's ``official()``) starting from
    ``weights`` (image network, mask network)."""
    spec = network_spec(architecture)
    make = spec.config
    if variant == "official":
        make = getattr(spec.config, "official", None)
        if make is None:
            raise VosbenchError(f"{architecture}: no official variant")
    try:
        config = make(**settings, backbone=backbone)
        if width != 1.0:
            if not hasattr(config, "narrowed"):
                raise ValueError(f"its config cannot be narrowed (width={width})")
            config = config.narrowed(width)
        return spec.network(config, weights)
    except (TypeError, ValueError) as exc:
        raise VosbenchError(f"{architecture}: {exc}") from None


def load_model(
    architecture: str,
    checkpoint: str | Path = "",
    settings: Mapping[str, Any] | None = None,
    init: str = "imagenet",
    backbone: str = "",
    backbone_file: str | Path = "",
    variant: str = "",
    width: float = 1.0,
) -> torch.nn.Module:
    """A memory network (any registered network whose config has a ``backbone``) with its
    weights: a checkpoint, ImageNet backbones, or random (when asked).

    ``settings``: fields of the network's config that the caller chooses (SITVOS's ``fim``).
    A checkpoint fixes the architecture, the backbone and its config; asking for another
    architecture, backbone or setting than it was trained with is an error rather than a
    silent switch (its ``variant`` is its network; another one only changes how inference
    pads and aggregates). Without a checkpoint, ``backbone`` ("" = ``resnet50``) starts from
    ImageNet (``init``), from random weights, or from ``backbone_file``, as the ``variant``'s
    network ("official": the authors' code's).
    """
    settings = dict(settings or {})
    if checkpoint:
        payload = load_checkpoint(checkpoint)
        saved = payload["architecture"]
        if saved != architecture:
            raise VosbenchError(f"{checkpoint}: a {saved} checkpoint, but a {architecture} model was asked")
        trained = payload["config"]
        for name, value in settings.items():
            if trained.get(name, value) != value:
                raise VosbenchError(
                    f"{checkpoint}: trained with {name}={trained[name]}, but {name}={value} was asked"
                )
        trained_on = trained.get("backbone", "resnet50")
        if backbone and backbone != trained_on:
            raise VosbenchError(f"{checkpoint}: a {trained_on} backbone, but backbone={backbone} was asked")
        return network_from_checkpoint({**payload, "architecture": saved}, checkpoint)
    backbone = backbone or "resnet50"
    weights = backbone_weights(backbone, init, backbone_file)
    return _fresh(architecture, weights, settings, backbone, variant, width)
