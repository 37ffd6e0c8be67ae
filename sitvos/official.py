"""Weights of the authors' SITVOS code (github LANMNG/SITVOS) in vosbench's layout, and the
renaming rules that STM's released weights share with it.

The official network is vosbench's SITVOS with :meth:`ModelConfig.official`'s settings (a fact
checked by ``tests/test_official_sitvos.py`` against the authors' code): its ResNet encoders,
key, query and mask embeddings (``W_K``, ``W_Q``, ``W_mask``), attention blocks, projector and
decoder map one to one; its one ``Memory.layer_norm`` is the LayerNorm that the three
cross-attention blocks share. The file is a state dict as its ``train_davis.py`` saves it
(``module.`` keys, from ``nn.DataParallel``, are accepted too).
"""

from __future__ import annotations

import torch

from sitvos.model.backbone import IMAGENET_MEAN, IMAGENET_STD
from sitvos.model.network import ModelConfig

# Buffers that the official encoders save but never learn: ImageNet's normalisation.
CONSTANTS = {"mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def resnet_renames(official: str, ours: str) -> tuple[tuple[str, str], ...]:
    """The official ResNet encoders' names (``conv1``, ``bn1``, ``res2``-``res4``) -> vosbench's."""
    parts = (
        ("conv1", "stem.0"),
        ("bn1", "stem.1"),
        ("res2", "layer1"),
        ("res3", "layer2"),
        ("res4", "layer3"),
    )
    return tuple((f"{official}.{a}.", f"{ours}.{b}.") for a, b in parts)


# STM's decoder, which SITVOS's code kept: the same names in both official code bases.
DECODER_RENAMES = (
    ("Decoder.convFM.", "decoder.conv."),
    ("Decoder.ResMM.", "decoder.res."),
    ("Decoder.RF3.convFS.", "decoder.refine3.skip_conv."),
    ("Decoder.RF3.ResFS.", "decoder.refine3.skip_res."),
    ("Decoder.RF3.ResMM.", "decoder.refine3.merge_res."),
    ("Decoder.RF2.convFS.", "decoder.refine2.skip_conv."),
    ("Decoder.RF2.ResFS.", "decoder.refine2.skip_res."),
    ("Decoder.RF2.ResMM.", "decoder.refine2.merge_res."),
    ("Decoder.pred2.", "decoder.pred."),
)


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


def rename_state(
    state: dict[str, torch.Tensor],
    renames: tuple[tuple[str, str], ...],
    network: str,
    shared: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, torch.Tensor]:
    """``state``'s tensors under vosbench's names; a key that maps nowhere, or a normalisation
    buffer that is not ImageNet's, is a ``ValueError`` naming it. Left out, and only these:
    ``num_batches_tracked`` and the constant ``mean``/``std`` buffers, which nothing learns."""
    out: dict[str, torch.Tensor] = {}
    unmatched = []
    for key, value in state.items():
        key = key.removeprefix("module.")
        last = key.rsplit(".", 1)[-1]
        if last == "num_batches_tracked":
            continue
        if last in CONSTANTS and value.dim() == 4:
            expected = torch.tensor(CONSTANTS[last]).view(1, 3, 1, 1)
            if value.shape != expected.shape or not torch.allclose(value.float(), expected):
                raise ValueError(f"{key}: {value.flatten().tolist()}, expected ImageNet's {CONSTANTS[last]}")
            continue
        targets = [
            new + key[len(old) :]
            for old, news in (shared or {}).items()
            if key.startswith(old)
            for new in news
        ]
        if not targets:
            targets = [new + key[len(old) :] for old, new in renames if key.startswith(old)][:1]
        if not targets:
            unmatched.append(key)
        for target in targets:
            out[target] = value
    if unmatched:
        more = f" (and {len(unmatched) - 4} more)" if len(unmatched) > 4 else ""
        raise ValueError(f"keys that are not {network}'s: {', '.join(unmatched[:4])}{more}")
    return out


def convert_sitvos_official(state: dict[str, torch.Tensor]) -> tuple[ModelConfig, dict[str, torch.Tensor]]:
    """(config, state dict) of vosbench's SITVOS from a state dict of the official code's
    ``STM('resnet50')`` network (its class keeps STM's name)."""
    if not any(k.removeprefix("module.").startswith("Memory.cross_atten") for k in state):
        raise ValueError("not SITVOS's official weights: no Memory.cross_atten* keys")
    if any(k.removeprefix("module.").startswith("aspp.") for k in state):
        raise ValueError("the official code's resnet101 network (aspp.* keys) is not supported; resnet50 is")
    return ModelConfig.official(), rename_state(state, SITVOS_RENAMES, "SITVOS", SHARED)
