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
from sitvos.model.backbone import IMAGENET_MEAN, IMAGENET_STD

# official prefix -> vosbench prefix, longest first where one is a prefix of another
RENAMES = (
    ("Encoder_Q.conv1.", "query_encoder.stem.0."),
    ("Encoder_Q.bn1.", "query_encoder.stem.1."),
    ("Encoder_Q.res2.", "query_encoder.layer1."),
    ("Encoder_Q.res3.", "query_encoder.layer2."),
    ("Encoder_Q.res4.", "query_encoder.layer3."),
    ("Encoder_M.conv1.", "memory_encoder.stem.0."),
    ("Encoder_M.bn1.", "memory_encoder.stem.1."),
    ("Encoder_M.res2.", "memory_encoder.layer1."),
    ("Encoder_M.res3.", "memory_encoder.layer2."),
    ("Encoder_M.res4.", "memory_encoder.layer3."),
    ("KV_Q_r4.Key.", "query_kv.key."),
    ("KV_Q_r4.Value.", "query_kv.value."),
    ("KV_M_r4.Key.", "memory_kv.key."),
    ("KV_M_r4.Value.", "memory_kv.value."),
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
MASK_CONVS = ("Encoder_M.conv1_m.weight", "Encoder_M.conv1_o.weight")
CONSTANTS = {"mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def _rename(key: str) -> str | None:
    for old, new in RENAMES:
        if key.startswith(old):
            return new + key[len(old) :]
    return None


def convert_stm_official(state: dict[str, torch.Tensor]) -> tuple[STMConfig, dict[str, torch.Tensor]]:
    """(config, state dict) of vosbench's STM from the official state dict; a key that maps
    nowhere, a missing mask convolution or a normalisation buffer that is not ImageNet's is a
    ``ValueError`` naming it (nothing is dropped silently but what the official code saves and
    never learns: ``num_batches_tracked``, and the constant ``mean``/``std`` buffers)."""
    state = {k.removeprefix("module."): v for k, v in state.items()}
    missing = [k for k in MASK_CONVS if k not in state]
    if missing:
        raise ValueError(f"not STM's official weights: no {missing[0]}")
    out: dict[str, torch.Tensor] = {
        "memory_encoder.mask_conv.weight": torch.cat([state[k] for k in MASK_CONVS], dim=1)
    }
    unmatched = []
    for key, value in state.items():
        if key in MASK_CONVS or key.endswith("num_batches_tracked"):
            continue
        encoder, _, buffer = key.partition(".")
        if encoder in ("Encoder_Q", "Encoder_M") and buffer in CONSTANTS:
            expected = torch.tensor(CONSTANTS[buffer]).view(1, 3, 1, 1)
            if value.shape != expected.shape or not torch.allclose(value.float(), expected):
                raise ValueError(
                    f"{key}: {value.flatten().tolist()}, expected ImageNet's {CONSTANTS[buffer]}"
                )
            continue
        renamed = _rename(key)
        if renamed is None:
            unmatched.append(key)
        else:
            out[renamed] = value
    if unmatched:
        more = f" (and {len(unmatched) - 4} more)" if len(unmatched) > 4 else ""
        raise ValueError(f"keys that are not STM's: {', '.join(unmatched[:4])}{more}")
    return STMConfig(variant="official"), out
