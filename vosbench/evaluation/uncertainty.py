"""How sure a score is: bootstrap intervals over sequences and paired comparisons.

A benchmark's J&F is a mean over objects, and the objects of one video are not independent
(one hard video drags all its objects down). Both the interval of a score and the test of a
difference therefore resample or permute whole *sequences*, each carrying all its objects:

* :func:`score_interval`: the 95% BCa bootstrap interval (``scipy.stats.bootstrap``) of the
  mean over objects, resampling sequences;
* :func:`compare`: two results on the same objects: the mean per-object difference, its paired
  bootstrap interval (sequences resampled, each with its objects' differences) and a sign-flip
  permutation test over sequences (under "no difference", swapping the two methods' masks
  within a video changes nothing), and the verdict on "A > B".

Seeds are fixed, so the same scores give the same intervals on any machine.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from vosbench.errors import VosbenchError

LEVEL = 0.95
RESAMPLES = 9999
SEED = 0
BATCH = 1000  # resamples computed at once: bounds memory on YouTube-VOS's hundreds of videos
METHOD = "BCa bootstrap over sequences (each with all its objects)"
TEST = "sign-flip permutation test over sequences"
TIE = 1e-12  # per-sequence differences smaller than this are float noise: ties


@dataclass(frozen=True)
class Interval:
    """A confidence interval of a mean over objects (fractions, as the scores)."""

    low: float
    high: float
    level: float = LEVEL
    resamples: int = RESAMPLES
    seed: int = SEED
    sequences: int = 0
    method: str = METHOD

    def as_json(self) -> dict[str, object]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(self).items()}

    def percent(self) -> str:
        """``[41.9, 47.6]``: in percent with one decimal, as the tables print scores."""
        if math.isnan(self.low):
            return "[-]"
        return f"[{100 * self.low:.1f}, {100 * self.high:.1f}]"


def sequence_of(key: str) -> str:
    """The sequence of an object key ``<sequence>_<object id>`` (the per-sequence table's)."""
    sequence, sep, obj = key.rpartition("_")
    if not sep or not obj.isdigit():
        raise VosbenchError(f"object key {key!r}: expected <sequence>_<object id>")
    return sequence


def _by_sequence(scores: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence: the sum of its objects' scores and their number (sorted by sequence)."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for key, value in scores.items():
        sequence = sequence_of(key)
        sums[sequence] = sums.get(sequence, 0.0) + float(value)
        counts[sequence] = counts.get(sequence, 0) + 1
    names = sorted(sums)
    return np.array([sums[n] for n in names]), np.array([counts[n] for n in names], dtype=float)


def _ratio(sums: np.ndarray, counts: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.sum(sums, axis=axis) / np.sum(counts, axis=axis)


def bootstrap_sequences(
    columns: tuple[np.ndarray, ...],
    statistic: Callable[..., np.ndarray],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> Interval:
    """BCa interval of ``statistic(*columns, axis=-1)`` with sequences resampled: ``columns``
    hold one value per sequence each (e.g. its objects' summed scores and their number) and
    are resampled together."""
    from scipy.stats import bootstrap

    n = len(columns[0])
    if n < 2:
        return Interval(math.nan, math.nan, level, resamples, seed, n)
    jackknife = [float(statistic(*(np.delete(c, i) for c in columns), axis=-1)) for i in range(n)]
    if np.ptp(jackknife) < 1e-12:  # no spread between sequences: nothing to resample
        point = float(statistic(*columns, axis=-1))
        return Interval(point, point, level, resamples, seed, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa's own warnings; a NaN interval is handled below
        result = bootstrap(
            columns,
            statistic,
            paired=True,
            vectorized=True,
            n_resamples=resamples,
            confidence_level=level,
            method="BCa",
            batch=BATCH,
            random_state=np.random.default_rng(seed),
        )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if math.isnan(low) or math.isnan(high):  # BCa undefined on this set: the percentile interval
        values = result.bootstrap_distribution
        low, high = (float(np.nanquantile(values, q)) for q in ((1 - level) / 2, (1 + level) / 2))
    return Interval(low, high, level, resamples, seed, n)


def score_interval(
    scores: Mapping[str, float], resamples: int = RESAMPLES, seed: int = SEED, level: float = LEVEL
) -> Interval:
    """The bootstrap interval of the mean of ``scores`` (object key -> score), sequences resampled."""
    if not scores or any(math.isnan(v) for v in scores.values()):  # nothing, or an unscored object
        return Interval(math.nan, math.nan, level, resamples, seed, 0)
    return bootstrap_sequences(_by_sequence(scores), _ratio, resamples, seed, level)


@dataclass(frozen=True)
class Comparison:
    """Result A against result B on the same objects (differences A - B, as fractions)."""

    objects: int
    sequences: int
    mean_a: float
    mean_b: float
    difference: float
    interval: Interval  # of the difference, paired
    p_value: float  # two-sided, sign flips over sequences
    permutations: int
    per_sequence: dict[str, float]  # each sequence's mean difference over its objects

    def verdict(self) -> str:
        """On "A > B": ``holds`` when the whole interval is above 0 and the test rejects "no
        difference" at the same level, ``fails`` when the interval is below 0 and the test
        rejects, else ``not resolved at 95%``. Both are asked because each alone over-claims
        on few videos: with 3, every bootstrap resample may agree in sign while no sign-flip
        p-value can fall below 0.25."""
        significant = self.p_value < 1 - self.interval.level
        if self.interval.low > 0 and significant:
            return "holds"
        if self.interval.high < 0 and significant:
            return "fails"
        return f"not resolved at {round(100 * self.interval.level)}%"

    def smallest_p(self) -> float:
        """The smallest two-sided p-value a sign-flip test over this many sequences can give:
        only the observed signs and their mirror image are as extreme, 2 of the 2**n flips."""
        return min(1.0, 2.0 / 2.0**self.sequences)

    def resolvable(self) -> bool:
        """Whether these sequences are enough for any difference to be resolved at the level."""
        return self.smallest_p() < 1 - self.interval.level

    def summary(self) -> str:
        """``+2.4 [0.8, 4.1], p=0.004``: the difference in points with its interval and p."""
        return f"{100 * self.difference:+.1f} {self.interval.percent()}, {_p_text(self.p_value)}"

    def as_json(self) -> dict[str, object]:
        return {
            "objects": self.objects,
            "sequences": self.sequences,
            "mean_a": self.mean_a,
            "mean_b": self.mean_b,
            "difference": self.difference,
            "interval": self.interval.as_json(),
            "p_value": self.p_value,
            "test": TEST,
            "permutations": self.permutations,
            "smallest_p_value": self.smallest_p(),
            "verdict": self.verdict(),
            "per_sequence": self.per_sequence,
        }


def _p_text(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def check_same_objects(a: Mapping[str, float], b: Mapping[str, float], what_a: str, what_b: str) -> None:
    """A paired comparison needs the same objects on both sides; else one clear error."""
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:
        parts = []
        if only_a:
            parts.append(f"{len(only_a)} only in {what_a} (e.g. {only_a[0]})")
        if only_b:
            parts.append(f"{len(only_b)} only in {what_b} (e.g. {only_b[0]})")
        raise VosbenchError(f"the two results do not cover the same objects: {'; '.join(parts)}")
    if not a:
        raise VosbenchError(f"{what_a} and {what_b}: no object to compare")


def compare(
    a: Mapping[str, float],
    b: Mapping[str, float],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    what: tuple[str, str] = ("A", "B"),
) -> Comparison:
    """Paired comparison of per-object scores ``a`` and ``b`` (object key -> score)."""
    from scipy.stats import permutation_test

    check_same_objects(a, b, *what)
    differences = {key: float(a[key]) - float(b[key]) for key in a}
    sums, counts = _by_sequence(differences)
    interval = bootstrap_sequences((sums, counts), _ratio, resamples, seed, level)
    total = counts.sum()
    observed = float(sums.sum() / total)
    # A sequence whose difference is float noise (scores summed in another order) is a tie:
    # its sign must not count as evidence either way.
    tied = np.where(np.abs(sums) < TIE, 0.0, sums)
    if len(sums) < 2 or not tied.any():
        p_value, permutations = 1.0, 0
    else:
        # One sample: scipy flips the sign of each sequence's summed difference.
        test = permutation_test(
            (tied,),
            lambda s, axis=-1: np.sum(s, axis=axis) / total,
            permutation_type="samples",
            vectorized=True,
            n_resamples=resamples,
            alternative="two-sided",
            random_state=np.random.default_rng(seed),
        )
        p_value, permutations = float(test.pvalue), min(resamples, 2 ** len(sums))
    names = sorted({sequence_of(k) for k in differences})
    return Comparison(
        objects=len(differences),
        sequences=len(names),
        mean_a=float(np.mean(list(a.values()))),
        mean_b=float(np.mean(list(b.values()))),
        difference=observed,
        interval=interval,
        p_value=p_value,
        permutations=permutations,
        per_sequence={n: float(s / c) for n, s, c in zip(names, sums, counts, strict=True)},
    )
