"""`first-frame-copy`: the given masks, held still (the zero-motion baseline)."""

from __future__ import annotations

import numpy as np

from vosbench.methods import GivenMasks, Method, VideoInfo


class FirstFrameCopy(Method):
    """Every frame gets the masks given so far; a later-given object is painted on top."""

    description = "hold the given masks still (zero motion)"

    def start_video(self, info: VideoInfo) -> None:
        self.labels = np.zeros(info.size, np.uint8)

    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        if given is not None:
            self.labels = paste(self.labels, given)
        return self.labels.copy()


def paste(labels: np.ndarray, given: GivenMasks) -> np.ndarray:
    """``labels`` with the given objects' masks painted over them."""
    out = labels.copy()
    inside = np.isin(given.labels, given.ids)
    out[inside] = given.labels[inside]
    return out
