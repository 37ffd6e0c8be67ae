"""The authors' weight layouts that memory networks share: STM's ResNet encoders and decoder
(which SITVOS's code kept) under their names, and the renaming that maps a released state
dict onto a vosbench network."""

from __future__ import annotations

import torch

from memnet.backbone import IMAGENET_MEAN, IMAGENET_STD

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
