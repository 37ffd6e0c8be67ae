"""Weights: torchvision's ImageNet backbones from the local torch cache, and SITVOS checkpoints.

torchvision's weights API downloads into ``torch.hub.get_dir()/checkpoints`` on first use.
Here nothing may be downloaded at run time, so the file is looked up first and, when it is
missing, a clear message says where to put it (the real code path runs when it is there).
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torchvision.models import ResNet18_Weights, ResNet50_Weights, WeightsEnum

from vosbench.errors import VosbenchError

CHECKPOINT_FORMAT = 1


def cached_weights_path(weights: WeightsEnum) -> Path:
    """Where torchvision keeps ``weights`` once downloaded."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)


def imagenet_weights(weights: WeightsEnum) -> WeightsEnum:
    """``weights`` if its file is in the local torch cache; otherwise a clear error."""
    path = cached_weights_path(weights)
    if not path.is_file():
        raise VosbenchError(
            f"ImageNet weights {weights} not found at {path} (no download here): copy the file from "
            f"{weights.url} there, or use --set init=random to start from random weights"
        )
    return weights


RESNET50 = ResNet50_Weights.IMAGENET1K_V1
RESNET18 = ResNet18_Weights.IMAGENET1K_V1


ARCHITECTURES = ("sitvos", "stm")


def _build(architecture: str, config: dict | None, pretrained: bool, fim: bool):
    """A network of ``architecture`` from its config (a checkpoint's) or the defaults."""
    image_weights = imagenet_weights(RESNET50) if pretrained else None
    if architecture == "stm":
        from baselines.stm.model import STM, STMConfig

        return STM(STMConfig(**(config or {})), image_weights, image_weights)
    from sitvos.model import SITVOS, ModelConfig

    mask_weights = imagenet_weights(RESNET18) if pretrained else None
    return SITVOS(ModelConfig(**config) if config else ModelConfig(fim=fim), image_weights, mask_weights)


def load_model(
    checkpoint: str | Path = "", fim: bool = True, init: str = "imagenet", architecture: str = "sitvos"
):
    """The network with its weights: a checkpoint, ImageNet backbones, or random (when asked).

    A checkpoint fixes the architecture; asking for another one, or another ``fim`` than
    it was trained with, is an error rather than a silent switch.
    """
    if architecture not in ARCHITECTURES:
        raise VosbenchError(
            f"unknown architecture {architecture!r}; expected one of {', '.join(ARCHITECTURES)}"
        )
    if checkpoint:
        payload = load_checkpoint(checkpoint)
        saved = payload.get("architecture", "sitvos")
        if saved != architecture:
            raise VosbenchError(f"{checkpoint}: a {saved} checkpoint, but a {architecture} model was asked")
        if architecture == "sitvos" and payload["config"].get("fim", True) != fim:
            raise VosbenchError(
                f"{checkpoint}: trained with fim={payload['config']['fim']}, but fim={fim} was asked"
            )
        model = _build(architecture, payload["config"], pretrained=False, fim=fim)
        model.load_state_dict(payload["model"])
        return model
    return _build(architecture, None, pretrained=init != "random", fim=fim)


def save_checkpoint(path: str | Path, model: torch.nn.Module, config: Any, extra: dict | None = None) -> None:
    """Save a checkpoint (architecture, model config, state dict), atomically."""
    from vosbench.io.atomic import atomic_path

    payload = {
        "format": CHECKPOINT_FORMAT,
        "architecture": model.architecture,
        "config": asdict(config),
        "model": model.state_dict(),
        **(extra or {}),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint safely (``weights_only=True``: tensors and plain containers only)."""
    path = Path(path)
    if not path.is_file():
        raise VosbenchError(f"{path}: checkpoint not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise VosbenchError(f"{path}: not a readable SITVOS checkpoint ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT or "model" not in payload:
        raise VosbenchError(
            f"{path}: not a SITVOS checkpoint (expected keys format={CHECKPOINT_FORMAT}, config, model)"
        )
    return payload
