"""STM's released weights (github seoungwugoh/STM, ``STM_weights.pth``) in vosbench's layout.

The official network and vosbench's STM are the same computation with other names (a fact
checked by ``tests/test_official_stm.py`` against the authors' code): the encoders'
ResNet-50 layers, keys and values, and decoder map one to one; the memory encoder's two
one-channel convolutions of the object's mask (``conv1_m``) and of the other objects'
(``conv1_o``) are the two input channels of vosbench's one mask convolution; the official
``mean``/``std`` buffers are ImageNet's constants, which vosbench's encoders hold anyway.
The file is a state dict saved from ``nn.DataParallel`` (``module.`` keys).
"""

from __future__ import annotations

import torch

from baselines.stm.model import STMConfig
from memnet.renames import DECODER_RENAMES, rename_state, resnet_renames

RENAMES = (
    *resnet_renames("Encoder_Q", "query_encoder"),
    *resnet_renames("Encoder_M", "memory_encoder"),
    ("KV_Q_r4.Key.", "query_kv.key."),
    ("KV_Q_r4.Value.", "query_kv.value."),
    ("KV_M_r4.Key.", "memory_kv.key."),
    ("KV_M_r4.Value.", "memory_kv.value."),
    *DECODER_RENAMES,
)
MASK_CONVS = ("Encoder_M.conv1_m.weight", "Encoder_M.conv1_o.weight")


def convert_stm_official(state: dict[str, torch.Tensor]) -> tuple[STMConfig, dict[str, torch.Tensor]]:
    """(config, state dict) of vosbench's STM from the official state dict; a key that maps
    nowhere, a missing mask convolution or a normalisation buffer that is not ImageNet's is a
    ``ValueError`` naming it (nothing is dropped silently but what the official code saves and
    never learns: ``num_batches_tracked``, and the constant ``mean``/``std`` buffers)."""
    state = {k.removeprefix("module."): v for k, v in state.items()}
    missing = [k for k in MASK_CONVS if k not in state]
    if missing:
        raise ValueError(f"not STM's official weights: no {missing[0]}")
    masks = torch.cat([state.pop(k) for k in MASK_CONVS], dim=1)
    out = rename_state(state, RENAMES, "STM")
    out["memory_encoder.mask_conv.weight"] = masks
    return STMConfig.official(), out
