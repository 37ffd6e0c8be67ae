"""The numeric settings under which a CPU computes the same floats on any x86-64 CPU with AVX2.

Training from random weights is chaotic: a last-bit difference in one sum at iteration 1 is a
different network at iteration 50 (this project's quick main-only row scored 7.2 J&F on an
Intel Xeon and 7.6 on an AMD EPYC from the same code). The floats a CPU computes depend on
which kernel each library picks, and the libraries pick by processor:

* torch's own vectorised kernels (ATen) take AVX-512 code where the CPU has it, AVX2 otherwise
  (``ATEN_CPU_CAPABILITY`` caps it);
* oneDNN, which computes torch's CPU convolutions, JIT-compiles for the widest ISA it finds
  (``ONEDNN_MAX_CPU_ISA`` caps it);
* MKL, which computes matrix products, dispatches on ISA and vendor: even its conditional
  numerical reproducibility (CNR) branch ``MKL_CBWR=AVX2`` gave other products on an Intel CPU
  than on an AMD one (below); only its ``COMPATIBLE`` branch (SSE2) gave the same on both;
* NumPy dispatches its float kernels (sin, cos, exp: the demo data's shapes and the training
  clips' affine maps) to AVX-512 code where it can (``NPY_DISABLE_CPU_FEATURES`` stops it);
* OpenCV (the clips' warps, resizes and colour jitter, optical flow) dispatches some kernels to
  AVX-512 and AVX-VNNI code (``OPENCV_CPU_DISABLE`` stops it; OpenCV warns about naming a
  group the CPU lacks, so only the groups this CPU has are named: nothing on an AVX2 CPU);
* MKL's vector maths (VML), which torch's float ``sqrt``, ``acos``, ``asin``, ``atan`` and
  ``log10`` call over long tensors, follows the processor under every ``MKL_CBWR`` branch: no
  variable fixes it, so the computations that promise identical values avoid those kernels
  (the trainer's Adam is the fused one; ``tests/test_numerics.py`` checks a training step);
* oneDNN picks its convolution kernels by processor even under its ISA cap (a 1-channel
  convolution's gradient differed between the Xeon and an emulated EPYC), so the pinned scales
  compute convolutions with torch's own im2col and matrix product instead
  (:func:`vosbench.system.devices.without_onednn`);
* the thread count sets how every parallel sum is split (``torch.set_num_threads``, and
  ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` for pools that start before torch sets it).

Each library reads its variable once, when it is loaded or first computes, so they are set
before NumPy and torch are imported: :func:`pin` at the start of a command.
:func:`numeric_state` says what is in effect, for every measured row to record.

How this was checked (2026-12-03, torch 2.14.1, on this project's AMD EPYC machine): a probe of
the kernels the quick scale uses (convolutions forward and backward, matrix products, softmax,
sums, LayerNorm, bilinear resizing) hashed bit for bit, natively and under QEMU's user-mode
emulation of an Intel Haswell (GenuineIntel, its own cache sizes) and of an AMD EPYC-Rome. With
the settings below every kernel gave the same bits on all three; with MKL's ``AVX2`` branch
the matrix products differed between the Intel and the AMD processor (the convolutions, which
oneDNN computes, did not). QEMU cannot emulate AVX-512, so the Xeon's own AVX-512 code is not
what this shows: the caps keep it from running. On 2026-12-04 the Xeon itself still trained
other weights: the probe had left out MKL's vector maths (``benchmarks/probe_kernels.py`` now
covers it; docs/reproducibility.md).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

# isa -> (ATen capability, oneDNN max ISA, MKL CNR branch, NumPy features turned off)
ISAS = {"avx2": ("avx2", "AVX2", "COMPATIBLE", "X86_V4 AVX512_ICL AVX512_SPR")}
# OpenCV's dispatch groups wider than AVX2, by the /proc/cpuinfo flags each needs
_SKX = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
OPENCV_WIDER = {"AVX_VNNI": frozenset({"avx_vnni"}), "AVX512-SKX": _SKX, "AVX512-CLX": _SKX | {"avx512_vnni"}}


@dataclass(frozen=True)
class Numerics:
    """What a computation promising identical values pins: threads and the widest ISA."""

    threads: int = 0  # torch's intra-op threads (0: its default, which follows the machine)
    isa: str = ""  # a key of ISAS ("": each library picks for the machine, as torch does by default)

    def __post_init__(self) -> None:
        if self.threads < 0:
            raise ValueError(f"threads: expected 0 or more, got {self.threads}")
        if self.isa and self.isa not in ISAS:
            raise ValueError(f"isa: expected one of {', '.join(ISAS)} or nothing, got {self.isa!r}")

    @property
    def pinned(self) -> bool:
        return bool(self.isa) and self.threads > 0

    @property
    def onednn(self) -> bool:
        """Whether convolutions are oneDNN's: not where pinned, since oneDNN picks its kernels by
        processor even under an ISA cap (torch's own im2col path computes them instead)."""
        return not self.pinned

    def keyed(self) -> dict[str, object]:
        """What of these settings keys a cached step: everything that changes its floats."""
        return {"threads": self.threads, "isa": self.isa, "onednn": self.onednn}

    def environment(self) -> dict[str, str]:
        """The variables that set these numerics in a process that has not computed yet."""
        env: dict[str, str] = {}
        if self.isa:
            aten, onednn, mkl, numpy_off = ISAS[self.isa]
            env |= {
                "ATEN_CPU_CAPABILITY": aten,
                "ONEDNN_MAX_CPU_ISA": onednn,
                "DNNL_MAX_CPU_ISA": onednn,  # the name oneDNN read before 2.0; harmless after
                "MKL_CBWR": mkl,
                "MKL_DYNAMIC": "FALSE",  # MKL uses the threads it is given, never fewer
                "NPY_DISABLE_CPU_FEATURES": numpy_off,
            }
            opencv_off = opencv_groups_off(cpu_flags())
            if opencv_off:
                env["OPENCV_CPU_DISABLE"] = opencv_off
        if self.threads:
            env |= {"OMP_NUM_THREADS": str(self.threads), "MKL_NUM_THREADS": str(self.threads)}
        return env

    def label(self) -> str:
        """How a table names them, e.g. ``avx2, 2 threads``."""
        parts = [self.isa or "native ISA", f"{self.threads} threads" if self.threads else "default threads"]
        return ", ".join(parts)


@functools.cache  # a process's CPU does not change
def cpu_flags() -> frozenset[str]:
    """This CPU's feature flags as Linux lists them (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def opencv_groups_off(flags: frozenset[str]) -> str:
    """The value of ``OPENCV_CPU_DISABLE`` that keeps OpenCV to AVX2 code on a CPU with ``flags``:
    the wider groups it has, comma-separated ("" where it has none)."""
    return ",".join(name for name, needs in OPENCV_WIDER.items() if needs <= flags)


def pin(numerics: Numerics) -> bool:
    """Set ``numerics`` for this process; False where NumPy or torch was imported before with
    other settings (each library reads its own once, so it is too late: nothing is changed, and
    :func:`numeric_state` tells what is in effect). The thread count is applied again where
    the computation starts (:func:`vosbench.system.devices.torch_threads`)."""
    env = numerics.environment()
    loaded = any(name in sys.modules for name in ("numpy", "torch", "cv2"))
    if loaded and any(os.environ.get(k) != v for k, v in env.items()):
        return False
    os.environ.update(env)
    return True


def numeric_state() -> dict[str, object]:
    """The numeric settings in effect: what every measured row records beside its values."""
    import numpy
    import torch

    state: dict[str, object] = {
        "threads": torch.get_num_threads(),
        "aten_capability": torch.backends.cpu.get_cpu_capability(),
        "onednn_max_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", ""),
        "mkl_cbwr": os.environ.get("MKL_CBWR", ""),
        "numpy_disabled": os.environ.get("NPY_DISABLE_CPU_FEATURES", ""),
        "opencv_disabled": os.environ.get("OPENCV_CPU_DISABLE", ""),
        "onednn": torch.backends.mkldnn.enabled,  # convolutions by oneDNN (off where pinned)
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }
    if "cv2" in sys.modules:
        state["opencv"] = sys.modules["cv2"].__version__
    return state


def state_matches(numerics: Numerics, state: dict[str, object], flags: frozenset[str] | None = None) -> bool:
    """Whether ``state`` (from :func:`numeric_state`) is what ``numerics`` pins. OpenCV's cap
    names the groups of the CPU that computed it, so it is checked only where that CPU's
    ``flags`` are given (this process's own state); a recorded row's CPU is not known here."""
    if numerics.threads and state.get("threads") != numerics.threads:
        return False
    if numerics.isa:
        aten, onednn, mkl, numpy_off = ISAS[numerics.isa]
        wanted = {
            "aten_capability": aten,
            "onednn_max_isa": onednn,
            "mkl_cbwr": mkl,
            "numpy_disabled": numpy_off,
        }
        if flags is not None:
            wanted["opencv_disabled"] = opencv_groups_off(flags)
        if state.get("onednn", True) != numerics.onednn:  # a row without the key computed with it
            return False
        return all(str(state.get(k, "")).upper() == v.upper() for k, v in wanted.items())
    return True
