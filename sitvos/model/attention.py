"""Single-head scaled dot-product attention with a residual connection and LayerNorm.

``out = LN(softmax(q(Q) k(K)^T / sqrt(d_k)) v(V) + Q)`` with ``q, k: C -> d_k`` and
``v: C -> C`` linear maps; no feed-forward network (paper section 3.3). The official code's
blocks are the same with other settings: no biases, no value map in its cross-attention
blocks (``value=False``: the values are attended as they are), a LayerNorm that three
blocks share (``norm``: one module passed to each), and dropout 0.01 on the attention
weights while training (``dropout``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class AttentionBlock(nn.Module):
    def __init__(
        self,
        channels: int = 256,
        d_k: int = 64,
        bias: bool = True,
        value: bool = True,
        eps: float = 1e-5,
        norm: nn.LayerNorm | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.dropout = dropout  # on the attention weights, in training only (the official code's 0.01)
        self.q = nn.Linear(channels, d_k, bias=bias)
        self.k = nn.Linear(channels, d_k, bias=bias)
        self.v = nn.Linear(channels, channels, bias=bias) if value else nn.Identity()
        self.norm = norm if norm is not None else nn.LayerNorm(channels, eps=eps)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        """``query`` (B, Lq, C), ``key`` (B, Lk, C), ``value`` (B, Lk, C) -> (B, Lq, C)."""
        p = self.dropout if self.training else 0.0
        attended = F.scaled_dot_product_attention(self.q(query), self.k(key), self.v(value), dropout_p=p)
        return self.norm(attended + query)
