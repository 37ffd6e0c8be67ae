"""Devices and precision: the one place that says what a device string means."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vosbench.errors import VosbenchError


def is_cuda(device: Any) -> bool:
    """Whether ``device`` (``"cuda"``, ``"cuda:N"``, a ``torch.device``) is a CUDA device."""
    return str(device).split(":", 1)[0] == "cuda"


def check_device(device: str) -> None:
    """Fail with one line unless ``device`` is ``cpu``, or ``cuda[:N]`` on a machine with CUDA."""
    if not (device == "cpu" or is_cuda(device)):
        raise VosbenchError(f"--device {device!r}: expected cpu, cuda or cuda:N")
    if is_cuda(device):
        import torch

        if not torch.cuda.is_available():
            raise VosbenchError(
                f"--device {device}: CUDA is not available on this machine (use --device cpu)"
            )


def bf16_autocast(precision: str, device: Any) -> bool:
    """Whether ``precision`` means bf16 autocast on ``device`` (auto: on CUDA only)."""
    return precision == "bf16" or (precision == "auto" and is_cuda(device))


@contextmanager
def flushed_denormals(device: Any) -> Iterator[None]:
    """On a CPU, compute with denormal floats (below 1.2e-38) flushed to zero inside the block,
    and leave the process as it was after it (the setting is the CPU's, not a tensor's).

    Peaked attention leaves many weights that small, and x86 cores take many times longer on
    them: on this project's 2-core Xeon, SITVOS's official variant at 480p spent 9 to 11 s per
    frame in its transformer, 3 s with denormals flushed. Values that small change no
    probability that a mask is drawn from."""
    if is_cuda(device):
        yield
        return
    import torch

    already = float(torch.tensor([1e-39]) * 1.0) == 0.0  # denormal inputs already read as 0
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if not already:
            torch.set_flush_denormal(False)


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Compute with ``threads`` intra-op threads inside the block (0: leave the setting as it
    is), and restore the process's setting after it.

    The thread count sets the order in which a CPU sums floats, and training carries those
    last-bit differences into the weights: results are the same only at the same count."""
    if threads <= 0:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def without_onednn(off: bool) -> Iterator[None]:
    """Inside the block, when ``off``, torch computes CPU convolutions with its own im2col and
    matrix product instead of oneDNN, and restores the process's setting after it.

    oneDNN picks its convolution kernels by processor even under an AVX2 cap: the gradient of
    the mask encoder's 1-channel 7x7 stride-2 convolution (batch 3) came out in other bits
    under an emulated AMD EPYC than on the Intel Xeon, while torch's own path gave the same on
    both (docs/reproducibility.md). Scales that promise identical values compute without it."""
    if not off:
        yield
        return
    import torch

    before = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = before


@contextmanager
def exact_fp32(device: Any) -> Iterator[None]:
    """On CUDA, float32 as the papers' GPUs computed it inside the block: TF32 off for
    convolutions (cuDNN uses it by default on Ampere and later GPUs) and matrix products, and
    the process's settings restored after it. Nothing to do on a CPU."""
    if not is_cuda(device):
        yield
        return
    import torch

    conv, matmul = torch.backends.cudnn.conv, torch.backends.cuda.matmul
    before = (conv.fp32_precision, matmul.fp32_precision)
    conv.fp32_precision = matmul.fp32_precision = "ieee"
    try:
        yield
    finally:
        conv.fp32_precision, matmul.fp32_precision = before
