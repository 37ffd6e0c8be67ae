"""The training forward on 3-frame clips (the paper's default): frame 1 is segmented from the
ground truth of frame 0, and frame 2 from memory that holds frame 1's *predicted*
probabilities, as at inference; the loss of frame 2 reaches the network through them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from memnet.training.loss import ClipLoss


class StubNetwork(nn.Module):
    """The clip protocol with one weight: an object's logit is ``scale`` times the mean of its
    memorised probabilities, pooled to 1/4 scale (so what enters memory decides the output)."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(4.0))
        self.memorised: list[torch.Tensor] = []

    def encode_frames(self, images: torch.Tensor) -> torch.Tensor:
        return images

    @staticmethod
    def frame(encoded: torch.Tensor, index: int) -> torch.Tensor:
        return encoded[index : index + 1]

    def memorise(self, query: torch.Tensor, image: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        self.memorised.append(probs)
        return probs

    def segment_memory(self, query: torch.Tensor, memory: list[torch.Tensor]) -> torch.Tensor:
        mean = torch.stack(memory).mean(0)  # (K, H, W)
        pooled = F.avg_pool2d(mean[:, None], 4)[:, 0]
        foreground = self.scale * (2 * pooled - 1)
        return torch.stack([torch.zeros_like(foreground), foreground], dim=1)  # (K, 2, H/4, W/4)


def _clip(frames: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    h = w = 16
    masks = torch.zeros(1, frames, 2, h, w, dtype=torch.bool)
    for t in range(frames):  # two objects moving right by two pixels a frame
        masks[0, t, 0, 2:8, 2 + 2 * t : 8 + 2 * t] = True
        masks[0, t, 1, 10:14, 8 - 2 * t : 12 - 2 * t] = True
    labels = torch.zeros(1, frames, h, w, dtype=torch.long)
    labels[masks[:, :, 0]] = 1
    labels[masks[:, :, 1]] = 2
    return torch.rand(1, frames, 3, h, w), masks, labels, torch.tensor([2])


def test_three_frame_clips_memorise_the_prediction_of_the_middle_frame() -> None:
    stub = StubNetwork()
    images, masks, labels, n = _clip(3)
    loss = ClipLoss(stub)(images, masks, labels, n)
    assert len(stub.memorised) == 2  # frame 0 (given) and frame 1 (predicted); frame 2 is last
    torch.testing.assert_close(stub.memorised[0], masks[0, 0].float())
    predicted = stub.memorised[1]
    assert predicted.shape == (2, 16, 16) and predicted.requires_grad
    assert not torch.equal(predicted, masks[0, 1].float())  # a prediction, not frame 1's truth
    assert torch.all((predicted > 0) & (predicted < 1))  # soft probabilities, as at inference
    loss.backward()
    assert stub.scale.grad is not None and stub.scale.grad != 0


def test_two_frame_clips_memorise_only_the_given_frame() -> None:
    stub = StubNetwork()
    ClipLoss(stub)(*_clip(2))
    assert len(stub.memorised) == 1


def test_the_third_frame_reads_what_the_second_predicted() -> None:
    """Frame 2's loss changes when frame 1's prediction changes: memory carries it forward."""
    images, masks, labels, n = _clip(3)
    losses = []
    for scale in (2.0, 8.0):  # frame 1's probabilities sharpen with the scale
        stub = StubNetwork()
        stub.scale.data.fill_(scale)
        with torch.no_grad():
            full = ClipLoss(stub)(images, masks, labels, n)
            only_first = ClipLoss(stub)(images[:, :2], masks[:, :2], labels[:, :2], n)
        losses.append(2 * full - only_first)  # the loss of frame 2 alone
    assert abs(losses[0] - losses[1]) > 1e-3


def test_the_loss_refuses_a_network_without_the_clip_protocol() -> None:
    from baselines.stm.model import STM, STMConfig
    from memnet.protocol import ClipNetwork
    from sitvos.model import SITVOS, ModelConfig

    assert isinstance(StubNetwork(), ClipNetwork)
    for network in (SITVOS(ModelConfig(backbone="mobilenetv2")), STM(STMConfig(backbone="mobilenetv2"))):
        assert isinstance(network, ClipNetwork)
    with pytest.raises(TypeError, match="lacks memorise, segment_memory"):
        ClipLoss(_Partial())


class _Partial(nn.Module):
    def encode_frames(self, images: torch.Tensor) -> torch.Tensor:
        return images

    def frame(self, encoded: torch.Tensor, index: int) -> torch.Tensor:
        return encoded[index]
