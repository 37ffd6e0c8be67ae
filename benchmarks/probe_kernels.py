#!/usr/bin/env python3
"""Hash the outputs of the kernels the pinned scales' training and inference use, under the
quick scale's numeric settings, to find which ones give other bits on another processor.

    .venv/bin/python benchmarks/probe_kernels.py > native.txt
    qemu-x86_64 -cpu EPYC-Rome .venv/bin/python benchmarks/probe_kernels.py > epyc.txt
    qemu-x86_64 -cpu Haswell .venv/bin/python benchmarks/probe_kernels.py > haswell.txt
    diff native.txt epyc.txt      # each line that differs names a kernel that follows the CPU

QEMU's user-mode emulation (Debian's qemu-user) shows the code a library picks for another
vendor's processor (its CPUID, cache sizes and ISA) on this one; it cannot emulate AVX-512,
which the caps keep from running anyway. Inputs are fixed by seeds; every line is one kernel
(or a small group), with one hash per output (forward, then gradients).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vosbench.numerics import Numerics

# As `vosbench reproduce` sets them (under emulation OpenCV may warn about AVX-512 groups named
# from the host's /proc/cpuinfo that the emulated CPU lacks: harmless)
os.environ.update(Numerics(threads=2, isa="avx2").environment())

import cv2
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
cv2.setNumThreads(2)
G = torch.Generator().manual_seed(0)


def digest(*values: object) -> str:
    """One short hash per value (tensors, arrays, numbers)."""
    out = []
    for value in values:
        array = value.detach().contiguous().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        out.append(hashlib.sha1(np.ascontiguousarray(array).tobytes()).hexdigest()[:10])
    return " ".join(out)


def randn(*shape: int, grad: bool = False) -> torch.Tensor:
    return torch.randn(*shape, generator=G).requires_grad_(grad)


def with_grads(fn: Callable[..., torch.Tensor], *inputs: torch.Tensor) -> str:
    """The output and each input's gradient under a fixed random upstream gradient."""
    leaves = [x.detach().clone().requires_grad_() for x in inputs]
    y = fn(*leaves)
    y.backward(torch.randn(y.shape, generator=G))
    return digest(y, *(x.grad for x in leaves))


