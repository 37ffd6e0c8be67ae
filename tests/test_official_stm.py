"""vosbench's STM computes what the authors' code computes, on the authors' weight format.

Seeded random weights are created in the official network (github seoungwugoh/STM,
``model.py``), saved as its evaluation script loads them (``nn.DataParallel``'s state dict),
converted with `vosbench convert-weights --from stm-official`, and both networks segment the
same clip: the official one driven as its DAVIS evaluation drives it (the previous frame and
every 5th frame in memory, 11 object slots), vosbench's through `vosbench run`'s method. The
per-frame probabilities must agree to 1e-4.

The official code is read from a checkout named by ``VOSBENCH_OFFICIAL_STM`` (it has no
licence that lets vosbench include it): ``git clone https://github.com/seoungwugoh/STM``.
What it needs that is absent here (ImageNet downloads, CUDA) is stubbed inside the test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from builders import ellipse_masks

from vosbench.cli import main
from vosbench.methods import GivenMasks, VideoInfo, create_method

OFFICIAL = os.environ.get("VOSBENCH_OFFICIAL_STM", "")
pytestmark = pytest.mark.skipif(
    not OFFICIAL,
    reason="VOSBENCH_OFFICIAL_STM is not set (a checkout of github.com/seoungwugoh/STM to compare with)",
)
SLOTS = 11  # the official evaluation's object slots (background and 10 objects)
EVERY = 5  # its memory: the previous frame and every 5th


@pytest.fixture(scope="module")
def official_stm():
    """A factory of the official STM network, built without downloads or CUDA."""
    import torchvision

    folder = Path(OFFICIAL)
    assert (folder / "model.py").is_file(), f"{folder}: no model.py (expected a checkout of seoungwugoh/STM)"
    sys.path.insert(0, str(folder))
    try:
        import model as official  # the authors' module, from their checkout
    finally:
        sys.path.remove(str(folder))
    real = torchvision.models.resnet50

    def build() -> torch.nn.Module:
        # its encoders ask torchvision for ImageNet weights: random ones instead, only while it builds
        torchvision.models.resnet50 = lambda pretrained=False, **kwargs: real(weights=None)
        try:
            return official.STM()
        finally:
            torchvision.models.resnet50 = real

    yield build
    sys.modules.pop("model", None)
    sys.modules.pop("helpers", None)


def _randomise(net: torch.nn.Module, seed: int) -> None:
    """Seeded random weights everywhere, batch-norm statistics included (so they are tested)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in net.state_dict().items():
            if not tensor.is_floating_point() or (name.endswith(("mean", "std")) and tensor.dim() == 4):
                continue
            if name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            elif name.endswith("running_mean"):
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1)
            elif tensor.dim() > 1:
                fan_in = tensor[0].numel()
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in**0.5)
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1)


def _clip(n_frames: int, size: tuple[int, int], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Frames (T, H, W, 3) uint8 with two moving textured objects, and their label maps."""
    labels = np.stack(ellipse_masks(n_frames, size, 2, seed=seed))
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 255, (*size, 3))
    colours = rng.integers(0, 255, (3, 3))
    frames = np.where(labels[..., None] > 0, colours[labels], background).astype(np.uint8)
    noise = rng.integers(-20, 20, frames.shape)
    return np.clip(frames + noise, 0, 255).astype(np.uint8), labels


def _official_probabilities(net, frames: np.ndarray, first: np.ndarray, n_objects: int) -> list[torch.Tensor]:
    """The official network driven as its DAVIS evaluation drives it: probabilities (n+1, H, W)
    of every frame after the first."""
    t_frames = torch.from_numpy(frames).permute(3, 0, 1, 2)[None].float() / 255  # (1, 3, T, H, W)
    estimate = torch.zeros(1, SLOTS, len(frames), *frames.shape[1:3])
    for obj in range(n_objects + 1):
        estimate[0, obj, 0] = torch.from_numpy(first == obj).float()
    count = torch.tensor([n_objects])
    keys = values = None
    out = []
    with torch.no_grad():
        for t in range(1, len(frames)):
            key, value = net(t_frames[:, :, t - 1], estimate[:, :, t - 1], count)
            now_keys = key if keys is None else torch.cat([keys, key], dim=3)
            now_values = value if values is None else torch.cat([values, value], dim=3)
            logit = net(t_frames[:, :, t], now_keys, now_values, count)
            estimate[:, :, t] = F.softmax(logit, dim=1)
            if (t - 1) % EVERY == 0:  # a frame every 5 stays; the previous one is always read
                keys, values = now_keys, now_values
            out.append(estimate[0, : n_objects + 1, t].clone())
    return out


def _vosbench_probabilities(
    checkpoint: Path, frames: np.ndarray, first: np.ndarray, variant: str = ""
) -> list[torch.Tensor]:
    method = create_method("stm", {"checkpoint": str(checkpoint), "variant": variant})
    ids = tuple(int(i) for i in np.unique(first) if i)
    method.start_video(VideoInfo("clip", frames.shape[1:3], len(frames), ids))
    out = []
    for t, frame in enumerate(frames):
        method.step(frame, GivenMasks(first, ids) if t == 0 else None)
        if t:
            out.append(method.probabilities.clone())
    return out


@pytest.mark.parametrize("size", [(120, 200), (480, 854)])
def test_converted_official_weights_give_the_official_probabilities(
    official_stm, tmp_path: Path, size: tuple[int, int]
) -> None:
    net = official_stm().eval()
    _randomise(net, seed=7)
    released = tmp_path / "STM_weights.pth"
    torch.save(torch.nn.DataParallel(net).state_dict(), released)
    converted = tmp_path / "stm.pth"
    assert main(["convert-weights", "--from", "stm-official", str(released), str(converted)]) == 0

    frames, labels = _clip(8, size, seed=3)
    expected = _official_probabilities(net, frames, labels[0], n_objects=2)
    got = _vosbench_probabilities(converted, frames, labels[0])
    assert len(got) == len(expected) == 7
    worst = max(float((g - e).abs().max()) for g, e in zip(got, expected, strict=True))
    assert worst <= 1e-4, f"max |vosbench - official| = {worst:.2e}"
    # not a comparison of flat fields: the probabilities vary over the frame
    assert all(float(e[1:].std()) > 0.01 for e in expected)
    # and it tells computations apart: border padding (vosbench's own STM) is off by far more
    paper = _vosbench_probabilities(converted, frames, labels[0], variant="paper")
    assert max(float((g - e).abs().max()) for g, e in zip(paper, expected, strict=True)) > 1e-3
