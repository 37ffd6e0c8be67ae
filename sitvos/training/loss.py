"""The training forward pass: a clip is segmented as at inference, and scored by cross-entropy.

Frame 0's ground-truth masks are given (encoded into memory); every later frame is read
from the memory, its objects' probabilities are merged by soft aggregation and scored
against its labels, and its *predicted* probabilities enter memory for the frames after
it, as at inference. The backbone runs once on all frames of the batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sitvos.model import SITVOS
from sitvos.model.aggregation import soft_aggregate
from sitvos.model.backbone import ImageFeatures
from sitvos.model.network import FrameEncoding, foreground_probability


class ClipLoss(nn.Module):
    """Wraps the network so that ``forward`` (what DistributedDataParallel needs) is the loss."""

    def __init__(self, model: SITVOS) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, images: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, n_objects: torch.Tensor
    ) -> torch.Tensor:
        """Mean cross-entropy over frames 1..T-1 of the clips that have objects.

        ``images`` (B, T, 3, H, W) in [0, 1]; ``masks`` (B, T, K, H, W); ``labels`` (B, T, H, W).
        """
        b, t = images.shape[:2]
        size = images.shape[-2:]
        encoded = self.model.encode_image(images.flatten(0, 1))
        losses = []
        for clip in range(b):
            k = int(n_objects[clip])
            if k == 0:
                continue
            rows = slice(clip * t, (clip + 1) * t)
            keys = encoded.key[rows]
            r3, r2 = encoded.features.r3[rows], encoded.features.r2[rows]
            memory_masks = [self.model.encode_masks(masks[clip, 0, :k, None])]
            for frame in range(1, t):
                query = FrameEncoding(
                    ImageFeatures(
                        r4=encoded.features.r4[rows][frame : frame + 1],
                        r3=r3[frame : frame + 1],
                        r2=r2[frame : frame + 1],
                    ),
                    keys[frame : frame + 1],
                )
                logits = self.model.segment(query, keys[:frame], torch.stack(memory_masks, dim=1))
                probs = soft_aggregate(foreground_probability(logits, tuple(size)))
                losses.append(F.nll_loss(torch.log(probs)[None], labels[clip, frame][None]))
                if frame < t - 1:
                    memory_masks.append(self.model.encode_masks(probs[1:, None]))
        if not losses:  # no clip had an object: a zero that still touches the graph
            return encoded.key.sum() * 0.0
        return torch.stack(losses).mean()