def torch_kernels() -> dict[str, str]:
    rows: dict[str, str] = {}
    for n, c, hw, k, s, co in [
        (3, 1, 64, 7, 2, 64),  # the mask encoder's first convolution: oneDNN's gradient followed the CPU
        (1, 8, 16, 3, 1, 16),
        (4, 32, 40, 3, 1, 32),
        (4, 64, 20, 1, 1, 128),
        (4, 3, 64, 7, 2, 16),
        (2, 256, 12, 3, 1, 64),
        (1, 1024, 4, 1, 1, 256),
    ]:
        conv = lambda x, w, b, s=s, k=k: F.conv2d(x, w, b, stride=s, padding=k // 2)  # noqa: E731
        inputs = randn(n, c, hw, hw), randn(co, c, k, k), randn(co)
        for onednn in (True, False):  # the pinned scales compute without oneDNN
            torch.backends.mkldnn.enabled = onednn
            rows[f"conv2d {n}x{c}x{hw}x{hw} k{k} s{s} -> {co}, oneDNN {onednn}"] = with_grads(conv, *inputs)
        torch.backends.mkldnn.enabled = True
    for m, k, n in [(3, 3, 3), (64, 64, 64), (100, 37, 500), (1024, 256, 96), (7, 512, 9)]:
        rows[f"matmul {m}x{k}x{n}"] = with_grads(torch.matmul, randn(m, k), randn(k, n))
    rows["bmm"] = with_grads(torch.bmm, randn(8, 50, 300), randn(8, 300, 70))
    for shape in [(4, 120, 96), (480, 96), (4, 1200, 96)]:
        rows[f"linear {shape}"] = with_grads(F.linear, randn(*shape), randn(48, 96), randn(48))
    x = randn(4, 300, 200)
    rows["softmax"] = with_grads(lambda t: torch.softmax(t, -1), x)
    rows["log_softmax"] = with_grads(lambda t: F.log_softmax(t, 1), x)
    rows["layer_norm"] = with_grads(
        lambda t, w, b: F.layer_norm(t, (96,), w, b), randn(4, 100, 96), randn(96), randn(96)
    )
    rows["batch_norm (training)"] = with_grads(
        lambda t: F.batch_norm(t, None, None, training=True), randn(4, 32, 20, 20)
    )
    x = randn(4, 16, 20, 30)
    for corners in (False, True):
        rows[f"bilinear align_corners={corners}"] = with_grads(
            lambda t, c=corners: F.interpolate(t, size=(37, 61), mode="bilinear", align_corners=c), x
        )
    rows["nearest"] = with_grads(lambda t: F.interpolate(t, scale_factor=2, mode="nearest"), x)
    rows["max_pool2d"] = with_grads(lambda t: F.max_pool2d(t, 3, 2, 1), x)
    q = randn(4, 200, 64)
    rows["scaled_dot_product_attention"] = with_grads(
        lambda t: F.scaled_dot_product_attention(t, t * 0.5, t + 1), q
    )
    torch.manual_seed(3)
    rows["scaled_dot_product_attention, dropout"] = with_grads(
        lambda t: F.scaled_dot_product_attention(t, t * 0.5, t + 1, dropout_p=0.01), q
    )
    x = torch.rand(100000, generator=G) * 0.9 + 0.05
    for name in [
        "acos",
        "asin",
        "atan",
        "cos",
        "sin",
        "tan",
        "tanh",
        "erf",
        "erfc",
        "erfinv",
        "exp",
        "expm1",
        "log",
        "log10",
        "log1p",
        "log2",
        "sqrt",
        "rsqrt",
        "reciprocal",
        "sigmoid",
        "trunc",
    ]:
        rows[f"torch.{name} (100,000 floats)"] = digest(getattr(torch, name)(x))
    rows["torch._foreach_sqrt"] = digest(*torch._foreach_sqrt([x, x[:5000]]))
    rows["relu gelu"] = digest(F.relu(x - 0.5), F.gelu(x))
    rows["sum mean norm"] = digest(
        x.sum(), x.mean(), x.reshape(100, 1000).sum(0), x.reshape(100, 1000).sum(1), x.norm()
    )
    target = torch.randint(0, 3, (4, 30, 30), generator=G)
    rows["cross_entropy"] = with_grads(lambda t: F.cross_entropy(t, target), randn(4, 3, 30, 30))
    rows["binary_cross_entropy_with_logits"] = with_grads(
        lambda t: F.binary_cross_entropy_with_logits(t, (target[:, None] > 0).float()), randn(4, 1, 30, 30)
    )
    params = [randn(64, 32, 3, 3), randn(64)]
    for options in ({"foreach": True}, {"foreach": False}, {"fused": True}):
        tensors = [p.clone().requires_grad_() for p in params]
        optimizer = torch.optim.Adam(tensors, lr=1e-3, **options)
        for _ in range(3):
            optimizer.zero_grad()
            (tensors[0].square().sum() + tensors[1].sin().sum()).backward()
            optimizer.step()
        rows[f"Adam {options}"] = digest(*tensors)
    torch.manual_seed(0)
    rows["random draws"] = digest(
        torch.randn(1000),
        torch.rand(1000),
        torch.randint(0, 100, (1000,)),
        torch.randperm(1000),
        torch.empty(1000).bernoulli_(0.3),
        torch.nn.init.kaiming_normal_(torch.empty(64, 32, 3, 3)),
    )
    return rows


def numpy_and_opencv_kernels() -> dict[str, str]:
    rows: dict[str, str] = {}
    rng = np.random.default_rng(0)
    v = rng.uniform(-3, 3, 10000)
    rows["numpy sin cos tan exp log"] = digest(
        np.sin(v), np.cos(v), np.tan(v), np.exp(v), np.log(np.abs(v) + 1)
    )
    rows["numpy random draws"] = digest(
        rng.normal(size=100), rng.uniform(size=100), rng.integers(0, 100, 100)
    )
    m3, m2 = rng.normal(size=(3, 3)), rng.normal(size=(2, 2))
    rows["numpy small matrix products"] = digest(m3 @ m3, m2 @ m2, m2 @ rng.normal(size=2))
    rows["numpy linalg.inv (OpenBLAS)"] = digest(np.linalg.inv(m3))
    image = rng.uniform(0, 255, (120, 160, 3)).astype(np.uint8)
    matrix = np.array([[1.1, 0.2, -5.3], [-0.15, 0.93, 4.1]])
    for interpolation in (cv2.INTER_LINEAR, cv2.INTER_NEAREST):
        rows[f"cv2.warpAffine {interpolation}"] = digest(
            *(
                cv2.warpAffine(image, matrix, (96, 96), flags=interpolation, borderMode=border)
                for border in (cv2.BORDER_REFLECT_101, cv2.BORDER_CONSTANT)
            )
        )
    rows["cv2.resize"] = digest(
        *(
            cv2.resize(img, size, interpolation=mode)
            for img in (image, image.astype(np.float32))
            for size, mode in (
                ((64, 48), cv2.INTER_LINEAR),
                ((64, 48), cv2.INTER_AREA),
                ((200, 150), cv2.INTER_LINEAR),
            )
        )
    )
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    rows["cv2.cvtColor addWeighted"] = digest(
        gray,
        cv2.addWeighted(image, 1.2, cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), -0.2, 0),
        cv2.addWeighted(image, 0.8, image, 0, 13.7),
    )
    rows["cv2.calcOpticalFlowFarneback"] = digest(
        cv2.calcOpticalFlowFarneback(gray, np.roll(gray, 3, axis=1), None, 0.5, 3, 15, 3, 5, 1.2, 0)
    )
    return rows


def main() -> None:
    for name, value in {**torch_kernels(), **numpy_and_opencv_kernels()}.items():
        print(f"{name:45s} {value}")


if __name__ == "__main__":
    main()
