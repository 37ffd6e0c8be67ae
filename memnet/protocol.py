"""The clip protocol: the four calls through which the trainer's clip loss drives any memory
network (:class:`memnet.training.loss.ClipLoss`), as inference would.

A frame's encoding, and a memory entry, are whatever the network makes them; the loss only
passes them back.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import torch

CLIP_CALLS = ("encode_frames", "frame", "memorise", "segment_memory")


@runtime_checkable
class ClipNetwork(Protocol):
    """A memory network the clip loss can train."""

    def encode_frames(self, images: torch.Tensor) -> Any:
        """Every frame of a batch (N, 3, H, W), RGB in [0, 1], through the backbone at once."""
        ...

    def frame(self, encoded: Any, index: int) -> Any:
        """Frame ``index`` of :meth:`encode_frames`' result."""
        ...

    def memorise(self, query: Any, image: torch.Tensor, probs: torch.Tensor) -> Any:
        """A memory entry of a frame (its encoding, its image (1, 3, H, W)) and its objects'
        probabilities (K, H, W)."""
        ...

    def segment_memory(self, query: Any, memory: list[Any]) -> torch.Tensor:
        """Logits (K, 2, H/4, W/4) of ``query``'s K objects, read from the memory entries."""
        ...


def check_clip_network(model: object) -> ClipNetwork:
    """``model`` if it follows the clip protocol; else a ``TypeError`` naming what it lacks."""
    missing = [name for name in CLIP_CALLS if not callable(getattr(model, name, None))]
    if missing:
        raise TypeError(
            f"{type(model).__name__} cannot be trained on clips: it lacks {', '.join(missing)} "
            "(memnet.protocol.ClipNetwork)"
        )
    return model  # type: ignore[return-value]
