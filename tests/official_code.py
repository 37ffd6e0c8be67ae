"""What the equivalence tests against the authors' code share: importing their modules from a
checkout without downloads, seeded random weights, and a clip with two moving objects.

The authors' repositories have no licence that lets vosbench include them, so a test reads
them from a checkout that an environment variable names, and skips when it is unset.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
from builders import ellipse_masks

# The official evaluations' object slots: background and 10 objects.
SLOTS = 11
# How far vosbench's probabilities may lie from the authors'; a control (one piece of their
# protocol changed) is "seen" when it moves them by more than this.
TOLERANCE = 1e-4


def official_checkout(variable: str, repository: str) -> tuple[str, pytest.MarkDecorator]:
    """The checkout that ``variable`` names, and the mark that skips a test module without it."""
    folder = os.environ.get(variable, "")
    reason = f"{variable} is not set (a checkout of github.com/{repository} to compare with)"
    return folder, pytest.mark.skipif(not folder, reason=reason)


def measured(line: str) -> None:
    """Reports a measured difference: printed (``pytest -s``) and appended to the file that
    ``VOSBENCH_OFFICIAL_LOG`` names, so that the figures docs/models.md cites are kept even
    when an assertion then fails."""
    print(line)
    if log := os.environ.get("VOSBENCH_OFFICIAL_LOG"):
        with open(log, "a") as out:
            out.write(line + "\n")


def hide_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """The authors' code moves tensors to CUDA whenever it sees a GPU (``ToCuda``); the tests
    compare on the CPU, so the official code must see none."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@contextmanager
def official_modules(folder: Path, names: tuple[str, ...], stubs: dict[str, ModuleType] | None = None):
    """Import from the checkout ``folder`` with ``stubs`` standing in for absent packages, and
    leave ``sys.modules`` as it was afterwards (its ``model``/``utils`` would shadow others)."""
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] in names}
    for name in saved:
        del sys.modules[name]
    sys.modules.update(stubs or {})
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] in names or n in (stubs or {})]:
            del sys.modules[name]
        sys.modules.update(saved)


@contextmanager
def random_torchvision_backbones() -> Iterator[None]:
    """torchvision's ResNets without ImageNet weights (the official code asks for them while it
    builds its encoders; they are replaced by seeded random ones anyway)."""
    import torchvision

    real = {name: getattr(torchvision.models, name) for name in ("resnet18", "resnet50")}
    for name, build in real.items():
        setattr(
            torchvision.models, name, lambda pretrained=False, _build=build, **kwargs: _build(weights=None)
        )
    try:
        yield
    finally:
        for name, build in real.items():
            setattr(torchvision.models, name, build)


def official_sitvos_class(folder: Path) -> type:
    """The official SITVOS network class (``model.model.STM``: it keeps STM's name), imported
    from a checkout with ``resnest`` stubbed (imported there, used only by its resnet101 option)."""
    expected = folder / "model" / "model.py"
    assert expected.is_file(), f"{folder}: no model/model.py (expected a checkout of LANMNG/SITVOS)"
    resnest = ModuleType("resnest")
    resnest.torch = ModuleType("resnest.torch")  # type: ignore[attr-defined]
    resnest.torch.resnest101 = None  # type: ignore[attr-defined]
    with official_modules(folder, ("model", "utils"), {"resnest": resnest, "resnest.torch": resnest.torch}):
        from model.model import STM  # the authors' class, from their checkout

    return STM


def randomise(net: torch.nn.Module, seed: int, gains: dict[str, float] | None = None) -> None:
    """Seeded random weights everywhere, batch-norm statistics included (so they are tested),
    scaled so that the masks in memory change the output (the tests check that they do);
    ``gains``: factors for the tensors whose names start with a key."""
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
            elif name.endswith("weight"):  # a norm's scale near 1: the input's signal survives depth
                tensor.copy_(1 + torch.randn(tensor.shape, generator=generator) * 0.1)
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1)
            tensor.mul_(next((g for prefix, g in (gains or {}).items() if name.startswith(prefix)), 1.0))


# The frame sizes the equivalence tests run at (neither width a multiple of 16: padded on
# every side), each with its objects' scale: at 480x854 objects of 2 to 5% of the frame, as
# DAVIS's are, so that at 1/16 of the frame, where the networks read memory, they cover many
# positions (with 121x203's small ellipses the masks' signal there was 6.5e-5, unseen).
SIZES = {(121, 203): 1, (480, 854): 12}


def clip(
    n_frames: int, size: tuple[int, int], seed: int, n_objects: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Frames (T, H, W, 3) uint8 with moving textured objects, and their label maps; the
    objects' size follows `SIZES`."""
    labels = np.stack(ellipse_masks(n_frames, size, n_objects, seed=seed, scale=SIZES.get(size, 1)))
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 255, (*size, 3))
    colours = rng.integers(0, 255, (n_objects + 1, 3))
    frames = np.where(labels[..., None] > 0, colours[labels], background).astype(np.uint8)
    noise = rng.integers(-20, 20, frames.shape)
    return np.clip(frames + noise, 0, 255).astype(np.uint8), labels


def first_frame_slots(first: np.ndarray, n_objects: int) -> torch.Tensor:
    """The first frame's labels one-hot over the official slots (1, SLOTS, H, W)."""
    onehot = torch.zeros(1, SLOTS, *first.shape)
    for obj in range(n_objects + 1):
        onehot[0, obj] = torch.from_numpy(first == obj).float()
    return onehot


def worst_difference(got: list[torch.Tensor], expected: list[torch.Tensor]) -> float:
    """The largest absolute difference over all frames' probabilities."""
    assert len(got) == len(expected)
    return max(float((g - e).abs().max()) for g, e in zip(got, expected, strict=True))


def method_probabilities(
    method: str, settings: dict, frames: np.ndarray, first: np.ndarray, tweak=None
) -> list[torch.Tensor]:
    """vosbench's ``method`` over ``frames`` as `vosbench run` drives it, the first frame's labels
    given: the merged probabilities (n+1, H, W) of every frame after the first. ``tweak(method)``
    changes one piece of its protocol (a control: the test must see the difference)."""
    from vosbench.methods import GivenMasks, VideoInfo, create_method

    runner = create_method(method, settings)
    if tweak is not None:
        tweak(runner)
    ids = tuple(int(i) for i in np.unique(first) if i)
    runner.start_video(VideoInfo("clip", frames.shape[1:3], len(frames), ids))
    out = []
    for t, frame in enumerate(frames):
        runner.step(frame, GivenMasks(first, ids) if t == 0 else None)
        if t:
            out.append(runner.probabilities.clone())
    return out
