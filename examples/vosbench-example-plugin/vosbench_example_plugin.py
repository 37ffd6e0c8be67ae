"""An example vosbench plugin: per-object colour models searched near the last mask.

Each object (and the background) gets a mean colour from its given mask, in Lab. On every
later frame, pixels within ``band`` pixels of an object's previous mask go to whichever
model is nearest in colour; the rest stay background. Crude, but a complete method: typed
options, state kept between frames, stages marked for the profiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vosbench.methods import GivenMasks, Method, VideoInfo


@dataclass(frozen=True)
class ColourBandOptions:
    band: int = field(default=15, metadata={"help": "search distance around the previous mask, pixels"})

    def __post_init__(self) -> None:
        if self.band < 1:
            raise ValueError(f"band must be at least 1, got {self.band}")


class ColourBand(Method):
    Options = ColourBandOptions
    description = "example plugin: nearest colour model within a band around the last mask"

    def start_video(self, info: VideoInfo) -> None:
        self.labels = np.zeros(info.size, np.uint8)
        self.means: dict[int, np.ndarray] = {}

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
        if given is not None:
            inside = np.isin(given.labels, given.ids)
            self.labels[inside] = given.labels[inside]
            for obj in given.ids:
                self.means[obj] = lab[given.labels == obj].mean(0)
            self.means[0] = lab[self.labels == 0].mean(0)
            return self.labels.copy()
        with self.stage("colour"):
            ids = sorted(self.means)
            distances = np.stack([np.linalg.norm(lab - self.means[i], axis=-1) for i in ids])
            nearest = np.asarray(ids, np.uint8)[distances.argmin(0)]
        with self.stage("band"):
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * self.options.band + 1,) * 2)
            out = np.zeros_like(self.labels)
            for obj in ids[1:] if ids and ids[0] == 0 else ids:
                near = cv2.dilate((self.labels == obj).astype(np.uint8), kernel) > 0
                out[near & (nearest == obj)] = obj
        self.labels = out
        return out.copy()
