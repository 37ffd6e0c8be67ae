"""Per-frame steps every memory network's inference core shares.

A frame goes to the network resized (optionally) and padded to a multiple of 16; given
masks are resized and padded the same way and pasted into the objects' probabilities; the
merged probabilities come back unpadded and at full size as an object-id label map.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from memnet.padding import PaddingMode, pad_to_multiple, unpad
from vosbench.methods import GivenMasks


def network_size(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """(H, W) scaled so that the shorter side is at most ``limit`` (0: unchanged)."""
    h, w = size
    if not limit or min(h, w) <= limit:
        return size
    scale = limit / min(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


@dataclass
class NetworkFrame:
    """A frame as the network sees it, and how to map its output back."""

    image: torch.Tensor  # (1, 3, Hp, Wp), RGB in [0, 1]
    labels: torch.Tensor | None  # (Hp, Wp) uint8: the given masks, when there are any
    pad: tuple[int, int, int, int]
    inner: tuple[int, int]  # the size before padding
    full: tuple[int, int]  # the video's size

    @property
    def size(self) -> tuple[int, int]:
        return tuple(self.image.shape[-2:])  # type: ignore[return-value]


def network_frame(
    image: np.ndarray,
    given: GivenMasks | None,
    limit: int,
    device: str,
    channels_last: bool = False,
    padding: PaddingMode = "replicate",
) -> NetworkFrame:
    """Resize (shorter side at most ``limit``, 0: full size) and pad a frame and its given masks
    alike (the border replicated, or zeros)."""
    full = image.shape[:2]
    frame = torch.from_numpy(image).to(device).permute(2, 0, 1)[None].float().div_(255)
    inner = network_size(full, limit)
    labels_np = given.labels if given is not None else None
    if inner != full:
        frame = F.interpolate(frame, inner, mode="bilinear", antialias=True, align_corners=False)
        if labels_np is not None:
            labels_np = cv2.resize(labels_np, inner[::-1], interpolation=cv2.INTER_NEAREST)
    frame, pad = pad_to_multiple(frame, 16, padding)
    if channels_last:
        frame = frame.contiguous(memory_format=torch.channels_last)
    labels = None
    if labels_np is not None:
        padded, _ = pad_to_multiple(torch.from_numpy(labels_np).to(device)[None, None].float(), 16, padding)
        labels = padded[0, 0].round().to(torch.uint8)
    return NetworkFrame(frame, labels, pad, inner, full)


def add_objects(
    foreground: torch.Tensor, ids: list[int], given_ids: tuple[int, ...]
) -> tuple[torch.Tensor, list[int]]:
    """Objects given for the first time join ``ids`` (in place) with an empty channel at the end
    of ``foreground`` (K, H, W); returns the widened foreground and the new ids."""
    new_ids = [i for i in given_ids if i not in ids]
    if new_ids:
        zeros = torch.zeros((len(new_ids), *foreground.shape[-2:]), device=foreground.device)
        foreground = torch.cat([foreground, zeros])
        ids.extend(new_ids)
    return foreground, new_ids


def paste_given(
    foreground: torch.Tensor, labels: torch.Tensor, given_ids: tuple[int, ...], ids: list[int]
) -> torch.Tensor:
    """Given masks replace the prediction: 1 inside for their object, 0 there for the others."""
    inside = torch.isin(labels, torch.tensor(given_ids, dtype=torch.uint8, device=labels.device))
    foreground = foreground.float().masked_fill(inside, 0.0)
    for obj in given_ids:
        foreground[ids.index(obj)][labels == obj] = 1.0
    return foreground


def label_map(probs: torch.Tensor, frame: NetworkFrame, ids: list[int]) -> np.ndarray:
    """Merged probabilities (K+1, Hp, Wp) -> object ids (H, W) at the video's size."""
    probs = unpad(probs, frame.pad)
    if frame.inner != frame.full:  # probabilities, not labels, are resized: smoother edges
        probs = F.interpolate(probs[None].float(), frame.full, mode="bilinear", align_corners=False)[0]
    table = torch.tensor([0, *ids], dtype=torch.uint8, device=probs.device)
    return table[probs.argmax(0)].cpu().numpy()
