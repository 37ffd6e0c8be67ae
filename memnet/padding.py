"""Padding frames to a multiple of the network's stride, and removing it again."""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

PaddingMode = Literal["replicate", "zero"]


def pad_to_multiple(
    x: torch.Tensor, multiple: int = 16, mode: PaddingMode = "replicate"
) -> tuple[torch.Tensor, tuple[int, int, int, int]]:
    """Pad the last two dims to multiples, half on each side, replicating the border (or with
    zeros, as STM's official code); returns the pad (l, r, t, b)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    pad = (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)
    if ph == 0 and pw == 0:
        return x, pad
    return (F.pad(x, pad, mode="replicate") if mode == "replicate" else F.pad(x, pad)), pad


def zero_border(x: torch.Tensor, pad: tuple[int, int, int, int]) -> torch.Tensor:
    """``x`` with its padding set to 0: the unpadded values, zero-padded again."""
    return F.pad(unpad(x, pad), pad)


def unpad(x: torch.Tensor, pad: tuple[int, int, int, int]) -> torch.Tensor:
    """Remove :func:`pad_to_multiple`'s padding from the last two dims."""
    left, right, top, bottom = pad
    h, w = x.shape[-2:]
    return x[..., top : h - bottom, left : w - right]
