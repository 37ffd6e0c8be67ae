"""What a run ran on: package versions and hardware, for run.json."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from vosbench.system.devices import is_cuda


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device: str) -> dict:
    """The CPU (name, cores, platform) and, on CUDA, the GPU's name."""
    info = {"cpu": _cpu_name(), "cpu_cores": os.cpu_count(), "platform": platform.platform()}
    if is_cuda(device):
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return info


def load_average() -> float | None:
    """The 1-minute load average (runnable processes), ``None`` where the OS has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def compute_threads() -> dict[str, int]:
    """The threads each loaded numerical library uses (torch, OpenCV): what a CPU FPS depends on."""
    threads = {}
    if "torch" in sys.modules:
        threads["torch"] = sys.modules["torch"].get_num_threads()
    if "cv2" in sys.modules:
        threads["opencv"] = sys.modules["cv2"].getNumThreads()
    return threads


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (Linux ``/proc/stat``)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user time
    return total - idle, total


def _process_jiffies() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU time so far: user + system, all threads, in clock ticks)."""
    table = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (OSError, IndexError, UnicodeDecodeError):
            continue  # the process ended meanwhile
        table[int(stat_file.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _own_jiffies() -> int | None:
    """CPU time of this process and its live descendants (data-loading workers are vosbench's
    own work, not another program's), in clock ticks."""
    table = _process_jiffies()
    if os.getpid() not in table:
        return None
    own, frontier = {os.getpid()}, [os.getpid()]
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in own:
                own.add(child)
                frontier.append(child)
    return sum(table[pid][1] for pid in own)


class BusyMeter:
    """How many cores other processes keep busy from its creation to a reading.

    The load average also counts this process's own recent work (training just before a
    run, an earlier video), so it cannot say whether *other* work competes; this can. Started
    when timing starts and read when it ends, it measures the competition the timed work met,
    at no cost to it.
    """

    def __init__(self) -> None:
        import time

        self._start = time.monotonic()
        self._machine, self._own = _cpu_jiffies(), _own_jiffies()

    def read(self, min_window_s: float = 0.3) -> float | None:
        """The cores others used since the start (None where /proc cannot say); waits until
        ``min_window_s`` have passed, since a shorter window holds too few clock ticks."""
        import time

        if self._machine is None or self._own is None:
            return None
        time.sleep(max(0.0, min_window_s - (time.monotonic() - self._start)))
        after, own_after = _cpu_jiffies(), _own_jiffies()
        if after is None or own_after is None or after[1] <= self._machine[1]:
            return None
        cores = os.cpu_count() or 1
        others = (after[0] - self._machine[0]) - (own_after - self._own)
        return round(max(0.0, cores * others / (after[1] - self._machine[1])), 2)


def other_cores_busy(window_s: float = 0.3) -> float | None:
    """How many cores other processes keep busy now, over a short window."""
    return BusyMeter().read(window_s)


def busy_machine(other_busy: float | None, cores: int | None = None) -> bool:
    """Whether other work holds at least half the cores (at least one): a CPU FPS would be low."""
    cores = cores or os.cpu_count() or 1
    return other_busy is not None and other_busy >= max(1.0, cores / 2)


def conditions_label(load_before: float | None, others_busy: float | None, threads: dict[str, int]) -> str:
    """How an FPS was measured, beside the hardware: e.g. ``torch 2 threads, load 1.1, others 0.0``
    (threads per library, the 1-minute load average, cores other processes used while it was timed)."""
    parts = [f"{name} {n} threads" for name, n in threads.items()]
    if load_before is not None:
        parts.append(f"load {load_before:.1f}")
    if others_busy is not None:
        parts.append(f"others {others_busy:.1f}")
    return ", ".join(parts)


def hardware_label(info: dict) -> str:
    """What a figure names as its hardware: the GPU, else the CPU and its cores."""
    if "gpu" in info:
        return str(info["gpu"])
    return f"{info['cpu']} ({info['cpu_cores']} cores)"


def provenance(device: str) -> dict:
    """Versions of Python, vosbench, torch, numpy and OpenCV; CPU and GPU names; the time."""
    import cv2
    import numpy
    import torch

    from vosbench import __version__

    info = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {
            "python": sys.version.split()[0],
            "vosbench": __version__,
            "torch": torch.__version__,
            "numpy": numpy.__version__,
            "opencv": cv2.__version__,
        },
        "hardware": hardware(device),
        "device": device,
    }
    return info


CODE_PATHS = ("vosbench", "sitvos", "baselines", "pyproject.toml")


def git_commit(where: str | os.PathLike[str] = ".", paths: tuple[str, ...] = CODE_PATHS) -> str:
    """The checkout's commit (short), ``+changes`` when the code differs from it (tracked files
    under ``paths``, relative to the repository root); ``unknown`` outside git."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *paths],
            cwd=top,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")
