"""What every memory-network method shares: weights, device, precision, the network input
size, and the official evaluations' protocol for converted weights."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from memnet.aggregation import soft_aggregate
from memnet.frames import NetworkFrame
from memnet.padding import PaddingMode, unpad, zero_border
from memnet.weights import load_model
from vosbench.methods import Method
from vosbench.system.devices import bf16_autocast, exact_fp32, flushed_denormals, is_cuda

# The official evaluations' object slots: background and 10 objects, empty ones included.
OFFICIAL_SLOTS = 11


@dataclass(frozen=True)
class NetworkOptions:
    checkpoint: str = field(default="", metadata={"help": "a checkpoint (.pth) from `vosbench train`"})
    init: Literal["imagenet", "random"] = field(
        default="imagenet",
        metadata={
            "help": "without a checkpoint: ImageNet backbones (torchvision download or cache) or random"
        },
    )
    backbone: Literal["", "resnet50", "mobilenetv2"] = field(
        default="",
        metadata={
            "help": "the checkpoint's; without one resnet50 (the paper's) or mobilenetv2 (small-scale)"
        },
    )
    backbone_weights: str = field(
        default="", metadata={"help": "without a checkpoint: the image backbone's weights from this file"}
    )
    # fp32 by default: the papers' numbers are fp32, and a scoring run must not change J&F by
    # itself; bf16 (or auto: bf16 on CUDA) is an explicit speed option.
    precision: Literal["auto", "fp32", "bf16"] = field(
        default="fp32", metadata={"help": "fp32 (default, as the papers); bf16, or auto: bf16 on CUDA only"}
    )
    size: int = field(
        default=0,
        metadata={"help": "network input: shorter side at most this (0: full size); masks are full size"},
    )
    seed: int = field(
        default=0,
        metadata={"help": "seeds the weights that start random (init=random, new layers), so runs repeat"},
    )
    variant: Literal["", "paper", "official"] = field(
        default="",
        metadata={
            "help": "the checkpoint's (official for converted official weights); official: zero padding, "
            "memory from the unpadded probabilities, 11 object slots, as the authors' evaluation"
        },
    )

    def __post_init__(self) -> None:
        if self.size and self.size < 32:
            raise ValueError(f"size must be 0 (full size) or at least 32, got {self.size}")


class NetworkMethod(Method):
    """A method backed by a registered memory network: loads it, places it, autocasts.

    A subclass names its network (``architecture``, the name it is registered under in
    ``vosbench.networks``) and, where its options choose fields of the network's config,
    returns them from :meth:`network_settings`.
    """

    architecture: str

    def network_settings(self) -> dict[str, Any]:
        """Fields of the network's config that the options choose (none here)."""
        return {}

    def __init__(self, options: NetworkOptions | None = None, device: str = "cpu") -> None:
        super().__init__(options, device)
        opts = self.options
        # Seeded in a forked RNG: the same options give the same weights, and the caller's
        # random state is left as it was.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(opts.seed)
            model = load_model(
                self.architecture,
                opts.checkpoint,
                self.network_settings(),
                opts.init,
                opts.backbone,
                opts.backbone_weights,
                opts.variant,
            )
        self.model = model.to(device).eval()
        self.cuda = is_cuda(device)
        if self.cuda:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.dtype = torch.bfloat16 if bf16_autocast(opts.precision, device) else None
        self.official = (opts.variant or getattr(self.model.config, "variant", "paper")) == "official"
        # The three ways the official evaluations differ from the paper variant, one attribute
        # each (the equivalence tests change them one at a time and must see each):
        self.padding: PaddingMode = "zero" if self.official else "replicate"  # frames padded with
        self.slots = OFFICIAL_SLOTS if self.official else 0  # aggregation over empty object slots
        self.repad = self.official  # memory from the unpadded probabilities, padded with zeros again
        self.probabilities: torch.Tensor | None = None  # the last frame's (K+1, H, W), unpadded

    def aggregate(self, foreground: torch.Tensor, frame: NetworkFrame) -> torch.Tensor:
        """Soft aggregation of the objects' probabilities (K, Hp, Wp) -> (K+1, Hp, Wp), over
        the official code's 11 slots for its variant; keeps the unpadded result."""
        probs = soft_aggregate(foreground, self.slots)
        self.probabilities = unpad(probs, frame.pad)
        return probs

    def remembered(self, probs: torch.Tensor, frame: NetworkFrame) -> torch.Tensor:
        """The objects' probabilities (K, Hp, Wp) that enter memory: the official code crops
        them and pads with zeros again, the paper variant keeps the border's."""
        return zero_border(probs[1:], frame.pad) if self.repad else probs[1:]

    @contextlib.contextmanager
    def _autocast(self) -> Iterator[None]:
        """How the network computes: bf16 autocast when asked, else exact fp32 (no TF32 on
        CUDA), denormals flushed on a CPU."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(flushed_denormals(self.device))
            if self.dtype is None:
                stack.enter_context(exact_fp32(self.device))
            else:
                device_type = torch.device(self.device).type
                stack.enter_context(torch.autocast(device_type=device_type, dtype=self.dtype))
            yield
