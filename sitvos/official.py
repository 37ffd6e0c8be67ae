"""Weights of the authors' SITVOS code (github LANMNG/SITVOS) in vosbench's layout.

The official network is vosbench's SITVOS with :meth:`ModelConfig.official`'s settings (a fact
checked by ``tests/test_official_sitvos.py`` against the authors' code): its ResNet encoders,
key, query and mask embeddings (``W_K``, ``W_Q``, ``W_mask``), attention blocks, projector and
decoder map one to one; its one ``Memory.layer_norm`` is the LayerNorm that the three
cross-attention blocks share. The file is a state dict as its ``train_davis.py`` saves it
(``module.`` keys, from ``nn.DataParallel``, are accepted too). The renaming rules STM's
released weights share with it are the kit's (:mod:`memnet.renames`).
"""

from __future__ import annotations

import torch

from memnet.renames import DECODER_RENAMES, rename_state, resnet_renames
from sitvos.model.network import ModelConfig

SELF_ATTENTION = (("w_q", "q"), ("w_k", "k"), ("w_v", "v"), ("layer_norm", "norm"))
CROSS_ATTENTION = (("w_q", "q"), ("w_k", "k"))  # no value map; the LayerNorm is SHARED


def _attention(official: str, ours: str, parts: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f"Memory.{official}.{a}.", f"transformer.{ours}.{b}.") for a, b in parts)


SITVOS_RENAMES = (
    *resnet_renames("Encoder", "image_encoder"),
    ("Encoder_mask.conv1_m.", "mask_encoder.stem.0."),
    *resnet_renames("Encoder_mask", "mask_encoder"),
    ("W_K.", "key_embed."),
    ("W_Q.", "query_embed."),
    ("W_mask.", "mask_embed."),
    *_attention("self_atten_T", "encoder_self", SELF_ATTENTION),  # M_SA
    *_attention("self_atten_C", "decoder_self", SELF_ATTENTION),  # Q_SA
    *_attention("cross_atten1", "fim_memory", CROSS_ATTENTION),  # M_out
    *_attention("cross_atten2", "fim_query", CROSS_ATTENTION),  # Q_out
    *_attention("cross_atten3", "cross", CROSS_ATTENTION),  # T_out
    ("Memory.projector.", "projector."),
    *DECODER_RENAMES,
)
# the one LayerNorm of the official cross-attention blocks -> each block's (the same module)
SHARED = {
    "Memory.layer_norm.": (
        "transformer.fim_memory.norm.",
        "transformer.fim_query.norm.",
        "transformer.cross.norm.",
    )
}


def convert_sitvos_official(state: dict[str, torch.Tensor]) -> tuple[ModelConfig, dict[str, torch.Tensor]]:
    """(config, state dict) of vosbench's SITVOS from a state dict of the official code's
    ``STM('resnet50')`` network (its class keeps STM's name)."""
    if not any(k.removeprefix("module.").startswith("Memory.cross_atten") for k in state):
        raise ValueError("not SITVOS's official weights: no Memory.cross_atten* keys")
    if any(k.removeprefix("module.").startswith("aspp.") for k in state):
        raise ValueError("the official code's resnet101 network (aspp.* keys) is not supported; resnet50 is")
    return ModelConfig.official(), rename_state(state, SITVOS_RENAMES, "SITVOS", SHARED)
