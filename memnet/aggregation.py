"""From a decoder's logits to probabilities: each object's foreground, then soft aggregation of
the objects into one distribution (STM's)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

EPS = 1e-7


def soft_aggregate(foreground: torch.Tensor, slots: int = 0) -> torch.Tensor:
    """(K, H, W) per-object probabilities -> (K+1, H, W) probabilities, background first.

    Background is ``prod(1 - p_k)``; each probability becomes odds ``p / (1 - p)`` and the
    normalised odds are the merged distribution (a softmax over the logits). With ``slots``
    (STM's official evaluation: 11), the softmax also runs over the empty object slots up to
    that many channels, each of probability ``EPS``, as that code does; they are not returned.
    """
    background = torch.prod(1 - foreground, dim=0, keepdim=True)
    empty = foreground.new_zeros((max(0, slots - 1 - len(foreground)), *foreground.shape[1:]))
    probs = torch.cat([background, foreground, empty], dim=0).clamp(EPS, 1 - EPS)
    logits = torch.log(probs / (1 - probs))
    return torch.softmax(logits, dim=0)[: len(foreground) + 1]


def foreground_probability(logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """2-channel logits at 1/4 scale -> foreground probability (K, H, W) at ``size``."""
    up = F.interpolate(logits.float(), size=size, mode="bilinear", align_corners=False)
    return torch.softmax(up, dim=1)[:, 1]
