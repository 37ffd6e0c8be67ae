"""SITVOS as a vosbench method: the inference core that owns the memory (as Cutie's).

Per frame: the backbone runs once (its key is kept if the frame enters memory, so a
memory frame is never encoded twice), the memory is read through the interactive
transformer for all objects at once, the decoder's per-object probabilities are merged by
soft aggregation, and, when the memory policy keeps the frame, the mask encoder embeds the
merged probabilities. ``M_SA`` (the memory's self-attention) is reused while the set of
memory frames is unchanged.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from sitvos.memory import MemoryBank, MemoryPolicy
from sitvos.model.aggregation import soft_aggregate
from sitvos.model.network import foreground_probability
from sitvos.model.padding import pad_to_multiple, unpad
from sitvos.weights import load_model
from vosbench.methods import GivenMasks, Method, VideoInfo


@dataclass(frozen=True)
class SITVOSOptions:
    memory: Literal["first", "previous", "first-previous", "every", "fixed"] = field(
        default="fixed", metadata={"help": "memory strategy (paper Table 4)"}
    )
    n: int = field(default=7, metadata={"help": "fixed: most frames in memory"})
    k: int = field(default=12, metadata={"help": "every: keep every k-th frame"})
    fim: bool = field(default=True, metadata={"help": "feature interaction module (false: Table 3 ablation)"})
    checkpoint: str = field(default="", metadata={"help": "a SITVOS checkpoint (.pth) from `sitvos train`"})
    init: Literal["imagenet", "random"] = field(
        default="imagenet",
        metadata={"help": "without a checkpoint: ImageNet backbones (from the torch cache) or random"},
    )
    precision: Literal["auto", "fp32", "bf16"] = field(
        default="auto", metadata={"help": "auto: bf16 autocast on CUDA, fp32 on CPU"}
    )
    size: int = field(
        default=0,
        metadata={"help": "network input: shorter side at most this (0: full size); masks are full size"},
    )

    def __post_init__(self) -> None:
        MemoryPolicy(self.memory, self.n, self.k)  # validates n and k
        if self.size and self.size < 32:
            raise ValueError(f"size must be 0 (full size) or at least 32, got {self.size}")


def network_size(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """(H, W) scaled so that the shorter side is at most ``limit`` (0: unchanged)."""
    h, w = size
    if not limit or min(h, w) <= limit:
        return size
    scale = limit / min(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


class SITVOSMethod(Method):
    """SITVOS (AAAI 2022) with a choice of memory strategy."""

    Options = SITVOSOptions
    description = "SITVOS: Siamese network with interactive transformer (AAAI 2022)"

    def __init__(self, options: SITVOSOptions | None = None, device: str = "cpu") -> None:
        super().__init__(options, device)
        opts = self.options
        self.model = load_model(opts.checkpoint, opts.fim, opts.init).to(device).eval()
        self.cuda = torch.device(device).type == "cuda"
        if self.cuda:
            self.model = self.model.to(memory_format=torch.channels_last)
        precision = self.options.precision
        self.dtype = torch.bfloat16 if (precision == "bf16" or (precision == "auto" and self.cuda)) else None

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=torch.device(self.device).type, dtype=self.dtype)

    def start_video(self, info: VideoInfo) -> None:
        self.info = info
        self.bank = MemoryBank(MemoryPolicy(self.options.memory, self.options.n, self.options.k))
        self.ids: list[int] = []  # object ids, in channel order
        self.t = 0
        self.cached_sa: tuple[int, torch.Tensor] | None = None

    def end_video(self) -> None:
        self.bank = MemoryBank(self.bank.policy)
        self.cached_sa = None

    @torch.inference_mode()
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        t, self.t = self.t, self.t + 1
        frame = torch.from_numpy(image).to(self.device).permute(2, 0, 1)[None].float().div_(255)
        inner = network_size(self.info.size, self.options.size)
        if inner != self.info.size:
            frame = F.interpolate(frame, inner, mode="bilinear", antialias=True, align_corners=False)
            if given is not None:
                given = GivenMasks(
                    cv2.resize(given.labels, inner[::-1], interpolation=cv2.INTER_NEAREST), given.ids
                )
        frame, pad = pad_to_multiple(frame, 16)
        if self.cuda:
            frame = frame.contiguous(memory_format=torch.channels_last)
        size = frame.shape[-2:]
        with self._autocast():
            with self.stage("backbone"):
                query = self.model.encode_image(frame)
            if self.ids and len(self.bank):
                foreground = self._read_memory(query, size)
            else:
                foreground = torch.zeros((len(self.ids), *size), device=self.device)
            new_ids = [i for i in (given.ids if given else ()) if i not in self.ids]
            if given is not None:
                foreground = self._paste_given(foreground, given, new_ids, pad)
            probs = soft_aggregate(foreground) if self.ids else None
            anchor = bool(given)
            if probs is not None and self.bank.policy.wants(t, anchor):
                with self.stage("mask encoder"):
                    embeddings = self.model.encode_masks(probs[1:, None])
                self.bank.add(t, query.key, embeddings, anchor)
        if probs is None:
            return np.zeros(self.info.size, np.uint8)
        probs = unpad(probs, pad)
        if inner != self.info.size:  # probabilities, not labels, are resized: smoother edges
            probs = F.interpolate(probs[None].float(), self.info.size, mode="bilinear", align_corners=False)[
                0
            ]
        table = torch.tensor([0, *self.ids], dtype=torch.uint8, device=probs.device)
        return table[probs.argmax(0)].cpu().numpy()

    def _read_memory(self, query, size) -> torch.Tensor:
        keys, masks = self.bank.read()
        with self.stage("transformer"):
            if self.cached_sa is None or self.cached_sa[0] != self.bank.version:
                self.cached_sa = (self.bank.version, self.model.encode_memory(keys))
            t_map = self.model.read(query, keys, masks, self.cached_sa[1])
        with self.stage("decoder"):
            return foreground_probability(self.model.decode(t_map, query), tuple(size))

    def _paste_given(
        self, foreground: torch.Tensor, given: GivenMasks, new_ids: list[int], pad
    ) -> torch.Tensor:
        """Given masks replace the prediction: 1 inside, and other objects 0 there."""
        labels = torch.from_numpy(given.labels).to(self.device)
        labels, _ = pad_to_multiple(labels[None, None].float(), 16)
        labels = labels[0, 0].round().to(torch.uint8)
        if new_ids:
            size = foreground.shape[-2:]
            foreground = torch.cat([foreground, torch.zeros((len(new_ids), *size), device=foreground.device)])
            if len(self.bank):
                with self.stage("mask encoder"):
                    empty = self.model.encode_masks(torch.zeros((len(new_ids), 1, *size), device=self.device))
                self.bank.add_objects(empty)
            self.ids.extend(new_ids)
        inside = torch.isin(labels, torch.tensor(given.ids, dtype=torch.uint8, device=labels.device))
        foreground = foreground.float().masked_fill(inside, 0.0)
        for obj in given.ids:
            channel = self.ids.index(obj)
            foreground[channel][labels == obj] = 1.0
        return foreground
