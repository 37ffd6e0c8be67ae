"""What a run ran on: package versions and hardware, for run.json."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime


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
    if device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return info


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
