"""An example trainable network plugin: a few convolutions that propagate the last mask.

For each object, the network sees the current frame, the previous frame and the object's
previous probability map, and gives the object's logit map; soft aggregation turns the
objects' logits into one label map. Small enough to train for a handful of iterations on
the CPU. One module and two entry points: ``vosbench.networks`` (``vosbench train --model
tiny-propagator``, reproduce recipes) and ``vosbench.methods`` (``vosbench run --method
tiny-propagator --set checkpoint=...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vosbench.checkpoints import load_checkpoint, network_from_checkpoint
from vosbench.methods import GivenMasks, Method, VideoInfo
from vosbench.training import NetworkSpec, TrainConfig


@dataclass(frozen=True)
class TinyConfig:
    width: int = 16


class TinyPropagator(nn.Module):
    def __init__(self, config: TinyConfig | None = None) -> None:
        super().__init__()
        self.config = config or TinyConfig()
        w = self.config.width
        self.body = nn.Sequential(
            nn.Conv2d(7, w, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(w, w, 3, padding=2, dilation=2),
            nn.ReLU(),
            nn.Conv2d(w, 1, 3, padding=1),
        )

    def forward(self, image: torch.Tensor, previous: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """``image``, ``previous`` (3, H, W); ``masks`` (K, H, W) -> logits (K, H, W)."""
        k = masks.shape[0]
        x = torch.cat([image.expand(k, -1, -1, -1), previous.expand(k, -1, -1, -1), masks[:, None]], 1)
        return self.body(x)[:, 0] + 4.0 * (masks - 0.5)  # start from "keep the last mask"


def aggregate(logits: torch.Tensor) -> torch.Tensor:
    """(K, H, W) object logits -> (K + 1, H, W) probabilities, background first."""
    background = torch.zeros_like(logits[:1])
    return torch.softmax(torch.cat([background, logits]), 0)


class TinyLoss(nn.Module):
    """The clip protocol: frame 0's masks given, each later frame from the previous prediction."""

    def __init__(self, model: TinyPropagator) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, images: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, n_objects: torch.Tensor
    ) -> torch.Tensor:
        losses = []
        for clip in range(images.shape[0]):
            k = int(n_objects[clip])
            if k == 0:
                continue
            probs = masks[clip, 0, :k].float()
            for t in range(1, images.shape[1]):
                logits = self.model(images[clip, t], images[clip, t - 1], probs)
                prob_all = aggregate(logits)
                losses.append(F.nll_loss(torch.log(prob_all + 1e-6)[None], labels[clip, t][None]))
                probs = prob_all[1:]
        if not losses:
            return sum(p.sum() for p in self.model.parameters()) * 0.0
        return torch.stack(losses).mean()


def build(config: TrainConfig) -> TinyPropagator:
    if config.init_checkpoint:
        return network_from_checkpoint(load_checkpoint(config.init_checkpoint), config.init_checkpoint)
    return TinyPropagator()


TINY_PROPAGATOR = NetworkSpec(
    name="tiny-propagator",
    description="example plugin: a few convolutions propagating the last mask",
    config=TinyConfig,
    network=lambda config, weights=None: TinyPropagator(config),
    train_config=TrainConfig,
    build=build,
    loss=TinyLoss,
    method="tiny-propagator",
)


@dataclass(frozen=True)
class TinyOptions:
    checkpoint: str = field(default="", metadata={"help": "a checkpoint from `vosbench train --model ...`"})


class TinyPropagatorMethod(Method):
    Options = TinyOptions
    description = "example plugin: the tiny-propagator network's checkpoints"

    def __init__(self, options: TinyOptions | None = None, device: str = "cpu") -> None:
        super().__init__(options, device)
        path = self.options.checkpoint
        self.model = network_from_checkpoint(load_checkpoint(path), path) if path else TinyPropagator()
        self.model = self.model.to(device).eval()

    def start_video(self, info: VideoInfo) -> None:
        self.ids: list[int] = []
        self.probs: torch.Tensor | None = None
        self.previous: torch.Tensor | None = None

    @torch.inference_mode()
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        frame = torch.from_numpy(image).permute(2, 0, 1).float().div(255).to(self.device)
        if self.probs is not None and self.previous is not None:
            with self.stage("network"):
                self.probs = aggregate(self.model(frame, self.previous, self.probs))[1:]
        if given is not None:
            for obj in given.ids:
                self.ids.append(obj)
                mask = torch.from_numpy(given.labels == obj).float().to(self.device)
                rows = [] if self.probs is None else [self.probs]
                self.probs = torch.cat([*rows, mask[None]])
        self.previous = frame
        if self.probs is None:
            return np.zeros(image.shape[:2], np.uint8)
        labels = aggregate(torch.logit(self.probs.clamp(1e-4, 1 - 1e-4))).argmax(0)
        lookup = torch.tensor([0, *self.ids], dtype=torch.uint8, device=labels.device)
        return lookup[labels].cpu().numpy()
