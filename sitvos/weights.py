"""Weights: torchvision's ImageNet backbones from the local torch cache, backbone files, and
checkpoints of SITVOS and STM.

ImageNet weights go through torchvision's weights API: it downloads the file into
``torch.hub.get_dir()/checkpoints`` on first use, with its progress bar and hash check, and
reads it from there afterwards. Only when that fails (no network, a proxy, a corrupt file)
does a clear message say where to put the file by hand, or to start from random weights.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torchvision.models import MobileNet_V2_Weights, ResNet18_Weights, ResNet50_Weights, WeightsEnum

from sitvos.model.backbone import check_backbone
from sitvos.weight_layouts import (
    check_backbone_state,
    is_tonylins_layout,
    state_problems,
    tonylins_to_torchvision,
)
from vosbench.errors import VosbenchError

CHECKPOINT_FORMAT = 1


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
            f"ImageNet weights {weights} {what} ({_first_line(exc)}): put the file from {weights.url} at "
            f"{path}, or use --set init=random (train: --backbone-init random) to start from random weights"
        ) from None


RESNET50 = ResNet50_Weights.IMAGENET1K_V1
RESNET18 = ResNet18_Weights.IMAGENET1K_V1
MOBILENETV2 = MobileNet_V2_Weights.IMAGENET1K_V1
# backbone -> ImageNet weights of (the image network, the mask network)
IMAGENET = {"resnet50": (RESNET50, RESNET18), "mobilenetv2": (MOBILENETV2, MOBILENETV2)}


ARCHITECTURES = ("sitvos", "stm")


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


def load_tensors(path: Path, what: str) -> Any:
    """``torch.load`` with ``weights_only=True`` (tensors and plain containers, never code); any
    failure is one line naming the file."""
    if not path.is_file():
        raise VosbenchError(f"{path}: {what} not found")
    if path.stat().st_size == 0:
        raise VosbenchError(f"{path}: an empty file, expected a {what}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights_only" in str(exc):  # torch refused objects other than tensors: say so briefly
            raise VosbenchError(f"{path}: not a weights-only {what}; vosbench loads only tensors") from None
        raise VosbenchError(f"{path}: not a readable {what} ({_first_line(exc)})") from None
    except Exception as exc:
        raise VosbenchError(f"{path}: not a readable {what} ({_first_line(exc)})") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_backbone_file(path: str | Path, backbone: str) -> dict[str, torch.Tensor]:
    """A backbone's weights file as a state dict in torchvision's layout (converted if needed)."""
    path = Path(path)
    state = load_tensors(path, "backbone weights file")
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise VosbenchError(f"{path}: expected a state dict (parameter name -> tensor)")
    state = {k.removeprefix("module."): v for k, v in state.items()}
    try:
        if backbone == "mobilenetv2" and is_tonylins_layout(state):
            state = tonylins_to_torchvision(state)
        check_backbone_state(state, backbone)
    except ValueError as exc:
        raise VosbenchError(f"{path}: {exc}") from None
    return state


def _build(architecture: str, config: dict | None, weights: tuple[Any, Any], fim: bool, backbone: str):
    """A network of ``architecture`` from its config (a checkpoint's) or the defaults."""
    image_weights, mask_weights = weights
    try:
        if architecture == "stm":
            from baselines.stm.model import STM, STMConfig

            stm_config = STMConfig(**config) if config else STMConfig(backbone=backbone)
            return STM(stm_config, image_weights, image_weights)
        from sitvos.model import SITVOS, ModelConfig

        sitvos_config = ModelConfig(**config) if config else ModelConfig(fim=fim, backbone=backbone)
        return SITVOS(sitvos_config, image_weights, mask_weights)
    except (TypeError, ValueError) as exc:
        raise VosbenchError(f"{architecture}: {exc}") from None


def load_model(
    checkpoint: str | Path = "",
    fim: bool = True,
    init: str = "imagenet",
    architecture: str = "sitvos",
    backbone: str = "",
    backbone_file: str | Path = "",
):
    """The network with its weights: a checkpoint, ImageNet backbones, or random (when asked).

    A checkpoint fixes the architecture and the backbone; asking for another one, or another
    ``fim`` than it was trained with, is an error rather than a silent switch. Without a
    checkpoint, ``backbone`` ("" = ``resnet50``) starts from ImageNet (``init``), from random
    weights, or from ``backbone_file``.
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
        trained_on = payload["config"].get("backbone", "resnet50")
        if backbone and backbone != trained_on:
            raise VosbenchError(f"{checkpoint}: a {trained_on} backbone, but backbone={backbone} was asked")
        try:
            model = _build(architecture, payload["config"], (None, None), fim, trained_on)
        except VosbenchError as exc:
            raise VosbenchError(f"{checkpoint}: config: {exc}") from None
        problems = state_problems(model.state_dict(), payload["model"])
        if problems:
            raise VosbenchError(
                f"{checkpoint}: weights do not fit the {architecture} network: " + "; ".join(problems)
            )
        model.load_state_dict(payload["model"])
        return model
    backbone = backbone or "resnet50"
    return _build(architecture, None, backbone_weights(backbone, init, backbone_file), fim, backbone)


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
    payload = load_tensors(path, "checkpoint")
    expected = f"expected a dict with format={CHECKPOINT_FORMAT}, architecture, config and model"
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise VosbenchError(f"{path}: not a vosbench checkpoint ({expected}; `vosbench train` writes them)")
    for key, kind in (("config", dict), ("model", dict)):
        if not isinstance(payload.get(key), kind):
            raise VosbenchError(f"{path}: no {key} in the checkpoint ({expected})")
    return payload
