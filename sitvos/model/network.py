"""SITVOS (AAAI 2022): Siamese feature extraction, interactive transformer, refinement decoder.

The network is stateless: the inference core (:mod:`sitvos.inference`) decides what is in
memory and calls :meth:`SITVOS.encode_image` once per frame, :meth:`SITVOS.encode_masks`
when a frame enters memory, and :meth:`SITVOS.segment` to read the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from memnet.backbone import ImageEncoder, ImageFeatures, MaskEncoder, check_backbone
from memnet.decoder import Decoder
from memnet.variants import check_variant, narrowed
from sitvos.model.transformer import InteractiveTransformer


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape. The defaults are the paper's; :meth:`official` gives the authors'
    released code (github LANMNG/SITVOS), which differs in the fields below ``variant``."""

    channels: int = 256  # C (official: 128)
    d_k: int = 64
    fim: bool = True  # False: Table 3's naive transformer
    backbone: str = "resnet50"  # the paper's; "mobilenetv2": the small-scale variant
    # How inference pads and aggregates: "official" as the authors' evaluation (zero padding,
    # memory from the unpadded probabilities, 11 object slots); "paper" pads the border.
    variant: str = "paper"
    embed_kernel: int = 1  # the key and mask embeddings' kernel (official: 3x3, with bias)
    query_key: bool = False  # a second key embedding for queries (official W_Q; paper: Siamese, one)
    attention_bias: bool = True  # biases of the attention's linear maps (official: none)
    self_eps: float = 1e-5  # LayerNorm eps of the self-attention blocks (official: 1e-6)
    cross_value: bool = True  # a value map in the cross-attention blocks (official: none)
    shared_cross_norm: bool = False  # one LayerNorm for the cross-attention blocks (official)
    query_skip: int = 0  # >0: [T_out, Q_ori] -> 1x1 conv to this width before the decoder (official: 512)
    decoder_channels: int = 256  # the decoder's width (the paper's and STM's)
    attention_dropout: float = 0.0  # on the attention weights in training (paper silent; official: 0.01)

    def __post_init__(self) -> None:
        check_backbone(self.backbone)
        check_variant("SITVOS", self.variant)
        if self.embed_kernel % 2 == 0:
            raise ValueError(f"embed_kernel must be odd, got {self.embed_kernel}")

    def narrowed(self, width: float) -> ModelConfig:
        """The same network with C, the decoder's and the projector's widths times ``width``."""
        return narrowed(self, width, ("channels", "decoder_channels", "query_skip"))

    @classmethod
    def official(cls, **changes: Any) -> ModelConfig:
        """The released code's network (``model/model.py``, ``model/transformer.py``)."""
        settings = dict(
            channels=128,
            variant="official",
            embed_kernel=3,
            query_key=True,
            attention_bias=False,
            self_eps=1e-6,
            cross_value=False,
            shared_cross_norm=True,
            query_skip=512,
            attention_dropout=0.01,
        )
        return cls(**{**settings, **changes})


@dataclass
class FrameEncoding:
    """One frame through the Siamese backbone: skips and the C-channel key embedding."""

    features: ImageFeatures
    key: torch.Tensor  # (B, C, h, w): Q_ori, and M_ori when the frame enters memory (Siamese)


