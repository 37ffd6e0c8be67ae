"""Feature extractors: the Siamese image encoder and the light-weight mask encoder.

Two backbone families, both torchvision networks with frozen batch norm (the paper keeps the
ImageNet statistics during training), both cut at stride 16:

* ``resnet50`` (the paper's): ResNet-50 up to ``layer3`` for images (skips at stride 8 and 4
  from ``layer2`` and ``layer1``), ResNet-18 up to ``layer3`` for masks;
* ``mobilenetv2`` (a documented small-scale variant, for CPU budgets): MobileNetV2's blocks 1
  to 17 for images, the last four run at stride 16 with dilation 2 instead of stride 32 (as
  DeepLab's MobileNet backbones), so the stride-16 feature is the 320-channel one; skips from
  block 6 (stride 8) and block 3 (stride 4). The mask encoder is the same network on one channel.

Every encoder exposes ``stem`` (whose first module is the first convolution), ``layer1``
(to stride 4), ``layer2`` (stride 8) and ``layer3`` (stride 16), so the mask input of STM's
memory encoder and the one-channel mask encoder are built the same way for both.

``weights`` is a torchvision ``WeightsEnum`` (downloaded or taken from the torch cache by
torchvision), a state dict in the torchvision network's layout (a file converted by
:mod:`memnet.weights`), or ``None`` (random).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torchvision.models import mobilenet_v2, resnet18, resnet50
from torchvision.ops.misc import FrozenBatchNorm2d

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

BACKBONES = ("resnet50", "mobilenetv2")
# (stride 4, stride 8, stride 16) channels of the image encoder; the mask encoder's output
CHANNELS = {"resnet50": (256, 512, 1024), "mobilenetv2": (24, 32, 320)}
MASK_CHANNELS = {"resnet50": 256, "mobilenetv2": 320}


class FrozenNorm(FrozenBatchNorm2d):
    """torchvision's frozen batch norm, whose per-channel scale and shift are computed once
    and kept while its four tensors stay as they are (a load, a calibration or a move makes
    new ones), not at every call: the same floats, a third of the small operations of a
    network that runs at a few dozen pixels (the quick scale's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key: tuple = ()
        self._affine: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tensors = (self.weight, self.bias, self.running_var, self.running_mean)
        # the very tensors (held, so that none is mistaken for a new one at its address) at
        # their versions; an inference-mode result may not enter autograd later: kept apart
        key = (torch.is_inference_mode_enabled(), *((t, t._version) for t in tensors))
        if self._affine is None or not _same_key(key, self._key):
            with torch.no_grad():
                w, b, rv, rm = (t.reshape(1, -1, 1, 1) for t in tensors)
                scale = w * (rv + self.eps).rsqrt()  # as torchvision computes them
                self._key, self._affine = key, (scale, b - rm * scale)
        scale, shift = self._affine
        return x * scale + shift


def _same_key(a: tuple, b: tuple) -> bool:
    if len(a) != len(b) or a[0] != b[0]:
        return False
    return all(x is y and u == v for (x, u), (y, v) in zip(a[1:], b[1:], strict=True))


@dataclass
class ImageFeatures:
    """Backbone outputs of a batch of frames at stride 16 (``r4``), 8 (``r3``) and 4 (``r2``)."""

    r4: torch.Tensor
    r3: torch.Tensor
    r2: torch.Tensor

    def frame(self, index: int) -> ImageFeatures:
        """The features of frame ``index`` of the batch (batch size 1)."""
        i = slice(index, index + 1)
        return ImageFeatures(r4=self.r4[i], r3=self.r3[i], r2=self.r2[i])


def check_backbone(name: str) -> str:
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; expected one of {', '.join(BACKBONES)}")
    return name


def _torchvision_net(builder: Any, weights: Any) -> nn.Module:
    """A torchvision network with frozen batch norm from an enum, a state dict or nothing."""
    if weights is None or not isinstance(weights, Mapping):
        return builder(weights=weights, norm_layer=FrozenNorm)
    net = builder(weights=None, norm_layer=FrozenNorm)
    # torch's own report, not a key comparison: frozen batch norm drops num_batches_tracked
    missing, unexpected = net.load_state_dict(weights, strict=False)
    # a backbone file may leave out the classifier, which is cut off anyway
    missing = [k for k in missing if not k.startswith(("fc.", "classifier."))]
    if missing or unexpected:
        raise ValueError(
            f"backbone weights do not fit {type(net).__name__}: "
            f"missing {missing[:3]}{'...' if len(missing) > 3 else ''}, unexpected {unexpected[:3]}"
        )
    return net


def _dilate(blocks: nn.Sequential) -> None:
    """Run ``blocks`` at the stride of their input: the stride-2 depthwise convolution becomes
    stride 1, and it and every later 3x3 convolution dilate by 2 (the receptive field is kept)."""
    for module in blocks.modules():
        if isinstance(module, nn.Conv2d) and module.kernel_size == (3, 3):
            module.stride, module.dilation, module.padding = (1, 1), (2, 2), (2, 2)


def _trunk(backbone: str, weights: Any, image: bool) -> tuple[nn.Sequential, nn.Module, nn.Module, nn.Module]:
    """(stem, layer1, layer2, layer3) of ``backbone``; ``image`` False: the mask encoder's network."""
    if backbone == "resnet50":
        net = _torchvision_net(resnet50 if image else resnet18, weights)
        return nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool), net.layer1, net.layer2, net.layer3
    features = _torchvision_net(mobilenet_v2, weights).features
    stem = nn.Sequential(*features[0])  # conv (stride 2), norm, ReLU6
    layer3 = features[7:18]
    _dilate(features[14:18])
    return stem, features[1:4], features[4:7], layer3


