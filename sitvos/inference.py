"""SITVOS as a vosbench method: the inference core that owns the memory (as Cutie's).

Per frame: the backbone runs once (its key is kept if the frame enters memory, so a
memory frame is never encoded twice), the memory is read through the interactive
transformer for all objects at once, the decoder's per-object probabilities are merged by
soft aggregation, and, when the memory policy keeps the frame, the mask encoder embeds the
merged probabilities. ``M_SA`` (the memory's self-attention) is reused while the set of
memory frames is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch

from memnet.aggregation import foreground_probability
from memnet.frames import add_objects, label_map, network_frame, paste_given
from memnet.memory import MemoryBank, MemoryPolicy, Strategy
from memnet.method import NetworkMethod, NetworkOptions
from vosbench.methods import GivenMasks, VideoInfo

if TYPE_CHECKING:
    from sitvos.model.network import FrameEncoding


@dataclass(frozen=True)
class SITVOSOptions(NetworkOptions):
    memory: Literal["", Strategy] = field(
        default="",
        metadata={
            "help": "memory strategy (paper Table 4); '': the network variant's: every k-th frame and the "
            "previous (official, as the authors' eval.py: k=12) or fixed (paper)"
        },
    )
    n: int = field(
        default=7,
        metadata={"help": "fixed: most frames in memory; linspace: frames spread over the video"},
    )
    k: int = field(default=12, metadata={"help": "every: keep every k-th frame"})
    fim: bool = field(default=True, metadata={"help": "feature interaction module (false: Table 3 ablation)"})

    def __post_init__(self) -> None:
        super().__post_init__()
        MemoryPolicy(self.memory or "fixed", self.n, self.k)  # validates n and k


class SITVOSMethod(NetworkMethod):
    """SITVOS (AAAI 2022) with a choice of memory strategy."""

    Options = SITVOSOptions
    description = "SITVOS: Siamese network with interactive transformer (AAAI 2022)"
    architecture = "sitvos"

    def network_settings(self) -> dict[str, Any]:
        return {"fim": self.options.fim}

    @property
    def memory(self) -> Strategy:
        """The memory strategy in effect: the option, or the variant's (official: every k-th
        frame and the previous one, the authors' evaluation schedule)."""
        return self.options.memory or ("every" if self.official else "fixed")

    def start_video(self, info: VideoInfo) -> None:
        self.info = info
        policy = MemoryPolicy(self.memory, self.options.n, self.options.k, length=info.n_frames)
        self.bank = MemoryBank(policy)
        self.ids: list[int] = []  # object ids, in channel order
        self.t = 0
        self.cached_sa: tuple[int, torch.Tensor] | None = None

    def end_video(self) -> None:
        self.bank = MemoryBank(self.bank.policy)
        self.cached_sa = None

    @torch.inference_mode()
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        t, self.t = self.t, self.t + 1
        frame = network_frame(image, given, self.options.size, self.device, self.cuda, self.padding)
        size = frame.size
        with self._autocast():
            with self.stage("backbone"):
                query = self.model.encode_image(frame.image)
            if self.ids and len(self.bank):
                foreground = self._read_memory(query, size)
            else:
                foreground = torch.zeros((len(self.ids), *size), device=self.device)
            if given is not None and frame.labels is not None:
                foreground, new_ids = add_objects(foreground, self.ids, given.ids)
                if new_ids and len(self.bank):  # past memory holds empty masks for them
                    with self.stage("mask encoder"):
                        empty = torch.zeros((len(new_ids), 1, *size), device=self.device)
                        self.bank.add_objects(self.model.encode_masks(empty))
                foreground = paste_given(foreground, frame.labels, given.ids, self.ids)
            probs = self.aggregate(foreground, frame) if self.ids else None
            anchor = bool(given)
            if probs is not None and self.bank.policy.wants(t, anchor):
                with self.stage("mask encoder"):
                    embeddings = self.model.encode_masks(self.remembered(probs, frame)[:, None])
                    key = self.model.memory_key(query)
                self.bank.add(t, key, embeddings, anchor)
        if probs is None:
            return np.zeros(self.info.size, np.uint8)
        return label_map(probs, frame, self.ids)

    def _read_memory(self, query: FrameEncoding, size: tuple[int, int]) -> torch.Tensor:
        keys, masks = self.bank.read()
        with self.stage("transformer"):
            if self.cached_sa is None or self.cached_sa[0] != self.bank.version:
                self.cached_sa = (self.bank.version, self.model.encode_memory(keys))
            t_map = self.model.read(query, keys, masks, self.cached_sa[1])
        with self.stage("decoder"):
            return foreground_probability(self.model.decode(t_map, query), tuple(size))
