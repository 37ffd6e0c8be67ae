"""`flow-propagation`: warp the previous label map to each new frame with dense optical flow.

For every frame the backward flow (current -> previous) says where each pixel came from;
the previous frame's per-object masks are warped softly (bilinear, one channel per object
plus background) and each pixel takes the most likely label. The forward flow checks the
backward one: where they disagree by more than ``consistency_px`` (occlusion, flow failure)
the pixel falls back to the previous label at the same place (zero motion).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from baselines.first_frame_copy import paste
from vosbench.methods import GivenMasks, Method, VideoInfo

_DIS_PRESETS = {
    "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
    "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


@dataclass(frozen=True)
class FlowOptions:
    algorithm: Literal["dis", "farneback"] = field(default="dis", metadata={"help": "OpenCV flow algorithm"})
    preset: Literal["ultrafast", "fast", "medium"] = field(default="medium", metadata={"help": "DIS preset"})
    flow_scale: float = field(default=0.5, metadata={"help": "compute the flow at this fraction of the size"})
    consistency_px: float = field(
        default=15.0,
        metadata={"help": "forward-backward disagreement (full-size pixels) above which to fall back"},
    )

    def __post_init__(self) -> None:
        if not 0.1 <= self.flow_scale <= 1.0:
            raise ValueError(f"flow_scale must be in [0.1, 1], got {self.flow_scale}")
        if self.consistency_px <= 0:
            raise ValueError(f"consistency_px must be positive, got {self.consistency_px}")


class FlowPropagation(Method):
    """Propagate the label map with dense optical flow and a consistency fallback."""

    Options = FlowOptions
    description = "warp the previous masks with OpenCV optical flow (DIS or Farneback)"

    def start_video(self, info: VideoInfo) -> None:
        opts: FlowOptions = self.options
        self.size = info.size
        self.n_labels = max(info.object_ids, default=0) + 1
        self.previous: np.ndarray | None = None
        self.labels = np.zeros(info.size, np.uint8)
        if opts.algorithm == "dis":
            self.dis = cv2.DISOpticalFlow_create(_DIS_PRESETS[opts.preset])
        h, w = info.size
        self.flow_size = (max(8, round(w * opts.flow_scale)), max(8, round(h * opts.flow_scale)))
        self.grid = np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), -1)

    def _flow(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Flow at the reduced size: for each pixel of ``source``, its displacement to ``target``."""
        if self.options.algorithm == "dis":
            return self.dis.calc(source, target, None)
        return cv2.calcOpticalFlowFarneback(source, target, None, 0.5, 4, 15, 3, 5, 1.1, 0)

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        gray = cv2.resize(
            cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), self.flow_size, interpolation=cv2.INTER_AREA
        )
        if self.previous is not None and self.labels.any():
            with self.stage("flow"):
                backward = self._flow(gray, self.previous)
                forward = self._flow(self.previous, gray)
            with self.stage("warp"):
                self.labels = self._warp(backward, forward)
        if given is not None:
            self.labels = paste(self.labels, given)
        self.previous = gray
        return self.labels.copy()

    def _warp(self, backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
        h, w = self.size
        scale = np.array([w / self.flow_size[0], h / self.flow_size[1]], np.float32)
        # forward-backward check at the flow's resolution: b(x) + f(x + b(x)) should be ~0
        fh, fw = backward.shape[:2]
        small_grid = np.stack(
            np.meshgrid(np.arange(fw, dtype=np.float32), np.arange(fh, dtype=np.float32)), -1
        )
        back_to = small_grid + backward
        forward_there = cv2.remap(
            forward, back_to[..., 0], back_to[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        error = np.linalg.norm((backward + forward_there) * scale, axis=-1)
        flow = cv2.resize(backward, (w, h), interpolation=cv2.INTER_LINEAR) * scale
        unreliable = cv2.resize(error, (w, h), interpolation=cv2.INTER_LINEAR) > self.options.consistency_px
        maps = self.grid + flow
        # Soft warp of each object's mask; bilinear remapping is linear and the one-hot planes
        # sum to 1, so the background's warped plane is 1 - (sum of the objects'): not computed.
        best = np.zeros((h, w), np.float32)
        total = np.zeros((h, w), np.float32)
        warped = np.zeros((h, w), np.uint8)
        for label in range(1, self.n_labels):
            plane = (self.labels == label).astype(np.float32)
            if not plane.any():
                continue
            moved = cv2.remap(
                plane, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            )
            better = moved > best
            best[better] = moved[better]
            warped[better] = label
            total += moved
        warped[best <= 1.0 - total] = 0  # the background is the most likely label there
        return np.where(unreliable, self.labels, warped).astype(np.uint8)
