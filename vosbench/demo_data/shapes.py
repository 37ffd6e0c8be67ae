"""Random object shapes: smooth star-shaped blobs that can deform over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_POINTS = 72


@dataclass(frozen=True)
class Blob:
    """A closed outline ``r(theta) = radius * (1 + sum_k a_k sin(k theta + phase_k(t)))``."""

    radius: float
    amplitudes: np.ndarray  # (K,) harmonics 2..K+1
    phases: np.ndarray  # (K,)
    phase_speeds: np.ndarray  # (K,) radians per frame: the deformation
    aspect: float

    @classmethod
    def random(cls, rng: np.random.Generator, radius: float, deform: float = 0.08) -> Blob:
        k = int(rng.integers(2, 5))
        return cls(
            radius=radius,
            amplitudes=rng.uniform(0.04, 0.22, k) / np.arange(1, k + 1) ** 0.5,
            phases=rng.uniform(0, 2 * np.pi, k),
            phase_speeds=rng.uniform(-deform, deform, k),
            aspect=float(rng.uniform(0.6, 1.4)),
        )

    def outline(self, t: float, centre: tuple[float, float], angle: float, scale: float) -> np.ndarray:
        """The (N, 2) polygon (x, y) at time ``t``, rotated by ``angle`` and scaled."""
        theta = np.linspace(0, 2 * np.pi, N_POINTS, endpoint=False)
        harmonics = np.arange(2, 2 + len(self.amplitudes))[:, None]
        phases = (self.phases + self.phase_speeds * t)[:, None]
        r = self.radius * scale * (1 + (self.amplitudes[:, None] * np.sin(harmonics * theta + phases)).sum(0))
        x, y = r * np.cos(theta) * self.aspect, r * np.sin(theta)
        c, s = np.cos(angle), np.sin(angle)
        return np.stack([centre[0] + c * x - s * y, centre[1] + s * x + c * y], axis=1)
