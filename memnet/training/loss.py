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

from memnet.aggregation import foreground_probability, soft_aggregate
from memnet.protocol import ClipNetwork, check_clip_network


class ClipLoss(nn.Module):
    """Wraps a memory network so that ``forward`` (what DistributedDataParallel needs) is the loss.

    The network follows the clip protocol (:class:`memnet.protocol.ClipNetwork`), so one
    loss trains every memory network.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        check_clip_network(model)
        self.model = model

    def forward(
        self, images: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, n_objects: torch.Tensor
    ) -> torch.Tensor:
        """Mean cross-entropy over frames 1..T-1 of the clips that have objects.

        ``images`` (B, T, 3, H, W) in [0, 1]; ``masks`` (B, T, K, H, W); ``labels`` (B, T, H, W).
        """
        b, t = images.shape[:2]
        size = tuple(images.shape[-2:])
        model: ClipNetwork = self.model  # type: ignore[assignment]
        encoded = model.encode_frames(images.flatten(0, 1))
        losses = []
        for clip in range(b):
            k = int(n_objects[clip])
            if k == 0:
                continue
            first = model.frame(encoded, clip * t)
            memory = [model.memorise(first, images[clip, :1], masks[clip, 0, :k].float())]
            for frame in range(1, t):
                query = model.frame(encoded, clip * t + frame)
                logits = model.segment_memory(query, memory)
                probs = soft_aggregate(foreground_probability(logits, size))
                losses.append(F.nll_loss(torch.log(probs)[None], labels[clip, frame][None]))
                if frame < t - 1:
                    memory.append(model.memorise(query, images[clip, frame : frame + 1], probs[1:]))
        if not losses:  # no clip had an object: a zero that still touches the graph
            return sum(p.sum() for p in model.parameters() if p.requires_grad) * 0.0
        return torch.stack(losses).mean()
