"""The protocol every semi-supervised VOS method follows, bundled or plugged in.

A method is set up for one video, then receives its frames in temporal order. With a frame
come the masks of any objects first given on that frame (DAVIS: all objects on frame 0;
YouTube-VOS: objects can start later) and it returns the label map of that frame. It may
keep any state (its memory) between frames; :meth:`Method.end_video` frees it.

The runner reads and writes every file: a method sees arrays only. Time spent in
:meth:`Method.step` is what the FPS profiler measures; a method may mark stages inside
it with ``with self.stage("backbone"): ...``.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np


@dataclass(frozen=True)
class VideoInfo:
    """What a method may know about a video before its first frame."""

    name: str
    size: tuple[int, int]  # (height, width) of every frame
    n_frames: int
    object_ids: tuple[int, ...]  # every object that will be given, in id order


@dataclass(frozen=True)
class GivenMasks:
    """Objects whose masks are given on a frame: ``labels`` holds their ids, 0 elsewhere."""

    labels: np.ndarray  # (H, W) uint8
    ids: tuple[int, ...]


class StageTimer(Protocol):
    def stage(self, name: str) -> contextlib.AbstractContextManager[None]: ...


@dataclass(frozen=True)
class NoOptions:
    """For methods without options."""


class Method(ABC):
    """Base class of a VOS method. Subclasses set ``Options`` to a frozen dataclass."""

    Options: ClassVar[type] = NoOptions
    description: ClassVar[str] = ""

    def __init__(self, options: Any = None, device: str = "cpu") -> None:
        self.options = options if options is not None else self.Options()
        self._device = device
        self._timer: StageTimer | None = None

    @property
    def device(self) -> str:
        """Where the method computes: ``"cpu"`` or ``"cuda"`` (``"cuda:N"``)."""
        return self._device

    def attach_timer(self, timer: StageTimer | None) -> None:
        """Called by the profiler so that :meth:`stage` reports to it."""
        self._timer = timer

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Mark a stage of :meth:`step` (backbone, memory read, decoder...) for the profiler."""
        if self._timer is None:
            yield
        else:
            with self._timer.stage(name):
                yield

    @abstractmethod
    def start_video(self, info: VideoInfo) -> None:
        """Forget the previous video and get ready for this one."""

    @abstractmethod
    def step(self, image: np.ndarray, given: GivenMasks | None) -> np.ndarray:
        """Segment the next frame: ``image`` is (H, W, 3) RGB uint8; return (H, W) uint8 labels.

        ``given`` holds the masks of the objects first given on this frame; the returned map
        must keep them (the benchmark scores an object only after its given frame).
        """

    def end_video(self) -> None:  # noqa: B027 - optional hook
        """Free per-video state (memory); called after the last frame."""
