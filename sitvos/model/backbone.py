"""ResNet feature extractors: the Siamese image encoder and the light-weight mask encoder.

Both are torchvision ResNets cut after their third stage (``layer3``, stride 16), with
frozen batch norm (the paper keeps the ImageNet statistics during training).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torchvision.models import resnet18, resnet50
from torchvision.ops.misc import FrozenBatchNorm2d

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class ImageFeatures:
    """Backbone outputs of a batch of frames: stride 16 (1024 ch), 8 (512 ch) and 4 (256 ch)."""

    r4: torch.Tensor
    r3: torch.Tensor
    r2: torch.Tensor

    def frame(self, index: int) -> ImageFeatures:
        """The features of frame ``index`` of the batch (batch size 1)."""
        i = slice(index, index + 1)
        return ImageFeatures(r4=self.r4[i], r3=self.r3[i], r2=self.r2[i])


class ImageEncoder(nn.Module):
    """ResNet-50 up to ``layer3``; takes RGB in [0, 1] and normalises inside.

    With ``mask_channels`` (STM's memory encoder) a second first-layer convolution takes
    the masks and its output is added to the RGB one's, as STM feeds frame and masks.
    """

    def __init__(self, weights=None, mask_channels: int = 0) -> None:
        super().__init__()
        net = resnet50(weights=weights, norm_layer=FrozenBatchNorm2d)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3 = net.layer1, net.layer2, net.layer3
        self.mask_conv = (
            nn.Conv2d(mask_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
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
    """ResNet-18 on a one-channel mask, up to ``layer3`` (stride 16, 256 channels).

    With ImageNet weights, the first convolution's kernel is the sum of the RGB kernels,
    so the pretrained filters still respond to a mask's edges.
    """

    def __init__(self, weights=None) -> None:
        super().__init__()
        net = resnet18(weights=weights, norm_layer=FrozenBatchNorm2d)
        conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        with torch.no_grad():
            conv1.weight.copy_(net.conv1.weight.sum(dim=1, keepdim=True))
        self.stem = nn.Sequential(conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3 = net.layer1, net.layer2, net.layer3

    def forward(self, masks: torch.Tensor) -> torch.Tensor:
        return self.layer3(self.layer2(self.layer1(self.stem(masks))))
