"""Several objects per clip: each object's given mask, memory, logits and label line up, in
the training forward pass and at inference, for SITVOS and STM; and training on clips with
two or three objects learns. Small networks on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from baselines.stm.model import STM, STMConfig
from memnet.training.calibration import calibrate_frozen_norms
from memnet.training.loss import ClipLoss
from sitvos.model import SITVOS, ModelConfig
from sitvos.training.config import SITVOSTrainConfig
from vosbench.checkpoints import save_checkpoint
from vosbench.demo_data.coco import write_coco_demo
from vosbench.methods import GivenMasks, VideoInfo, create_method
from vosbench.sampling import ClipOptions, CocoClips
from vosbench.training.trainer import train

CONFIGS = {
    "sitvos": (SITVOS, ModelConfig(backbone="mobilenetv2").narrowed(0.25)),
    "stm": (STM, STMConfig(backbone="mobilenetv2").narrowed(0.25)),
}


def _network(name: str) -> nn.Module:
    """A small random network whose frozen norms are calibrated, as training starts one:
    uncalibrated, a random backbone's activations vanish and every object looks alike."""
    torch.manual_seed(0)
    cls, config = CONFIGS[name]
    model = cls(config).eval()
    images, labels = _clip(3)
    calibrate_frozen_norms(
        model, lambda: ClipLoss(model)(images, _one_hot(labels, 3), labels, torch.tensor([3]))
    )
    return model


class Recording(nn.Module):
    """A network's clip protocol, keeping the logits of every frame it segments."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.logits: list[torch.Tensor] = []

    def encode_frames(self, images):
        return self.model.encode_frames(images)

    def frame(self, encoded, index: int):
        return self.model.frame(encoded, index)

    def memorise(self, query, image, probs):
        return self.model.memorise(query, image, probs)

    def segment_memory(self, query, memory):
        logits = self.model.segment_memory(query, memory)
        self.logits.append(logits.detach())
        return logits


def _clip(k: int, frames: int = 3, size: int = 48) -> tuple[torch.Tensor, torch.Tensor]:
    """Textured frames and labels 0..k: object j is a square moving right by 3 pixels a frame."""
    generator = torch.Generator().manual_seed(k)
    images = torch.rand(1, frames, 3, size, size, generator=generator)
    labels = torch.zeros(1, frames, size, size, dtype=torch.long)
    for t in range(frames):
        for j in range(k):
            top, left = 4 + 14 * j, 4 + 3 * t + 5 * j
            labels[0, t, top : top + 10, left : left + 12] = j + 1
            images[0, t, :, top : top + 10, left : left + 12] = torch.tensor([0.9, 0.2 + 0.3 * j, 0.1])[
                :, None, None
            ]
    return images, labels


def _one_hot(labels: torch.Tensor, k: int) -> torch.Tensor:
    return torch.stack([labels == j for j in range(1, k + 1)], dim=2)


def _relabel(labels: torch.Tensor, order: list[int]) -> torch.Tensor:
    """Object ``order[j]`` (1-based position j) becomes object ``j + 1``."""
    table = torch.tensor([0, *order])
    inverse = torch.empty_like(table)
    inverse[table] = torch.arange(len(table))
    return inverse[labels]


@pytest.mark.parametrize("network", sorted(CONFIGS))
@pytest.mark.parametrize("k", [2, 3])
@torch.no_grad()
def test_training_forward_permutes_with_the_objects(network: str, k: int) -> None:
    """Given masks in another order give the same logits in that order, on every frame (frame
    2 reads frame 1's predicted probabilities from memory), and the same loss."""
    model = _network(network)
    images, labels = _clip(k)
    order = [k, *range(1, k)]  # a cyclic shift: every object moves
    permuted = _relabel(labels, order)
    n = torch.tensor([k])
    runs = []
    for lab in (labels, permuted):
        recording = Recording(model)
        loss = ClipLoss(recording)(images, _one_hot(lab, k), lab, n)
        runs.append((loss, recording.logits))
    (loss, logits), (loss_permuted, logits_permuted) = runs
    assert len(logits) == 2
    for frame, frame_permuted in zip(logits, logits_permuted, strict=True):
        index = torch.tensor(order) - 1
        torch.testing.assert_close(frame_permuted, frame[index], rtol=1e-4, atol=1e-4)
        assert not torch.allclose(frame_permuted, frame, atol=1e-3)  # the objects do differ
    torch.testing.assert_close(loss_permuted, loss, rtol=1e-5, atol=1e-6)
    # the control: the same masks scored against labels in another order is another loss
    mismatched = ClipLoss(model)(images, _one_hot(labels, k), permuted, n)
    assert abs(float(mismatched) - float(loss)) > 1e-4  # 100 times the permuted runs' difference


@pytest.mark.parametrize("network", sorted(CONFIGS))
def test_inference_gives_each_given_mask_its_own_id(network: str, tmp_path: Path) -> None:
    """The same video with the objects' ids exchanged in the given mask: every output frame has
    the ids exchanged the same way."""
    model = _network(network)
    checkpoint = tmp_path / "network.pth"
    save_checkpoint(checkpoint, model, model.config)
    images, labels = _clip(3, frames=4, size=64)
    frames = [(images[0, t].permute(1, 2, 0).numpy() * 255).astype(np.uint8) for t in range(4)]
    first = labels[0, 0].numpy().astype(np.uint8)
    outputs = []
    for mapping in ([0, 1, 2, 3], [0, 3, 1, 2]):
        method = create_method(network, {"checkpoint": str(checkpoint)})
        method.start_video(VideoInfo("v", (64, 64), 4, (1, 2, 3)))
        given = np.array(mapping, np.uint8)[first]
        out = [method.step(frames[0], GivenMasks(given, (1, 2, 3)))]
        out += [method.step(frame, None) for frame in frames[1:]]
        outputs.append(out)
    table = np.array([0, 3, 1, 2], np.uint8)
    for t in range(1, 4):
        assert len(np.unique(outputs[0][t])) > 2  # several objects were predicted
        # the same up to pixels where two objects tie (the product over objects in soft
        # aggregation is summed in another order once the objects are reordered)
        assert (outputs[1][t] == table[outputs[0][t]]).mean() > 0.995
        assert (outputs[1][t] == outputs[0][t]).mean() < 0.95  # the ids did move


@pytest.mark.parametrize("network", sorted(CONFIGS))
def test_training_on_clips_with_several_objects_learns(network: str, tmp_path: Path) -> None:
    """A few dozen iterations on four fixed COCO-style synthetic clips with two or three
    objects each: the training loss falls to under half of where it started."""
    coco = write_coco_demo(tmp_path / "coco")
    options = ClipOptions(size=64, n_frames=3, max_objects=3)
    source = CocoClips(coco, coco / "annotations" / "instances_train2017.json", options, seed=0)
    clips = [c for c in (source[i] for i in range(40)) if int(c["n_objects"]) >= 2][:4]
    assert len(clips) == 4

    class Fixed(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(clips)

        def __getitem__(self, index: int):
            return clips[index % len(clips)]

    config = SITVOSTrainConfig(
        stage="pretrain",
        model=network,
        iterations=40,
        batch_size=2,
        size=64,
        lr=1e-3,
        workers=0,
        backbone="mobilenetv2",
        backbone_init="random",
        width=0.25,
        precision="fp32",
        checkpoint_every=40,
        log_every=1,
    )
    train(config, Fixed(), tmp_path / "run", progress=False)
    losses = [
        json.loads(line)["loss"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    ]
    first, last = np.mean(losses[:4]), np.mean(losses[-4:])
    assert last < 0.5 * first, (first, last)
