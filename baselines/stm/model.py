"""The STM network: two ResNet-50 encoders, key/value projections, the space-time memory read
and the refinement decoder (the memory-network kit's blocks, as SITVOS's: :mod:`memnet`).

Unlike SITVOS's Siamese backbone, STM's memory encoder takes the frame *with* the object's
mask and the other objects' mask, so each frame that enters memory goes through a second
ResNet-50 once per object; the query encoder's features are not reused for memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from memnet.backbone import ImageEncoder, ImageFeatures, check_backbone
from memnet.decoder import Decoder
from memnet.variants import check_variant, narrowed


@dataclass(frozen=True)
class STMConfig:
    key_channels: int = 128
    value_channels: int = 512
    backbone: str = "resnet50"  # STM's; "mobilenetv2": the small-scale variant
    # How inference pads and aggregates (the weights are the same): "official" (the default:
    # STM's paper describes no other) as the authors' evaluation: zero padding, memory from
    # the unpadded probabilities, 11 object slots; "paper" as vosbench's SITVOS (border
    # padding, the objects present). Checkpoints record it.
    variant: str = "official"
    decoder_channels: int = 256  # the decoder's width (STM's)

    def __post_init__(self) -> None:
        check_backbone(self.backbone)
        check_variant("STM", self.variant)

    def narrowed(self, width: float) -> STMConfig:
        """The same network with its key, value and decoder widths times ``width``."""
        return narrowed(self, width, ("key_channels", "value_channels", "decoder_channels"))

    @classmethod
    def official(cls, **changes: Any) -> STMConfig:
        """The authors' network: the same weights, evaluated as their code does."""
        return cls(**{"variant": "official", **changes})


class KeyValue(nn.Module):
    """3x3 projections of ``layer3`` features to a key and a value (STM's embedding)."""

    def __init__(self, in_channels: int, key_channels: int, value_channels: int) -> None:
        super().__init__()
        self.key = nn.Conv2d(in_channels, key_channels, 3, padding=1)
        self.value = nn.Conv2d(in_channels, value_channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.key(x), self.value(x)


@dataclass
class QueryEncoding:
    features: ImageFeatures
    key: torch.Tensor  # (1, Ck, h, w)
    value: torch.Tensor  # (1, Cv, h, w)


def memory_read(
    query_key: torch.Tensor, memory_keys: torch.Tensor, memory_values: torch.Tensor
) -> torch.Tensor:
    """The space-time memory read for K objects.

    ``query_key`` (1, Ck, h, w); ``memory_keys`` (K, T, Ck, h', w'); ``memory_values``
    (K, T, Cv, h', w'). Every query location attends over all T*h'*w' memory locations:
    softmax over memory of (k_M . k_Q) / sqrt(Ck), then the weighted sum of memory values.
    Returns (K, Cv, h, w).
    """
    k, t, ck, hm, wm = memory_keys.shape
    h, w = query_key.shape[-2:]
    mk = memory_keys.permute(0, 1, 3, 4, 2).reshape(k, t * hm * wm, ck)  # (K, N, Ck)
    qk = query_key.reshape(1, ck, h * w)  # (1, Ck, HW)
    affinity = torch.softmax(mk @ qk / math.sqrt(ck), dim=1)  # (K, N, HW): over memory
    mv = memory_values.permute(0, 2, 1, 3, 4).reshape(k, memory_values.shape[2], t * hm * wm)
    return (mv @ affinity).reshape(k, -1, h, w)


class STM(nn.Module):
    architecture = "stm"  # its registered network name (vosbench.networks), as checkpoints record it

    def __init__(
        self, config: STMConfig | None = None, query_weights: Any = None, memory_weights: Any = None
    ) -> None:
        super().__init__()
        self.config = config or STMConfig()
        ck, cv, backbone = self.config.key_channels, self.config.value_channels, self.config.backbone
        self.query_encoder = ImageEncoder(query_weights, backbone=backbone)
        self.memory_encoder = ImageEncoder(memory_weights, mask_channels=2, backbone=backbone)
        r2, r3, r4 = self.query_encoder.channels
        self.query_kv = KeyValue(r4, ck, cv)
        self.memory_kv = KeyValue(r4, ck, cv)
        self.decoder = Decoder(2 * cv, self.config.decoder_channels, skip_channels=(r3, r2))

    def encode_query(self, frame: torch.Tensor) -> QueryEncoding:
        """A frame (1, 3, H, W) in [0, 1], H and W multiples of 16."""
        features = self.query_encoder(frame)
        key, value = self.query_kv(features.r4)
        return QueryEncoding(features, key, value)

    def encode_memory(self, frame: torch.Tensor, probs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Key (K, Ck, h, w) and value (K, Cv, h, w) of a frame (1, 3, H, W) and its objects'
        probabilities (K, H, W): each object with its own mask and the sum of the others'."""
        own = probs[:, None]
        others = (probs.sum(0, keepdim=True) - probs).clamp(0, 1)[:, None]
        features = self.memory_encoder(frame.expand(len(probs), -1, -1, -1), torch.cat([own, others], 1))
        return self.memory_kv(features.r4)

    def segment(
        self, query: QueryEncoding, memory_keys: torch.Tensor, memory_values: torch.Tensor
    ) -> torch.Tensor:
        """Logits (K, 2, H/4, W/4): memory read, concatenated with the query's value, decoded."""
        return self.decode(self.read(query, memory_keys, memory_values), query)

    def read(
        self, query: QueryEncoding, memory_keys: torch.Tensor, memory_values: torch.Tensor
    ) -> torch.Tensor:
        """The memory read for K objects, with the query's own value: (K, 2 Cv, h, w)."""
        read = memory_read(query.key, memory_keys, memory_values)
        return torch.cat([read, query.value.expand(len(read), -1, -1, -1)], dim=1)

    def decode(self, x: torch.Tensor, query: QueryEncoding) -> torch.Tensor:
        return self.decoder(x, query.features.r3, query.features.r2)

    # -- the clip protocol (training), as SITVOS's --------------------------------------------

    def encode_frames(self, images: torch.Tensor) -> QueryEncoding:
        """Every frame of a batch (N, 3, H, W) through the query encoder at once."""
        return self.encode_query(images)

    @staticmethod
    def frame(encoded: QueryEncoding, index: int) -> QueryEncoding:
        i = slice(index, index + 1)
        return QueryEncoding(encoded.features.frame(index), encoded.key[i], encoded.value[i])

    def memorise(
        self, query: QueryEncoding, image: torch.Tensor, probs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """A memory entry: the frame encoded again, with each object's mask (STM's second encoder)."""
        return self.encode_memory(image, probs)

    def segment_memory(
        self, query: QueryEncoding, memory: list[tuple[torch.Tensor, torch.Tensor]]
    ) -> torch.Tensor:
        keys = torch.stack([k for k, _ in memory], dim=1)
        values = torch.stack([v for _, v in memory], dim=1)
        return self.segment(query, keys, values)
