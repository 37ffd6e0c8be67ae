"""The paper's claims about its own rows ("FIM on > off"), checked on every measured set.

A table spec lists them as ``orderings = ["SITVOS with FIM > SITVOS w/o FIM", ...]``, over
its measured rows' labels, with ``>`` or ``>=``. Each is checked on every overall-score
column the table has (J&F on DAVIS 2016 and 2017, G on YouTube-VOS):

* on the paper's rows (through each row's ``paper_row``), by the values as printed: the
  paper gives nothing else;
* on each measured set, by a paired comparison of the two rows' per-object J&F
  (:func:`vosbench.evaluation.uncertainty.compare`): the difference with its 95% interval
  and p-value, and "holds" only when the whole interval is above zero and p < 0.05 ("fails"
  below zero with p < 0.05, "not resolved at 95%" otherwise). Columns without per-object
  scores (G) are compared by their printed values, and say so.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from vosbench.reproduce.columns import COLUMNS

ORDERED_COLUMNS = ("davis2016_jf", "davis2017_jf", "g")  # the overall scores a claim is about
RELATIONS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, ">": operator.gt}
_PATTERN = re.compile(r"^\s*(.+?)\s*(>=|>)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Ordering:
    """``higher`` scores above (``>``) or at least as high as (``>=``) ``lower``."""

    higher: str
    relation: str
    lower: str

    @classmethod
    def parse(cls, text: str) -> Ordering | None:
        """``"A > B"`` or ``"A >= B"``; None if ``text`` says neither."""
        match = _PATTERN.match(text)
        if match is None:
            return None
        return cls(match.group(1), match.group(2), match.group(3))

    @property
    def text(self) -> str:
        return f"{self.higher} {self.relation} {self.lower}"

    def verdict(self, scores: dict[str, RowScores], column: str, spread: float | None = None) -> str:
        """``holds (+2.4 [0.8, 4.1], p=0.004)`` from the rows' per-object scores where both have
        them, else ``holds (90.5 > 89.2)`` from the printed values; ``""`` where a row lacks
        the column."""
        high, low = scores.get(self.higher), scores.get(self.lower)
        if high is None or low is None:
            return ""
        printed_high, printed_low = high.printed.get(column, "-"), low.printed.get(column, "-")
        if "-" in (printed_high, printed_low):
            return ""
        dataset = COLUMNS[column].dataset
        a, b = high.objects(column), low.objects(column)
        if a and b and set(a) == set(b):
            # here, not at the top: spec.py reads orderings before reproduce pins NumPy's settings
            from vosbench.evaluation.uncertainty import compare

            comparison = compare(a, b)
            noise = ""
            if spread is not None:  # training noise: the same recipe's J&F over seeds
                side = "within" if abs(comparison.difference) <= spread else "beyond"
                noise = f"; {side} the seed spread of {100 * spread:.1f}"
            return f"{comparison.verdict()} ({comparison.summary()}{noise})"
        holds = RELATIONS[self.relation](float(printed_high), float(printed_low))
        note = f", no per-object {dataset} scores to test" if high.measured else ""
        return f"{'holds' if holds else 'fails'} ({printed_high} {self.relation} {printed_low}{note})"


@dataclass(frozen=True)
class RowScores:
    """One row of one source as the orderings judge it: its printed values, and for measured
    rows the per-object J&F of each dataset."""

    printed: dict[str, str]  # column -> value as printed (percent, one decimal) or "-"
    per_object: dict[str, dict[str, float]] | None = None  # dataset -> object -> J&F; None: paper

    @property
    def measured(self) -> bool:
        return self.per_object is not None

    def objects(self, column: str) -> dict[str, float]:
        """Per-object J&F behind ``column`` (a J&F column of a measured row), else empty."""
        spec = COLUMNS[column]
        if self.per_object is None or spec.metric != "J&F-Mean":
            return {}
        return self.per_object.get(spec.dataset or "", {})


def orderings_markdown(
    orderings: tuple[Ordering, ...],
    columns: tuple[str, ...],
    sources: dict[str, dict[str, RowScores]],
    spreads: dict[str, dict[str, float]] | None = None,
) -> list[str]:
    """A Markdown section: one row per ordering, one cell per source (``paper`` and each
    measured set's marker) with its verdict on each overall-score column. ``spreads``: per
    source, per column, the range of J&F over training seeds (a fraction), to read each
    measured difference against."""
    checked = [c for c in ORDERED_COLUMNS if c in columns]
    if not orderings or not checked:
        return []
    names = {c: COLUMNS[c].header for c in checked}
    out = [
        "",
        "## The paper's orderings",
        "",
        "Each claim checked on " + ", ".join(names.values()) + ". Paper: by the printed values. "
        "Measured sets: by a paired comparison of the two rows on the same objects: the J&F "
        "difference in points, its 95% bootstrap interval (sequences resampled, 9999 times, seed 0) "
        "and the p-value of a sign-flip permutation test over sequences; it holds only when the "
        "whole interval is above zero and p < 0.05, fails when the interval is below zero and "
        "p < 0.05, and is not resolved otherwise.",
        "",
        "| ordering | " + " | ".join(f"`{s}`" for s in sources) + " |",
        "|---|" + "---|" * len(sources),
    ]
    for ordering in orderings:
        cells = []
        for source, scores in sources.items():
            spread = (spreads or {}).get(source, {})
            verdicts = [(names[c], ordering.verdict(scores, c, spread.get(c))) for c in checked]
            cells.append("; ".join(f"{n}: {v}" for n, v in verdicts if v) or "-")
        out.append(f"| {ordering.text} | " + " | ".join(cells) + " |")
    return out