class SITVOS(nn.Module):
    architecture = "sitvos"  # its registered network name (vosbench.networks), as checkpoints record it

    def __init__(
        self, config: ModelConfig | None = None, image_weights: Any = None, mask_weights: Any = None
    ) -> None:
        super().__init__()
        self.config = config or ModelConfig()
        cfg = self.config
        c, kernel = cfg.channels, cfg.embed_kernel
        self.image_encoder = ImageEncoder(image_weights, backbone=cfg.backbone)
        r2, r3, r4 = self.image_encoder.channels
        self.key_embed = nn.Conv2d(r4, c, kernel, padding=kernel // 2)  # W_K
        self.query_embed = nn.Conv2d(r4, c, kernel, padding=kernel // 2) if cfg.query_key else None  # W_Q
        self.mask_encoder = MaskEncoder(mask_weights, backbone=cfg.backbone)
        m = self.mask_encoder.channels
        self.mask_embed = (
            nn.Conv2d(m, c, kernel, padding=kernel // 2) if (c, kernel) != (m, 1) else nn.Identity()
        )
        self.transformer = InteractiveTransformer(
            c,
            cfg.d_k,
            cfg.fim,
            bias=cfg.attention_bias,
            self_eps=cfg.self_eps,
            cross_value=cfg.cross_value,
            shared_cross_norm=cfg.shared_cross_norm,
            dropout=cfg.attention_dropout,
        )
        self.projector = nn.Conv2d(2 * c, cfg.query_skip, 1) if cfg.query_skip else None
        self.decoder = Decoder(cfg.query_skip or c, cfg.decoder_channels, skip_channels=(r3, r2))

    def encode_image(self, images: torch.Tensor) -> FrameEncoding:
        """Frames (B, 3, H, W), RGB in [0, 1], H and W multiples of 16."""
        features = self.image_encoder(images)
        embed = self.query_embed or self.key_embed
        return FrameEncoding(features=features, key=embed(features.r4))

    def memory_key(self, frame: FrameEncoding) -> torch.Tensor:
        """``M_ori`` of a frame entering memory: its query key when one embedding serves both
        (the paper's Siamese design), else ``W_K`` of its backbone features (computed once)."""
        return frame.key if self.query_embed is None else self.key_embed(frame.features.r4)

    def encode_masks(self, masks: torch.Tensor) -> torch.Tensor:
        """Object probabilities (K, 1, H, W) -> mask embeddings M_E (K, C, h, w)."""
        return self.mask_embed(self.mask_encoder(masks))

    @staticmethod
    def tokens(maps: torch.Tensor) -> torch.Tensor:
        """(..., T, C, h, w) -> (..., T*h*w, C)."""
        *lead, t, c, h, w = maps.shape
        return maps.movedim(-3, -1).reshape(*lead, t * h * w, c)

    def encode_memory(self, memory_keys: torch.Tensor) -> torch.Tensor:
        """M_SA from memory keys (T, C, h, w): depends on the memory frames only."""
        return self.transformer.encode_memory(self.tokens(memory_keys)[None])

    def read(
        self,
        query: FrameEncoding,
        memory_keys: torch.Tensor,
        memory_masks: torch.Tensor,
        memory_sa: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The interactive transformer: ``T_out`` as maps (K, C, h, w) for one query frame.

        ``memory_keys`` (T, C, h, w) and ``memory_masks`` (K, T, C, h, w) hold the memory;
        ``memory_sa`` is :meth:`encode_memory`'s result when the caller cached it.
        """
        h, w = query.key.shape[-2:]
        if memory_sa is None:
            memory_sa = self.encode_memory(memory_keys)
        t_out = self.transformer(
            memory_sa,
            self.tokens(memory_keys)[None],
            self.tokens(memory_masks),
            self.tokens(query.key[:, None]),
        )
        return t_out.reshape(t_out.shape[0], h, w, -1).movedim(-1, 1)

    def decode(self, t_map: torch.Tensor, query: FrameEncoding) -> torch.Tensor:
        """Logits (K, 2, H/4, W/4) from ``T_out`` maps and the query's skip features."""
        if self.projector is not None:  # the official code also feeds the decoder Q_ori
            t_map = self.projector(torch.cat([t_map, query.key.expand(len(t_map), -1, -1, -1)], dim=1))
        return self.decoder(t_map, query.features.r3, query.features.r2)

    def segment(
        self,
        query: FrameEncoding,
        memory_keys: torch.Tensor,
        memory_masks: torch.Tensor,
        memory_sa: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (K, 2, H/4, W/4) of the K objects of one query frame: read, then decode."""
        return self.decode(self.read(query, memory_keys, memory_masks, memory_sa), query)

    # -- the clip protocol (training): the same calls for every memory network -----------------

    def encode_frames(self, images: torch.Tensor) -> FrameEncoding:
        """Every frame of a batch (N, 3, H, W) through the backbone at once."""
        return self.encode_image(images)

    @staticmethod
    def frame(encoded: FrameEncoding, index: int) -> FrameEncoding:
        """Frame ``index`` of :meth:`encode_frames`' result."""
        return FrameEncoding(encoded.features.frame(index), encoded.key[index : index + 1])

    def memorise(
        self, query: FrameEncoding, image: torch.Tensor, probs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """A memory entry: the frame's key (reused from the query: Siamese) and the mask
        embeddings of its objects' probabilities (K, H, W)."""
        return self.memory_key(query), self.encode_masks(probs[:, None])

    def segment_memory(
        self, query: FrameEncoding, memory: list[tuple[torch.Tensor, torch.Tensor]]
    ) -> torch.Tensor:
        """Logits (K, 2, H/4, W/4) of ``query`` read from :meth:`memorise`'s entries."""
        keys = torch.cat([key for key, _ in memory])
        masks = torch.stack([m for _, m in memory], dim=1)
        return self.segment(query, keys, masks)
