"""Frozen batch norms of randomly initialised backbones get their input's statistics."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.ops.misc import FrozenBatchNorm2d

from memnet.backbone import ImageEncoder
from memnet.training.calibration import calibrate_frozen_norms


def _outputs_of_norms(model: nn.Module, forward) -> list[torch.Tensor]:
    outputs: list[torch.Tensor] = []
    # A copy: the in-place ReLU after each norm would overwrite the output.
    handles = [
        m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach().clone()))
        for m in model.modules()
        if isinstance(m, FrozenBatchNorm2d)
    ]
    with torch.no_grad():
        forward()
    for handle in handles:
        handle.remove()
    return outputs


def test_every_norm_outputs_zero_mean_unit_variance_on_the_batch() -> None:
    torch.manual_seed(0)
    encoder = ImageEncoder()
    images = torch.rand(4, 3, 64, 64)
    before = encoder(images).r4.std().item()
    n_norms = sum(isinstance(m, FrozenBatchNorm2d) for m in encoder.modules())
    assert calibrate_frozen_norms(encoder, lambda: encoder(images)) == n_norms
    outputs = _outputs_of_norms(encoder, lambda: encoder(images))
    assert len(outputs) == 1 + 3 * 3 + 4 * 3 + 6 * 3 + 3  # stem, blocks to layer3, downsamples
    for out in outputs:
        live = out.var(dim=(0, 2, 3), unbiased=False) > 0
        torch.testing.assert_close(
            out.mean(dim=(0, 2, 3))[live], torch.zeros(int(live.sum())), atol=1e-3, rtol=0
        )
        torch.testing.assert_close(
            out.var(dim=(0, 2, 3), unbiased=False)[live], torch.ones(int(live.sum())), atol=2e-2, rtol=0
        )
    after = encoder(images).r4.std().item()
    assert before > 10 and after < 4  # the growth through the residual stages is gone


@settings(max_examples=20, deadline=None)
@given(
    mean=st.floats(-5, 5),
    scale=st.floats(0.05, 20),
    channels=st.integers(1, 6),
)
def test_one_layer_takes_its_input_statistics(mean: float, scale: float, channels: int) -> None:
    torch.manual_seed(channels)
    norm = FrozenBatchNorm2d(channels)
    x = torch.randn(3, channels, 5, 7) * scale + mean
    assert calibrate_frozen_norms(norm, lambda: norm(x)) == 1
    torch.testing.assert_close(norm.running_mean, x.mean(dim=(0, 2, 3)))
    torch.testing.assert_close(norm.running_var, x.var(dim=(0, 2, 3), unbiased=False))


def test_only_the_first_call_of_a_shared_layer_counts() -> None:
    norm = FrozenBatchNorm2d(1)
    first, second = torch.full((1, 1, 2, 2), 3.0), torch.full((1, 1, 2, 2), -7.0)
    calibrate_frozen_norms(norm, lambda: (norm(first), norm(second)))
    assert norm.running_mean.item() == 3.0
