"""Which past frames are in memory (paper Table 4), and the memory's tensors.

:class:`MemoryPolicy` is pure bookkeeping over frame indices, so its bounds can be tested on
long videos without a network. Anchors are the first frame and any later frame where new
objects are given (their masks are ground truth); the strategies:

* ``first``: anchors only;
* ``previous``: the previous frame only;
* ``first-previous``: anchors and the previous frame;
* ``every``: anchors, the previous frame, and every ``k``-th frame (unbounded, as STM);
* ``fixed``: anchors, the previous frame, and intermediate frames spread evenly over the
  past so that the memory never holds more than ``n`` frames: when a frame stops being the
  previous one it joins the intermediate frames, and if they exceed their share the one whose
  neighbours are closest leaves. Storage stays bounded however long the video is;
* ``linspace``: anchors, the previous frame, and the frames ``round(x)`` for ``x`` in
  ``linspace(0, length, n + 2)`` but the last, from the video's ``length`` (the official SITVOS
  evaluation's ``Mem_number`` schedule, which knows the length in advance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import torch

Strategy = Literal["first", "previous", "first-previous", "every", "fixed", "linspace"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)


@dataclass
class MemoryPolicy:
    strategy: Strategy = "fixed"
    n: int = 7
    k: int = 12
    length: int = 0  # the video's frames (linspace only)
    anchors: list[int] = field(default_factory=list)
    previous: int | None = None
    intermediate: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.strategy not in RULES:
            raise ValueError(f"memory strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        if self.strategy == "linspace" and self.n < 1:
            # the official eval.py's Mem_number: 0 (or None) is refused there too
            raise ValueError(f"n must be at least 1 for linspace (Mem_number), got {self.n}")
        if self.strategy != "linspace" and self.n < 2:
            raise ValueError(f"n must be at least 2 (the first and the previous frame), got {self.n}")
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        self.rule = RULES[self.strategy]
        # exactly the official schedule: int(round(x)) of numpy's linspace (half to even)
        self.schedule = frozenset(round(x) for x in np.linspace(0, self.length, self.n + 2)[:-1])

    def frames(self) -> list[int]:
        """The frames in memory now, in temporal order."""
        chosen = set(self.anchors) | set(self.intermediate)
        if self.previous is not None:
            chosen.add(self.previous)
        return sorted(chosen)

    def wants(self, t: int, anchor: bool) -> bool:
        """Whether frame ``t`` enters memory once segmented (so its masks must be encoded)."""
        return self.rule.previous or (anchor and self.rule.anchors)

    def add(self, t: int, anchor: bool) -> None:
        """Frame ``t`` has been segmented: update which frames are in memory."""
        if anchor and self.rule.anchors:
            self.anchors.append(t)
            if self.rule.bounded:
                self._cap_anchors()
                self._trim(self.n - 1 - len(self.anchors))
        if self.rule.previous:
            old, self.previous = self.previous, t
            if old is not None and old not in self.anchors:
                self.rule.retire(self, old)  # it stops being the previous frame

    def _keep_every_k(self, t: int) -> None:
        if t % self.k == 0:
            self.intermediate.append(t)

    def _keep_scheduled(self, t: int) -> None:
        if t in self.schedule:
            self.intermediate.append(t)

    def _keep_spread(self, t: int) -> None:
        share = self.n - 1 - len(self.anchors)
        if share <= 0:
            return
        self.intermediate.append(t)
        self._trim(share)

    def _trim(self, share: int) -> None:
        """Keep at most ``share`` intermediate frames (a new anchor shrinks their share)."""
        while len(self.intermediate) > max(share, 0):
            self._drop_closest()

    def _drop_closest(self) -> None:
        """Drop the intermediate frame whose neighbours are closest: the rest stay even."""
        start = self.anchors[0] if self.anchors else 0
        end = self.previous if self.previous is not None else self.intermediate[-1] + 1
        points = [start, *self.intermediate, end]
        spans = [points[i + 2] - points[i] for i in range(len(self.intermediate))]
        del self.intermediate[spans.index(min(spans))]

    def _cap_anchors(self) -> None:
        """With many late objects, anchors alone could exceed ``n``: keep the first and newest."""
        limit = self.n - 1
        if len(self.anchors) > limit:
            self.anchors = [self.anchors[0], *self.anchors[-(limit - 1) :]] if limit > 1 else self.anchors[:1]


def _forget(policy: MemoryPolicy, t: int) -> None:
    """A retired previous frame leaves memory."""


@dataclass(frozen=True)
class Rule:
    """What a strategy keeps: anchors, the previous frame, what a retired previous frame
    becomes (``retire``), and whether memory is capped at ``n`` frames."""

    anchors: bool
    previous: bool
    retire: Callable[[MemoryPolicy, int], None] = _forget
    bounded: bool = False


# The one table of strategies: MemoryPolicy dispatches on it, nothing compares names.
RULES: dict[str, Rule] = {
    "first": Rule(anchors=True, previous=False),
    "previous": Rule(anchors=False, previous=True),
    "first-previous": Rule(anchors=True, previous=True),
    "every": Rule(anchors=True, previous=True, retire=MemoryPolicy._keep_every_k),
    "fixed": Rule(anchors=True, previous=True, retire=MemoryPolicy._keep_spread, bounded=True),
    "linspace": Rule(anchors=True, previous=True, retire=MemoryPolicy._keep_scheduled),
}
assert tuple(RULES) == STRATEGIES  # the option's choices and the table agree


class MemoryBank:
    """The memory's tensors: per frame its key (C, h, w) and its objects' mask embeddings."""

    def __init__(self, policy: MemoryPolicy) -> None:
        self.policy = policy
        self.keys: dict[int, torch.Tensor] = {}
        self.masks: dict[int, torch.Tensor] = {}  # frame -> (K, C, h, w)
        self.version = 0  # changes whenever the set of frames does

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, t: int, key: torch.Tensor, masks: torch.Tensor, anchor: bool) -> None:
        """Store frame ``t`` (key (1, C, h, w), masks (K, C, h, w)) and drop frames that left."""
        self.keys[t], self.masks[t] = key[0], masks
        self.policy.add(t, anchor)
        for gone in set(self.keys) - set(self.policy.frames()):
            del self.keys[gone], self.masks[gone]
        self.version += 1

    def add_objects(self, empty_embedding: torch.Tensor) -> None:
        """New objects: frames already in memory get ``empty_embedding`` (k, C, h, w) for them."""
        for t in self.masks:
            self.masks[t] = torch.cat([self.masks[t], empty_embedding], dim=0)

    def read(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys (T, C, h, w) and masks (K, T, C, h, w), frames in temporal order."""
        frames = sorted(self.keys)
        keys = torch.stack([self.keys[t] for t in frames])
        masks = torch.stack([self.masks[t] for t in frames], dim=1)
        return keys, masks
