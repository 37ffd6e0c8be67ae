"""Honest per-frame timing of a method: what a paper's FPS column means.

Only :meth:`Method.step` is timed (reading, decoding and writing files are not), and on
CUDA the device is synchronised before and after each frame, so the time is the method's
whole work on that frame. The first ``warmup`` frames of a run are left out (CUDA context,
cuDNN autotuning, caches). Stages a method marks are timed the same way.

A CPU figure depends on the machine's other work and on the threads the libraries use, so
each report carries the 1-minute load average when timing started and the thread counts,
and a busy machine is warned about before the run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from vosbench.system.devices import is_cuda
from vosbench.system.provenance import (
    BusyMeter,
    busy_machine,
    compute_threads,
    conditions_label,
    load_average,
)


@dataclass(frozen=True)
class ProfileReport:
    """FPS and latency over the timed frames (warm-up frames excluded)."""

    frames: int
    warmup_frames: int
    seconds: float
    fps: float  # frames / seconds: the mean FPS over the dataset
    median_ms: float
    p90_ms: float
    peak_gpu_memory_mb: float | None
    stages_ms: dict[str, float] = field(default_factory=dict)  # mean per timed frame
    device: str = "cpu"
    threads: dict[str, int] = field(default_factory=dict)  # library -> threads (torch, opencv)
    load_before: float | None = None  # 1-minute load average when timing started
    load_after: float | None = None  # ... and when it ended
    others_busy: float | None = None  # cores other processes kept busy while it was timed

    @property
    def conditions(self) -> str:
        """Threads and load, to print beside the FPS."""
        return conditions_label(self.load_before, self.others_busy, self.threads)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        text = f"{self.fps:.2f} FPS over {self.frames} frames "
        text += f"(median {self.median_ms:.1f} ms, p90 {self.p90_ms:.1f} ms"
        if self.peak_gpu_memory_mb is not None:
            text += f", peak GPU memory {self.peak_gpu_memory_mb:.0f} MB"
        text += f"; {self.warmup_frames} warm-up frames excluded; {self.device}"
        text += f"; {self.conditions})" if self.conditions else ")"
        if self.stages_ms:
            text += "\n  stages (ms/frame): " + ", ".join(f"{k} {v:.2f}" for k, v in self.stages_ms.items())
        return text


class Profiler:
    """Collects per-frame and per-stage times; ``frame()`` wraps one call of ``step``."""

    def __init__(self, device: str = "cpu", warmup: int = 5) -> None:
        self.device = device
        self.cuda = is_cuda(device)
        self.warmup = warmup
        self.seen = 0
        self.times: list[float] = []
        self.stage_totals: dict[str, float] = {}
        self._timing = False
        self.load_before = load_average()
        self.others_busy: float | None = None
        self._meter: BusyMeter | None = None
        if self.cuda:
            import torch

            torch.cuda.reset_peak_memory_stats(device)

    def watch(self) -> None:
        """Start measuring the other processes' CPU use, for :meth:`warn_if_busy` to read when
        the timed work ends. (A CUDA FPS does not depend on it: not measured.)"""
        if not self.cuda:
            self._meter = BusyMeter()

    def warn_if_busy(self) -> None:
        """Read what other processes used while the work was timed, and say on stderr when
        they held the CPU: the FPS measured is then low."""
        if self._meter is None:
            return
        self.others_busy = self._meter.read()
        if busy_machine(self.others_busy):
            import os
            import sys

            print(
                f"vosbench: warning: the machine was busy while this was timed (other processes "
                f"used {self.others_busy:.1f} of {os.cpu_count()} cores); its CPU FPS is low "
                "(recorded in the profile)",
                file=sys.stderr,
            )

    def _sync(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize(self.device)

    @contextlib.contextmanager
    def _synced(self, record: Callable[[float], None]) -> Iterator[None]:
        """Time the block between two device synchronisations and pass the seconds on."""
        self._sync()
        start = time.perf_counter()
        try:
            yield
        finally:
            self._sync()
            record(time.perf_counter() - start)

    @contextlib.contextmanager
    def frame(self) -> Iterator[None]:
        """Time one frame of the method (after the warm-up frames)."""
        self._timing = self.seen >= self.warmup
        self.seen += 1
        try:
            with self._synced(self.times.append if self._timing else lambda _: None):
                yield
        finally:
            self._timing = False

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage inside a frame (the method calls this through ``Method.stage``)."""
        if not self._timing:
            yield
            return

        def add(seconds: float) -> None:
            self.stage_totals[name] = self.stage_totals.get(name, 0.0) + seconds

        with self._synced(add):
            yield

    def merge(self, times: list[float], stage_totals: dict[str, float], seen: int) -> None:
        """Add frames timed elsewhere (another video's record, another rank)."""
        self.times.extend(times)
        self.seen += seen
        for k, v in stage_totals.items():
            self.stage_totals[k] = self.stage_totals.get(k, 0.0) + v

    def report(self) -> ProfileReport:
        times = np.asarray(self.times)
        seconds = float(times.sum())
        n = len(times)
        peak = None
        if self.cuda:
            import torch

            peak = torch.cuda.max_memory_allocated(self.device) / 2**20
        return ProfileReport(
            frames=n,
            warmup_frames=self.seen - n,
            seconds=seconds,
            fps=n / seconds if seconds > 0 else float("nan"),
            median_ms=float(np.median(times) * 1000) if n else float("nan"),
            p90_ms=float(np.percentile(times, 90) * 1000) if n else float("nan"),
            peak_gpu_memory_mb=peak,
            stages_ms={k: v / n * 1000 for k, v in self.stage_totals.items()} if n else {},
            device=self.device,
            threads=compute_threads(),
            load_before=self.load_before,
            load_after=load_average(),
            others_busy=self.others_busy,
        )
