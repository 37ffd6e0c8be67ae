"""The segmentation decoder: a residual block and two refinement modules (as STM's).

Shared with other memory networks (STM uses the same blocks).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ResBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (pre-activation)."""

    def __init__(self, in_channels: int, out_channels: int | None = None) -> None:
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = (
            nn.Conv2d(in_channels, out_channels, 3, padding=1) if in_channels != out_channels else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.conv2(F.relu(self.conv1(F.relu(x))))
        return (x if self.skip is None else self.skip(x)) + r


class Refine(nn.Module):
    """Upsample by 2 and fuse the backbone feature of that scale (skip connection)."""

    def __init__(self, skip_channels: int, channels: int = 256) -> None:
        super().__init__()
        self.skip_conv = nn.Conv2d(skip_channels, channels, 3, padding=1)
        self.skip_res = ResBlock(channels)
        self.merge_res = ResBlock(channels)

    def forward(self, skip: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``skip`` (1 or K, ...) is broadcast over the K objects of ``x``: computed once."""
        s = self.skip_res(self.skip_conv(skip))
        return self.merge_res(s + F.interpolate(x, size=s.shape[-2:], mode="bilinear", align_corners=False))


class Decoder(nn.Module):
    """``T_out`` (K, C, h, w) + skips -> 2-channel logits at 1/4 scale (K, 2, 4h, 4w)."""

    def __init__(
        self, in_channels: int = 256, channels: int = 256, skip_channels: tuple[int, int] = (512, 256)
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.res = ResBlock(channels)
        self.refine3 = Refine(skip_channels[0], channels)  # stride 8
        self.refine2 = Refine(skip_channels[1], channels)  # stride 4
        self.pred = nn.Conv2d(channels, 2, 3, padding=1)

    def forward(self, x: torch.Tensor, r3: torch.Tensor, r2: torch.Tensor) -> torch.Tensor:
        x = self.res(self.conv(x))
        x = self.refine3(r3, x)
        x = self.refine2(r2, x)
        return self.pred(F.relu(x))