def _single_channel(conv: nn.Conv2d) -> nn.Conv2d:
    """``conv`` taking one channel, its kernel the sum of the RGB kernels, so pretrained filters
    still respond to a mask's edges."""
    one = nn.Conv2d(
        1, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, bias=conv.bias is not None
    )
    with torch.no_grad():
        one.weight.copy_(conv.weight.sum(dim=1, keepdim=True))
        if conv.bias is not None:
            one.bias.copy_(conv.bias)
    return one


class ImageEncoder(nn.Module):
    """The image backbone up to stride 16; takes RGB in [0, 1] and normalises inside.

    With ``mask_channels`` (STM's memory encoder) a second first-layer convolution takes
    the masks and its output is added to the RGB one's, as STM feeds frame and masks.
    """

    def __init__(self, weights: Any = None, mask_channels: int = 0, backbone: str = "resnet50") -> None:
        super().__init__()
        self.backbone = check_backbone(backbone)
        self.stem, self.layer1, self.layer2, self.layer3 = _trunk(backbone, weights, image=True)
        self.channels = CHANNELS[backbone]
        first = self.stem[0]
        self.mask_conv = (
            nn.Conv2d(
                mask_channels, first.out_channels, first.kernel_size, first.stride, first.padding, bias=False
            )
            if mask_channels
            else None
        )
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor, masks: torch.Tensor | None = None) -> ImageFeatures:
        x = (images - self.mean) / self.std
        if self.mask_conv is not None:
            if masks is None:
                raise ValueError("this encoder takes masks with the frames")
            x = self.stem[1:](self.stem[0](x) + self.mask_conv(masks))
        else:
            x = self.stem(x)
        r2 = self.layer1(x)
        r3 = self.layer2(r2)
        return ImageFeatures(r4=self.layer3(r3), r3=r3, r2=r2)


class MaskEncoder(nn.Module):
    """The mask backbone (ResNet-18, or MobileNetV2) on a one-channel mask, up to stride 16.

    With ImageNet weights, the first convolution's kernel is the sum of the RGB kernels.
    """

    def __init__(self, weights: Any = None, backbone: str = "resnet50") -> None:
        super().__init__()
        check_backbone(backbone)
        stem, self.layer1, self.layer2, self.layer3 = _trunk(backbone, weights, image=False)
        self.stem = nn.Sequential(_single_channel(stem[0]), *stem[1:])
        self.channels = MASK_CHANNELS[backbone]

    def forward(self, masks: torch.Tensor) -> torch.Tensor:
        return self.layer3(self.layer2(self.layer1(self.stem(masks))))
