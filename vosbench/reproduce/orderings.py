"""The paper's claims about its own rows ("FIM on > off"), checked on every measured set.

A table spec lists them as ``orderings = ["SITVOS with FIM > SITVOS w/o FIM", ...]``, over
its measured rows' labels, with ``>`` or ``>=``. Each is checked on every overall-score
column the table has (J&F on DAVIS 2016 and 2017, G on YouTube-VOS), for the paper's rows
(through each row's ``paper_row``) and for each measured set, on the values as the table
prints them (percent, one decimal), so a reader can check every verdict against the table.
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

    def verdict(self, scores: dict[str, dict[str, str]], column: str) -> str:
        """``holds (90.5 > 89.2)``, ``fails (...)`` or ``""`` where a row lacks the column;
        ``scores``: row label -> column -> the value as printed (percent, one decimal)."""
        high = scores.get(self.higher, {}).get(column, "-")
        low = scores.get(self.lower, {}).get(column, "-")
        if "-" in (high, low):
            return ""
        holds = RELATIONS[self.relation](float(high), float(low))
        return f"{'holds' if holds else 'fails'} ({high} {self.relation} {low})"


def orderings_markdown(
    orderings: tuple[Ordering, ...], columns: tuple[str, ...], sources: dict[str, dict[str, dict[str, str]]]
) -> list[str]:
    """A Markdown section: one row per ordering, one cell per source (``paper`` and each
    measured set's marker) with its verdict on each overall-score column."""
    checked = [c for c in ORDERED_COLUMNS if c in columns]
    if not orderings or not checked:
        return []
    names = {c: COLUMNS[c].header for c in checked}
    out = [
        "",
        "## The paper's orderings",
        "",
        "Each claim checked on " + ", ".join(names.values()) + " as this table prints them.",
        "",
        "| ordering | " + " | ".join(f"`{s}`" for s in sources) + " |",
        "|---|" + "---|" * len(sources),
    ]
    for ordering in orderings:
        cells = []
        for scores in sources.values():
            verdicts = [(names[c], ordering.verdict(scores, c)) for c in checked]
            cells.append("; ".join(f"{n}: {v}" for n, v in verdicts if v) or "-")
        out.append(f"| {ordering.text} | " + " | ".join(cells) + " |")
    return out
