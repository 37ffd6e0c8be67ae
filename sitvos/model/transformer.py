"""The interactive transformer (paper section 3.3), with the FIM ablation switch.

Shapes: memory tokens ``M_ori`` (1, T*h*w, C), query tokens ``Q_ori`` (1, h*w, C), mask
embedding ``M_E`` (K, T*h*w, C) for K objects. Image-only terms (``M_SA``, ``Q_SA``,
``M_out``) are computed once and shared by all objects; only the terms that read ``M_x``
run per object.

The official code's transformer (:meth:`ModelConfig.official`'s settings) is the same
graph: its self-attention blocks have no biases and LayerNorm eps 1e-6, its three
cross-attention blocks (``M_out``, ``Q_out``, ``T_out``) attend the values unprojected and
share one LayerNorm.
"""

from __future__ import annotations

import torch
from torch import nn

from sitvos.model.attention import AttentionBlock


class InteractiveTransformer(nn.Module):
    def __init__(
        self,
        channels: int = 256,
        d_k: int = 64,
        fim: bool = True,
        bias: bool = True,
        self_eps: float = 1e-5,
        cross_value: bool = True,
        shared_cross_norm: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.fim = fim

        def self_attention() -> AttentionBlock:
            return AttentionBlock(channels, d_k, bias, eps=self_eps, dropout=dropout)

        shared = nn.LayerNorm(channels) if shared_cross_norm else None

        def cross_attention() -> AttentionBlock:
            return AttentionBlock(channels, d_k, bias, value=cross_value, norm=shared, dropout=dropout)

        self.encoder_self = self_attention()  # M_SA
        self.decoder_self = self_attention()  # Q_SA
        if fim:
            self.fim_memory = cross_attention()  # M_out
            self.fim_query = cross_attention()  # Q_out
        self.cross = cross_attention()  # T_out

    def encode_memory(self, memory: torch.Tensor) -> torch.Tensor:
        """``M_SA`` = self-attention over the memory tokens (reusable while memory is unchanged)."""
        return self.encoder_self(memory, memory, memory)

    def forward(
        self, memory_sa: torch.Tensor, memory: torch.Tensor, mask_embedding: torch.Tensor, query: torch.Tensor
    ) -> torch.Tensor:
        """``T_out`` (K, h*w, C) from ``M_SA``, ``M_ori``, ``M_E`` (K, T*h*w, C) and ``Q_ori``."""
        objects = mask_embedding.shape[0]
        query_sa = self.decoder_self(query, query, query)  # Q_SA
        m_x = mask_embedding * memory  # M_x = M_E * M_ori, broadcast over objects
        if not self.fim:  # Table 3's naive transformer: Q=Q_SA, K=M_SA, V=M_x
            return self.cross(query_sa.expand(objects, -1, -1), memory_sa.expand(objects, -1, -1), m_x)
        memory_out = self.fim_memory(memory_sa, query_sa, query_sa)  # M_out
        query_out = self.fim_query(query_sa.expand(objects, -1, -1), memory_sa.expand(objects, -1, -1), m_x)
        return self.cross(query_out, memory_out.expand(objects, -1, -1), memory_out.expand(objects, -1, -1))
