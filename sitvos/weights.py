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


def load_model(checkpoint: str | Path = "", fim: bool = True, init: str = "imagenet"):
    """The network with its weights: a checkpoint, ImageNet backbones, or random (when asked).

    A checkpoint fixes the architecture; asking for another ``fim`` than it was trained
    with is an error rather than a silent switch.
    """
    from sitvos.model import SITVOS, ModelConfig

    if checkpoint:
        payload = load_checkpoint(checkpoint)
        config = ModelConfig(**payload["config"])
        if config.fim != fim:
            raise VosbenchError(f"{checkpoint}: trained with fim={config.fim}, but fim={fim} was asked")
        model = SITVOS(config)
        model.load_state_dict(payload["model"])
        return model
    config = ModelConfig(fim=fim)
    if init == "random":
        return SITVOS(config)
    return SITVOS(config, image_weights=imagenet_weights(RESNET50), mask_weights=imagenet_weights(RESNET18))


def save_checkpoint(path: str | Path, model: torch.nn.Module, config: Any, extra: dict | None = None) -> None:
    """Save a SITVOS checkpoint (state dict + model config), atomically."""
    from vosbench.io.atomic import atomic_path

    payload = {
        "format": CHECKPOINT_FORMAT,
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
