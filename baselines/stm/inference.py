"""STM as a vosbench method: the inference core that owns STM's memory.

Per frame: the query encoder runs, every object reads its memory (non-local matching
against all memory locations), the decoder gives per-object probabilities that soft
aggregation merges, and when the frame enters memory the *memory encoder* runs again on
the frame with each object's mask and the other objects' mask. That second ResNet-50 per
object and memory frame is what SITVOS's Siamese design saves; the profiler's stages show it.

Memory: the first frame (and frames where new objects are given), every ``every``-th frame
and the previous frame, as STM (``memnet.memory``'s ``every`` strategy). Objects given late
read only the memory frames from their own first frame on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from memnet.aggregation import foreground_probability
from memnet.frames import add_objects, label_map, network_frame, paste_given
from memnet.memory import MemoryPolicy
from memnet.method import NetworkMethod, NetworkOptions
from vosbench.methods import GivenMasks, VideoInfo

if TYPE_CHECKING:
    from baselines.stm.model import QueryEncoding


@dataclass(frozen=True)
class STMOptions(NetworkOptions):
    every: int = field(default=5, metadata={"help": "a frame enters memory every this many frames"})

    def __post_init__(self) -> None:
        super().__post_init__()
        MemoryPolicy("every", k=self.every)  # validates every


class STMMethod(NetworkMethod):
    """STM (Oh et al., ICCV 2019): space-time memory network."""

    Options = STMOptions
    description = "STM: space-time memory networks (ICCV 2019), the paper's main comparison"
    architecture = "stm"

    def start_video(self, info: VideoInfo) -> None:
        self.info = info
        self.policy = MemoryPolicy("every", k=self.options.every)
        self.ids: list[int] = []
        # object id -> memory frame -> (key (Ck, h, w), value (Cv, h, w))
        self.memory: dict[int, dict[int, tuple[torch.Tensor, torch.Tensor]]] = {}
        self.t = 0

    def end_video(self) -> None:
        self.memory = {}

    @torch.inference_mode()
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        t, self.t = self.t, self.t + 1
        frame = network_frame(image, given, self.options.size, self.device, self.cuda, self.padding)
        with self._autocast():
            with self.stage("query encoder"):
                query = self.model.encode_query(frame.image)
            foreground = self._read(query, frame.size)
            if given is not None and frame.labels is not None:
                foreground, new_ids = add_objects(foreground, self.ids, given.ids)
                self.memory.update({i: {} for i in new_ids})
                foreground = paste_given(foreground, frame.labels, given.ids, self.ids)
            if not self.ids:
                return np.zeros(self.info.size, np.uint8)
            probs = self.aggregate(foreground, frame)
            anchor = given is not None
            if self.policy.wants(t, anchor):
                with self.stage("memory encoder"):
                    keys, values = self.model.encode_memory(frame.image, self.remembered(probs, frame))
                for i, obj in enumerate(self.ids):
                    self.memory[obj][t] = (keys[i], values[i])
            self.policy.add(t, anchor)
            kept = set(self.policy.frames())
            for frames in self.memory.values():
                for gone in set(frames) - kept:
                    del frames[gone]
        return label_map(probs, frame, self.ids)

    def _read(self, query: QueryEncoding, size: tuple[int, int]) -> torch.Tensor:
        """Per-object foreground probabilities (K, H, W); objects sharing memory frames read together."""
        foreground = torch.zeros((len(self.ids), *size), device=self.device)
        groups: dict[tuple[int, ...], list[int]] = {}
        for channel, obj in enumerate(self.ids):
            frames = tuple(sorted(self.memory[obj]))
            if frames:
                groups.setdefault(frames, []).append(channel)
        for frames, channels in groups.items():
            objs = [self.ids[c] for c in channels]
            with self.stage("memory read"):
                keys = torch.stack([torch.stack([self.memory[o][f][0] for f in frames]) for o in objs])
                values = torch.stack([torch.stack([self.memory[o][f][1] for f in frames]) for o in objs])
                read = self.model.read(query, keys, values)
            with self.stage("decoder"):
                logits = self.model.decode(read, query)
                foreground[channels] = foreground_probability(logits, size)
        return foreground
